import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, hostUnavailable, lxcdeck, ROOT, run, settled, uniqueName, USER, v1FreezerState } from './host.js';

/**
 * Several lxcpaths at once (-P repeated): two real containers of the same
 * name in two lxcpaths, and one more only in the second. Every action must
 * reach the container of the lxcpath it was meant for, checked with lxc-info.
 */
const skip = hostUnavailable();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-lxcpaths-'));
const A = path.join(tmp, 'a');
const B = path.join(tmp, 'b');
const twin = uniqueName('lpt');
const solo = uniqueName('lps');

// bounded: a freeze that never completes must fail the test, not hang the worker (spawnSync blocks it)
const tool = (name: string, ...args: string[]) => spawnSync(name, args, { encoding: 'utf8', timeout: 30_000 });
/** State as the real lxc-info reports it, in one lxcpath. */
const stateIn = (lxcpath: string, name: string) => tool('lxc-info', '-P', lxcpath, '-n', name, '-sH').stdout.trim();
const create = (lxcpath: string, name: string) => {
  const r = tool('lxc-create', '-P', lxcpath, '-t', 'busybox', '-n', name);
  if (r.status !== 0) throw new Error(`lxc-create ${name} in ${lxcpath} failed: ${r.stderr}`);
};

beforeAll(() => {
  if (skip) return;
  fs.mkdirSync(A);
  fs.mkdirSync(B);
  create(A, twin);
  create(B, twin);
  create(B, solo);
}, 180_000);
afterAll(() => {
  for (const [p, n] of [[A, twin], [B, twin], [B, solo]] as const) {
    tool('lxc-stop', '-k', '-P', p, '-n', n);
    tool('lxc-destroy', '-f', '-P', p, '-n', n);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skip)('several lxcpaths at once, as root', () => {
  it('ls lists both lxcpaths; each row says which it is in (JSON and text)', async () => {
    const r = await lxcdeck(ROOT, ['-P', A, '-P', B, 'ls', '--json']);
    expect(r.stderr).toBe('');
    const rows = (JSON.parse(r.stdout) as { name: string; lxcpath: string; state: string }[]).filter((x) => x.name === twin || x.name === solo);
    expect(rows.map((x) => [x.name, x.lxcpath, x.state])).toEqual([
      [solo, B, 'STOPPED'],
      [twin, A, 'STOPPED'],
      [twin, B, 'STOPPED'],
    ].sort((x, y) => (x[0] as string).localeCompare(y[0] as string)));
    // through commander too (--color is not a fast-path option), as a table with an LXCPATH column
    const text = await lxcdeck(ROOT, ['--color', 'never', '-P', A, '-P', B, 'ls']);
    expect(text.stdout.split('\n')[0]).toMatch(/^NAME\s.*\sLXCPATH$/);
    expect(text.stdout.split('\n').filter((l) => l.startsWith(`${twin} `)).map((l) => l.trim().split(/\s+/).at(-1))).toEqual([A, B]);
    // one lxcpath: the same rows, each with its lxcpath, and no extra column
    const one = JSON.parse((await lxcdeck(ROOT, ['-P', B, 'ls', '--json'])).stdout) as { name: string; lxcpath: string }[];
    expect(one.filter((x) => x.name === twin).map((x) => x.lxcpath)).toEqual([B]);
  });

  it('without -P, the lxcpaths setting lists them (and -P still wins)', async () => {
    const home = path.join(tmp, 'config');
    fs.mkdirSync(path.join(home, 'lxcdeck'), { recursive: true });
    fs.writeFileSync(path.join(home, 'lxcdeck', 'config.json'), JSON.stringify({ lxcpaths: [A, B] }));
    const ls = async (...args: string[]) => {
      const r = await run(ROOT, ['env', `XDG_CONFIG_HOME=${home}`, process.execPath, BIN, ...args, 'ls', '--json']);
      return (JSON.parse(r.stdout) as { name: string; lxcpath: string }[]).filter((x) => x.name === twin).map((x) => x.lxcpath);
    };
    expect(await ls()).toEqual([A, B]);
    expect(await ls('-P', B)).toEqual([B]);
    // a bad lxcpath from the setting: the fix names the setting, not -P
    const gone = path.join(tmp, 'gone');
    fs.writeFileSync(path.join(home, 'lxcdeck', 'config.json'), JSON.stringify({ lxcpaths: [A, gone] }));
    const bad = await run(ROOT, ['env', `XDG_CONFIG_HOME=${home}`, process.execPath, BIN, 'ls']);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', `lxcdeck: lxcpath ${gone} does not exist: create it (mkdir -p ${gone}) or remove it from "lxcpaths" in ${home}/lxcdeck/config.json\n`]);
  });

  it('a NAME in both lxcpaths is a one-line error that changes nothing; in one, the command goes there', async () => {
    for (const verb of [['start', twin], ['freeze', twin], ['info', twin]]) {
      const r = await lxcdeck(ROOT, ['-P', A, '-P', B, ...verb]);
      expect(r.code, verb.join(' ')).toBe(2);
      expect(r.stderr).toBe(`lxcdeck: ${twin} is in ${A} and ${B}: pass -P to choose (e.g. -P ${A} ${twin})\n`);
    }
    expect([stateIn(A, twin), stateIn(B, twin)]).toEqual(['STOPPED', 'STOPPED']);
    expect((await lxcdeck(ROOT, ['-P', A, '-P', B, 'start', solo])).code).toBe(0);
    expect(stateIn(B, solo)).toBe('RUNNING');
    // freeze goes through the fast path with one lxcpath, through commander with several
    const frz = await lxcdeck(ROOT, ['-P', A, '-P', B, 'freeze', solo]);
    expect([frz.code, frz.stderr]).toEqual([0, '']);
    expect(stateIn(B, solo)).toBe('FROZEN');
    const info = JSON.parse((await lxcdeck(ROOT, ['-P', A, '-P', B, 'info', solo, '--json'])).stdout) as { lxcpath: string; state: string };
    expect([info.lxcpath, info.state]).toEqual([B, 'FROZEN']);
    expect((await lxcdeck(ROOT, ['-P', A, '-P', B, 'kill', solo])).code).toBe(0);
    expect(stateIn(B, solo)).toBe('STOPPED');
  }, 120_000);

  it('a missing or unreadable lxcpath is a one-line error naming it and the fix', async () => {
    const gone = path.join(tmp, 'nowhere');
    const r = await lxcdeck(ROOT, ['-P', A, '-P', gone, 'ls']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `lxcdeck: lxcpath ${gone} does not exist: create it (mkdir -p ${gone}) or leave out -P ${gone}\n`]);
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, '');
    const f = await lxcdeck(ROOT, ['-P', A, '-P', file, 'start', twin]);
    expect([f.code, f.stderr]).toEqual([2, `lxcdeck: lxcpath ${file} is not a directory: pass the directory that holds the containers, or leave out -P ${file}\n`]);
    expect(stateIn(A, twin)).toBe('STOPPED');
    // root's own lxcpath directory is not the test user's to read
    const locked = path.join(tmp, 'locked');
    fs.mkdirSync(locked, { mode: 0o700 });
    fs.chmodSync(tmp, 0o711);
    const u = await lxcdeck(USER, ['-P', '/tmp', '-P', locked, 'ls', '--json']);
    expect([u.code, u.stdout, u.stderr]).toEqual([5, '', `lxcdeck: cannot read lxcpath ${locked} (EACCES): run lxcdeck as a user who may read ${locked}, or leave out -P ${locked}\n`]);
  });

  it('events and stats watch every lxcpath: a change in the second one is seen, named by its lxcpath', async () => {
    expect(tool('lxc-start', '-P', B, '-n', solo).status).toBe(0);
    await settled(B, solo);
    try {
      const events = spawn(process.execPath, [BIN, '-P', A, '-P', B, 'events', '--json', '--interval', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const lines: { name: string; lxcpath?: string; state: string; previous: string | null }[] = [];
      let rest = '';
      events.stdout.setEncoding('utf8');
      events.stdout.on('data', (d: string) => {
        const parts = (rest + d).split('\n');
        rest = parts.pop() ?? '';
        for (const l of parts) if (l.trim()) lines.push(JSON.parse(l));
      });
      const seen = async (want: (e: (typeof lines)[number]) => boolean) => {
        for (let i = 0; i < 100 && !lines.some(want); i++) await new Promise((r) => setTimeout(r, 50));
        return lines.some(want);
      };
      try {
        expect(await seen((e) => e.name === solo && e.lxcpath === B && e.state === 'RUNNING' && e.previous === null)).toBe(true);
        expect(await seen((e) => e.name === twin && e.lxcpath === A && e.state === 'STOPPED')).toBe(true);
        expect(tool('lxc-freeze', '-P', B, '-n', solo).status).toBe(0);
        expect(await seen((e) => e.name === solo && e.lxcpath === B && e.state === 'FROZEN' && e.previous === 'RUNNING')).toBe(true);
        expect(tool('lxc-unfreeze', '-P', B, '-n', solo).status).toBe(0);
      } finally {
        events.kill('SIGINT');
      }
      // stats names the second lxcpath's container by its directory, as the workstation does
      const stats = await lxcdeck(ROOT, ['-P', A, '-P', B, 'stats', '--json']);
      expect(stats.stderr).toBe('');
      const rows = JSON.parse(stats.stdout) as { name: string; kind: string; pids: number | null }[];
      expect(rows.find((r) => r.name === `${B}/${solo}`)).toMatchObject({ kind: 'container' });
      expect(rows.some((r) => r.name === solo)).toBe(false);
    } finally {
      tool('lxc-stop', '-k', '-P', B, '-n', solo);
    }
  }, 120_000);

  it("doctor checks the second lxcpath's containers too: a half-done freeze there is named with its lxcpath, and its fix works", async () => {
    expect(tool('lxc-start', '-P', B, '-n', solo).status).toBe(0);
    await settled(B, solo);
    try {
      expect(tool('lxc-freeze', '-P', B, '-n', solo).status).toBe(0);
      const pid = tool('lxc-info', '-P', B, '-n', solo, '-pH').stdout.trim();
      const state = v1FreezerState(pid);
      if (!state) {
        // no v1 freezer: only a pure v2 host may lack it (the half-done freeze cannot be made by hand this way there)
        expect(fs.existsSync('/sys/fs/cgroup/cgroup.controllers')).toBe(true);
        return;
      }
      fs.writeFileSync(state, 'THAWED');
      const doctor = async () => JSON.parse((await lxcdeck(ROOT, ['-P', A, '-P', B, 'doctor', '--json'])).stdout) as { checks: { id: string; fix?: string }[] };
      const check = (await doctor()).checks.find((c) => c.id === `freezer:${solo} in ${B}`);
      expect(check?.fix).toBe(`lxcdeck -P ${B} thaw ${solo}`);
      expect((await lxcdeck(ROOT, ['-P', B, 'thaw', solo])).code).toBe(0);
      expect((await doctor()).checks.some((c) => c.id.startsWith(`freezer:${solo}`))).toBe(false);
    } finally {
      tool('lxc-stop', '-k', '-P', B, '-n', solo);
    }
  }, 120_000);

  it("idmap show, usage and a preset judge ranges against every lxcpath given: a slice mapped in one is not free in the other", async () => {
    // root's first 65536 ids of its own range (prepare-host gives root two slices), mapped by the first lxcpath's container
    const line = fs.readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith('root:'));
    const start = Number(line?.split(':')[1]);
    expect(start).toBeGreaterThan(0);
    const soloConfig = path.join(B, solo, 'config');
    const twinConfig = path.join(A, twin, 'config');
    const saved = [soloConfig, twinConfig].map((f) => [f, fs.readFileSync(f, 'utf8')] as const);
    try {
      fs.appendFileSync(twinConfig, `lxc.idmap = u 0 ${start} 65536\nlxc.idmap = g 0 ${start} 65536\n`);
      // the second lxcpath alone has no container using it: its first free slice would be that one
      const set = await lxcdeck(ROOT, ['-P', A, '-P', B, 'idmap', 'set', solo, '--preset', 'isolated', '--dry-run', '--json']);
      expect(set.stderr).toBe('');
      const proposed = (JSON.parse(set.stdout) as { new: string[] }).new;
      expect(proposed).toContain(`u 0 ${start + 65536} 65536`);
      expect(proposed.some((e) => e.includes(` ${start} `))).toBe(false);
      // solo takes the same slice by hand: show names the sharing across the lxcpaths, from both sides
      fs.appendFileSync(soloConfig, `lxc.idmap = u 0 ${start} 65536\nlxc.idmap = g 0 ${start} 65536\n`);
      const show = await lxcdeck(ROOT, ['-P', A, '-P', B, 'idmap', 'show', '--json']);
      expect(show.stderr).toBe('');
      type Use = { kind: string; sharedWith: { name: string }[] };
      const containers = (JSON.parse(show.stdout) as { containers: { name: string; isolated: boolean; uses: Use[] }[] }).containers;
      const byName = new Map(containers.map((c) => [c.name, c]));
      const sharers = (n: string) => [...new Set(byName.get(n)?.uses.flatMap((u) => u.sharedWith.map((x) => x.name)))];
      expect(sharers(twin)).toEqual([`${B}/${solo}`]);
      expect(sharers(`${B}/${solo}`)).toEqual([twin]);
      expect(byName.get(twin)?.isolated).toBe(false);
      const usage = await lxcdeck(ROOT, ['-P', A, '-P', B, 'idmap', 'usage']);
      expect(usage.stdout.split('\n')[0]).toContain(`in ${A}, ${B}`);
      expect(usage.stdout).toMatch(new RegExp(`${twin}, ${B.replace(/[/.]/g, '\\$&')}/${solo}\\s+SHARED`));
    } finally {
      for (const [f, text] of saved) fs.writeFileSync(f, text);
    }
  });

  it("the workstation's engine starts and freezes the second lxcpath's namesake only (in this process)", async () => {
    const { createContexts, workstationContext } = await import('../../src/cli/context.js');
    const { containerWorkload, containerRef } = await import('../../src/core/workload.js');
    const ctx = workstationContext(createContexts([A, B]));
    const rows = ctx.backend.list().filter((r) => r.name === twin).map((r) => containerWorkload(r, ctx.backend.lxcpath));
    expect(rows.map((w) => w.key)).toEqual([`container:${twin}`, `container:${B}/${twin}`]);
    const second = rows[1]!;
    try {
      await ctx.backend.start(containerRef(second.id), { timeoutSeconds: 60 });
      expect([stateIn(A, twin), stateIn(B, twin)]).toEqual(['STOPPED', 'RUNNING']);
      await ctx.backend.freeze(containerRef(second.id));
      expect([stateIn(A, twin), stateIn(B, twin)]).toEqual(['STOPPED', 'FROZEN']);
      expect(ctx.backend.list().filter((r) => r.name === twin).map((r) => `${r.lxcpath} ${r.state}`)).toEqual([`${A} STOPPED`, `${B} FROZEN`]);
      // its runtime (cgroups the sampler reads) is the second one's, and the first has none
      expect(ctx.backend.runtimeOf(containerRef(second.id))?.pid).toBeGreaterThan(0);
      expect(ctx.backend.runtimeOf(twin)).toBeNull();
      await ctx.backend.thaw(containerRef(second.id));
      await ctx.backend.kill(containerRef(second.id));
      expect([stateIn(A, twin), stateIn(B, twin)]).toEqual(['STOPPED', 'STOPPED']);
    } finally {
      tool('lxc-stop', '-k', '-P', B, '-n', twin);
    }
  }, 120_000);
});
