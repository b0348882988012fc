import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createBusybox, destroy, eventually, hostUnavailable, lxcdeck, REPO, ROOT, run, TEST_USER, uniqueName, USER, type Runner } from './host.js';

/**
 * `lxcdeck idmap set NAME --map ... --shift` applied for real: the rootfs is
 * re-owned by native/lxcdeck-shift, then lxc.idmap is written through liblxc.
 * As the test user (whose one 65536-id range holds two 32768-id slices) the
 * container then starts in the new range; as root (which has no
 * /etc/subuid range here, so newuidmap refuses to start it) the files and the
 * config are checked on disk.
 */
const skip = hostUnavailable();
const META = path.join(REPO, 'scripts', 'tree-meta');
const meta = (dir: string) => execFileSync(META, [dir], { encoding: 'utf8' });
const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });

function subStart(): number {
  const line = fs.readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${TEST_USER}:`));
  if (!line) throw new Error(`${TEST_USER} has no /etc/subuid range: run scripts/prepare-host --test-user`);
  return Number(line.split(':')[1]);
}

async function rootfsOf(r: Runner, name: string): Promise<string> {
  const res = await run(r, ['lxc-info', '-n', name, '-c', 'lxc.rootfs.path']);
  return res.stdout.replace(/^lxc\.rootfs\.path =\s*/, '').trim().replace(/^dir:/, '');
}

/** setuid busybox, an ACL for container user 5 / group 7 and a v3 capability whose rootid is the container's root, as the old map puts them on disk. */
function decorate(rootfs: string, old: number): void {
  // an unprivileged lxc-create leaves busybox without its setuid bit: the shift must keep one
  fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o4755);
  sh(`setfacl -m u:${old + 5}:rwx,g:${old + 7}:r '${rootfs}/etc/passwd'`);
  sh(`cp /bin/true '${rootfs}/bin/pinger' && chown ${old}:${old} '${rootfs}/bin/pinger'`);
  sh(`python3 -c "import os,struct; os.setxattr('${rootfs}/bin/pinger','security.capability',struct.pack('<6I',0x03000001,1<<13,0,0,0,${old}))"`);
}

/** tree-meta's owner columns shifted by hand (ids in [from, from+count) move to `to`), xattr columns dropped: what a shift must give. */
function ownersShifted(m: string, from: number, to: number, count: number): string {
  const f = (id: string) => (Number(id) >= from && Number(id) < from + count ? String(Number(id) - from + to) : id);
  return m.split('\n').filter(Boolean).map((l) => l.split(' ')).map(([p, u, g, mode]) => `${p} ${f(u ?? '')} ${f(g ?? '')} ${mode}`).join('\n');
}

const lines = (m: string[]) => m.flatMap((e) => ['--map', e]);

/** Runs `lxcdeck idmap set ... --json` with a slow walker and kill -9s the walker and lxcdeck at ~50 %. */
function setAndKill(r: Runner, name: string, map: string[]): Promise<void> {
  const argv = [...r.prefix, 'env', 'LXCDECK_SHIFT_THROTTLE_US=3000', process.execPath, BIN, 'idmap', 'set', name, ...lines(map), '--shift', '--json'];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let killed = false;
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    const e = JSON.parse(l) as { type: string; count?: number; total?: number };
    if (!killed && e.type === 'progress' && e.total && (e.count ?? 0) >= e.total / 2) {
      killed = true;
      killTree(child.pid as number);
    }
  });
  return new Promise((resolve, reject) => child.on('close', () => (killed ? resolve() : reject(new Error('the walk ended before it was killed')))));
}

/** kill -9 of every process below pid, deepest first (the walker, then lxcdeck): a crash, not a clean failure. */
function killTree(pid: number): void {
  const kids = (p: number): number[] => {
    try {
      return fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const all: number[] = [];
  const walk = (p: number) => {
    for (const k of kids(p)) walk(k);
    all.push(p);
  };
  walk(pid);
  for (const p of all) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

describe.skipIf(skip)(`idmap set --shift as ${TEST_USER}`, () => {
  const a = uniqueName('isa');
  const b = uniqueName('isb');
  const start = skip ? 0 : subStart();
  const oldMap = [`u 0 ${start} 32768`, `g 0 ${start} 32768`];
  const newMap = [`u 0 ${start + 32768} 32768`, `g 0 ${start + 32768} 32768`];

  beforeAll(async () => {
    await destroy(USER, [a, b]);
    for (const n of [a, b]) {
      await createBusybox(USER, n);
      // the default map covers the whole range: narrow it to the first half (no file moves: the ids stay)
      const res = await lxcdeck(USER, ['idmap', 'set', n, ...lines(oldMap)]);
      expect(res.stderr).toBe('');
      decorate(await rootfsOf(USER, n), start);
    }
  }, 240_000);
  afterAll(async () => {
    // a test that failed half-way leaves its plan journal: drop it with the containers
    const pending = JSON.parse((await lxcdeck(USER, ['plan', 'ls', '--json'])).stdout || '[]') as { id: string; title: string }[];
    for (const j of pending.filter((p) => [a, b].some((n) => p.title.includes(n)))) await lxcdeck(USER, ['plan', 'forget', j.id]);
    for (const n of [a, b]) {
      await run(USER, ['lxc-stop', '-k', '-n', n]);
      // lxc-destroy as the user needs a map the rootfs matches: a failed test may leave it anywhere, root removes it
      await destroy(USER, [n]);
      const dir = `/home/${TEST_USER}/.local/share/lxc/${n}`;
      if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shift, start: uid_map shows the new range, root inside is 0 and the new host id outside, setuid busybox, ACL and capability shifted', async () => {
    const rootfs = await rootfsOf(USER, a);
    const res = await lxcdeck(USER, ['idmap', 'set', a, ...lines(newMap), '--shift'], { timeoutMs: 120_000 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const n = start + 32768;
    expect(fs.lstatSync(path.join(rootfs, 'bin/busybox'))).toMatchObject({ uid: n, gid: n });
    expect(fs.lstatSync(path.join(rootfs, 'bin/busybox')).mode & 0o4000).toBe(0o4000);
    expect(execFileSync('getfacl', ['-n', '-c', path.join(rootfs, 'etc/passwd')], { encoding: 'utf8' })).toMatch(new RegExp(`user:${n + 5}:rwx[\\s\\S]*group:${n + 7}:r--`));
    expect(execFileSync('getcap', ['-n', path.join(rootfs, 'bin/pinger')], { encoding: 'utf8' })).toContain(`cap_net_raw=ep [rootid=${n}]`);
    expect(JSON.parse(fs.readFileSync(`${rootfs}.lxcdeck-idmap`, 'utf8'))).toEqual({ state: 'shifted', map: newMap });
    const cfg = (await run(USER, ['lxc-info', '-n', a, '-c', 'lxc.idmap'])).stdout;
    expect(cfg).toContain(`u 0 ${n} 32768`);
    const started = await lxcdeck(USER, ['start', a], { timeoutMs: 60_000 });
    expect(started.stderr).toBe('');
    const pid = (await run(USER, ['lxc-info', '-n', a, '-pH'])).stdout.trim();
    expect(fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', String(n), '32768']);
    const inside = await eventually(async () => {
      const r = await run(USER, ['lxc-attach', '-n', a, '--', 'ls', '-ln', '/bin/busybox', '/bin/pinger']);
      return r.code === 0 ? r.stdout : '';
    });
    expect(inside).toMatch(/-rws\S+\s+\d+\s+0\s+0\s.*\/bin\/busybox/);
    expect(inside).toMatch(/\s0\s+0\s.*\/bin\/pinger/);
    // inside, the capability's root is the container's own root: getcap there shows it without a rootid
    await run(USER, ['lxc-stop', '-k', '-n', a]);
  }, 240_000);

  it('kill -9 of lxcdeck and its walker at ~50 %: start refuses with one line, --resume finishes (the tree is the fully shifted one), --rollback on a second container restores every inode and the config', async () => {
    const rootfs = await rootfsOf(USER, b);
    const before = meta(rootfs);
    const configBefore = (await run(USER, ['lxc-info', '-n', b, '-c', 'lxc.idmap'])).stdout;
    await setAndKill(USER, b, newMap);
    const refused = await lxcdeck(USER, ['start', b]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/half re-owned.*--resume/);
    expect((await run(USER, ['lxc-info', '-n', b, '-c', 'lxc.idmap'])).stdout).toBe(configBefore);
    // rollback: every inode back, the config untouched
    const rb = await lxcdeck(USER, ['idmap', 'set', b, '--rollback'], { timeoutMs: 120_000 });
    expect(rb.stderr).toBe('');
    expect(meta(rootfs)).toBe(before);
    expect(JSON.parse(fs.readFileSync(`${rootfs}.lxcdeck-idmap`, 'utf8'))).toEqual({ state: 'shifted', map: oldMap });
    // again, and this time resume
    await setAndKill(USER, b, newMap);
    const rs = await lxcdeck(USER, ['idmap', 'set', b, '--resume'], { timeoutMs: 120_000 });
    expect(rs.stderr).toBe('');
    const n = start + 32768;
    const after = meta(rootfs);
    expect(ownersShifted(after, 0, 0, 0)).toBe(ownersShifted(before, start, n, 32768));
    expect(execFileSync('getfacl', ['-n', '-c', path.join(rootfs, 'etc/passwd')], { encoding: 'utf8' })).toContain(`user:${n + 5}:rwx`);
    expect(execFileSync('getcap', ['-n', path.join(rootfs, 'bin/pinger')], { encoding: 'utf8' })).toContain(`[rootid=${n}]`);
    expect((await run(USER, ['lxc-info', '-n', b, '-c', 'lxc.idmap'])).stdout).toContain(`u 0 ${n} 32768`);
    expect((await lxcdeck(USER, ['start', b], { timeoutMs: 60_000 })).stderr).toBe('');
    await run(USER, ['lxc-stop', '-k', '-n', b]);
  }, 300_000);
});

describe.skipIf(skip)('idmap set --shift --reown as root (a privileged busybox made unprivileged, walked instead of mounted idmapped)', () => {
  const c = uniqueName('isr');
  afterAll(async () => destroy(ROOT, [c]));

  it('every file moves from host ids to the new range, setuid kept, the config says the map; a rerun needs no walk', async () => {
    await createBusybox(ROOT, c);
    const rootfs = await rootfsOf(ROOT, c);
    const before = meta(rootfs);
    const res = await lxcdeck(ROOT, ['idmap', 'set', c, '--map', 'u 0 300000 65536', '--map', 'g 0 300000 65536', '--shift', '--reown'], { timeoutMs: 120_000 });
    expect(res.stderr).toBe('');
    const m = meta(rootfs);
    expect(ownersShifted(m, 0, 0, 0)).toBe(ownersShifted(before, 0, 300000, 65536));
    expect(m).toMatch(/^bin\/busybox 300000 300000 0o10[67]755 /m);
    expect((await run(ROOT, ['lxc-info', '-n', c, '-c', 'lxc.idmap'])).stdout).toContain('u 0 300000 65536');
    const again = await lxcdeck(ROOT, ['idmap', 'set', c, '--map', 'u 0 300000 65536', '--map', 'g 0 300000 65536', '--shift', '--reown']);
    expect(again.stdout).toContain('nothing to do');
  }, 240_000);
});

