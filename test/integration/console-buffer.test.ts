import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createBusybox, destroy, eventually, hostUnavailable, lxcdeck, REPO, run, ROOT, TEST_USER, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();
const PROBE = path.join(REPO, 'test/fixtures/consoleProbe.mjs');
const KEY_LINE = 'lxc.console.buffer.size = 128kB';

interface Probe {
  config: string | null;
  running: string | null;
  logBytes: number | null;
}

describe.skipIf(skip).each([ROOT, USER])('lxcdeck console-buffer as $label: a one-step config-edit plan', (runner: Runner) => {
  const name = uniqueName(`${runner.unprivileged ? 'u' : 'r'}cb`);
  /** Interrupted plans of this test (its container's, or the journals it made by hand); other tests' are theirs. */
  const ownPlans = async () =>
    (JSON.parse((await lxcdeck(runner, ['plan', 'ls', '--json'])).stdout) as { id: string; title: string }[]).filter((p) => p.title.includes(name) || p.id.startsWith('lxc.config-edit-ldt'));
  let configFile = '';
  let lxcpath = '';
  let original = '';

  const text = () => fs.readFileSync(configFile, 'utf8');
  const sum = () => createHash('sha256').update(fs.readFileSync(configFile)).digest('hex');
  /** Writes the config as its owner would (the test runs as root). */
  const put = (t: string) => {
    const st = fs.statSync(configFile);
    fs.writeFileSync(configFile, t);
    fs.chownSync(configFile, st.uid, st.gid);
  };
  const probe = async (): Promise<Probe> => {
    const r = await run(runner, [process.execPath, PROBE, name, lxcpath]);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as Probe;
  };

  beforeAll(async () => {
    await destroy(runner, [name]);
    await createBusybox(runner, name);
    const info = JSON.parse((await lxcdeck(runner, ['info', name, '--json'])).stdout) as { configFile: string; lxcpath: string };
    configFile = info.configFile;
    lxcpath = info.lxcpath;
    // a user's own touches that an edit must keep: a comment, blank lines, odd spacing
    put(`${text()}\n# my own note, keep me\n\nlxc.tty.max=5\n\n`);
    original = text();
  });

  afterAll(async () => {
    await destroy(runner, [name]);
  });

  it('--dry-run prints the plan (the key, old and new, and the diff) and changes nothing', async () => {
    const before = sum();
    const r = await lxcdeck(runner, ['console-buffer', name, '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`1. set lxc.console.buffer.size = 128kB in ${configFile}`);
    expect(r.stdout).toContain('lxc.console.buffer.size: (unset) -> 128kB');
    expect(r.stdout).toContain(`+${KEY_LINE}`);
    expect(sum()).toBe(before);
  });

  it('sets 128kB: liblxc reads back 131072 bytes, and the file is the old one plus one line', async () => {
    const r = await lxcdeck(runner, ['console-buffer', name]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('liblxc reads lxc.console.buffer.size as 131072 bytes');
    expect(text()).toBe(`${original}${KEY_LINE}\n`);
    expect((await probe()).config).toBe('131072');
    // the owner and mode of the config are kept
    expect(fs.statSync(configFile).uid).toBe(runner.unprivileged ? Number((await run(runner, ['id', '-u'])).stdout.trim()) : 0);
  });

  it('run three times, leaves one key, and the comments and blank lines as they were', async () => {
    const after = text();
    for (let i = 0; i < 2; i++) {
      const r = await lxcdeck(runner, ['console-buffer', name]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('already done');
    }
    expect(text()).toBe(after);
    expect(text().split('\n').filter((l) => l.includes('lxc.console.buffer.size'))).toEqual([KEY_LINE]);
    expect(text().split('\n').filter((l) => l === '').length).toBe(original.split('\n').filter((l) => l === '').length);
  });

  it('repairs what the old B left (three copies of 128k) into one 128kB line at the first one\'s place', async () => {
    put(original.replace('lxc.tty.max=5\n', 'lxc.console.buffer.size = 128k\nlxc.tty.max=5\nlxc.console.buffer.size = 128k\nlxc.console.buffer.size = 128k\n'));
    expect((await probe()).config).toBe('4096');
    expect((await lxcdeck(runner, ['console-buffer', name])).code).toBe(0);
    expect(text()).toBe(original.replace('lxc.tty.max=5\n', `${KEY_LINE}\nlxc.tty.max=5\n`));
    expect((await probe()).config).toBe('131072');
  });

  it('bad input is one line, exit 2, and changes nothing', async () => {
    const before = sum();
    for (const [args, line] of [
      [['--size', '12q'], 'lxcdeck: invalid console buffer size "12q": use a size such as 128kB, 1MB or auto'],
      [['--size', '128k'], 'lxcdeck: invalid console buffer size "128k": write 128kB (liblxc reads 128k as 128 bytes)'],
      [['--size', '1MB', '--off'], 'lxcdeck: --size and --off cannot be used together: give one of them'],
    ] as const) {
      const r = await lxcdeck(runner, ['console-buffer', name, ...args]);
      expect(r.stderr.split('\n').filter(Boolean)).toEqual([line]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }
    const unknown = await lxcdeck(runner, ['console-buffer', 'ldt-no-such-container']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(sum()).toBe(before);
  });

  it('a value liblxc does not read back as asked is taken back: the file is restored byte for byte', async () => {
    // an include after the key overrides it: the read-back through a fresh handle catches that
    const inc = path.join(path.dirname(configFile), 'override.conf');
    fs.writeFileSync(inc, 'lxc.console.buffer.size = 8192\n');
    fs.chmodSync(inc, 0o644);
    put(original.replace('lxc.tty.max=5\n', `lxc.console.buffer.size = 4096\nlxc.include = ${inc}\nlxc.tty.max=5\n`));
    const before = sum();
    const r = await lxcdeck(runner, ['console-buffer', name]);
    expect(r.code).toBe(7);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `lxcdeck: step 1 (set lxc.console.buffer.size = 128kB in ${configFile}) failed: liblxc reads lxc.console.buffer.size of ${name} back as "8192", not 128kB; nothing was changed: check ${configFile} for an lxc.include that sets it too`,
    ]);
    expect(r.stdout).toContain(`1/1 set lxc.console.buffer.size = 128kB in ${configFile}: failed`);
    expect(sum()).toBe(before);
    // nothing is left half-done for 'lxcdeck plan'
    expect(await ownPlans()).toEqual([]);
    put(original);
    fs.rmSync(inc);
  });

  it('the running container really gets a 128 KiB ring buffer (not 4 KiB)', async () => {
    expect((await lxcdeck(runner, ['console-buffer', name, '--json'])).code).toBe(0);
    expect((await lxcdeck(runner, ['start', name])).code).toBe(0);
    try {
      expect((await probe()).running).toBe('131072');
      // 200 KB through the console: the ring keeps its size's worth
      const flood = await lxcdeck(runner, ['attach', name, '--', 'sh', '-c', 'i=0; while [ $i -lt 2500 ]; do echo "line $i 01234567890123456789012345678901234567890123456789012345678901234567890123456789" > /dev/console; i=$((i+1)); done']);
      expect(flood.code).toBe(0);
      const p = await eventually(async () => {
        const x = await probe();
        return (x.logBytes ?? 0) > 100_000 ? x : null;
      });
      expect(p?.logBytes).toBeGreaterThan(100_000);
      expect(p?.logBytes).toBeLessThanOrEqual(131072);
    } finally {
      await run(runner, ['lxc-stop', '-k', '-n', name]);
    }
  });

  it('--off removes the key: the file is the user\'s own again', async () => {
    const r = await lxcdeck(runner, ['console-buffer', name, '--off']);
    expect(r.code).toBe(0);
    expect(text()).toBe(original);
    expect((await probe()).config).toBe('0');
  });

  it('a run killed after its rename is listed by plan ls; plan resume finishes it, plan rollback restores the old text', async () => {
    const home = runner.unprivileged ? `/home/${TEST_USER}` : (process.env.HOME ?? '/root');
    const dir = path.join(process.env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'lxcdeck', 'plans');
    const journalFor = (id: string) => ({
      version: 1,
      id,
      kind: 'lxc.config-edit',
      title: `Console ring buffer of ${name}: 128kB (from its next start)`,
      params: { name, lxcpath, file: configFile, title: `Console ring buffer of ${name}: 128kB (from its next start)`, edits: [{ key: 'lxc.console.buffer.size', values: ['128kB'] }], before: original },
      // a process that is gone: what kill -9 leaves
      owner: { pid: 4194300, start: '1' },
      state: 'applying',
      steps: [{ description: `set lxc.console.buffer.size = 128kB in ${configFile}`, status: 'applying' }],
      created: new Date().toISOString(),
      updated: new Date().toISOString(),
    });
    const leave = async (id: string) => {
      const w = await run(runner, ['sh', '-c', `mkdir -p "${dir}" && cat > "${dir}/${id}.json"`], { input: JSON.stringify(journalFor(id)) });
      expect(w.code).toBe(0);
    };
    // killed between the config's rename and the journal's update
    expect(text()).toBe(original);
    put(`${original}${KEY_LINE}\n`);
    await leave('lxc.config-edit-ldt1');
    const ls = await lxcdeck(runner, ['plan', 'ls', '--json']);
    expect((JSON.parse(ls.stdout) as { id: string }[]).map((j) => j.id)).toContain('lxc.config-edit-ldt1');
    const doctor = JSON.parse((await lxcdeck(runner, ['doctor', '--json'])).stdout) as { checks: { id: string; status: string; fix?: string }[] };
    // other tests may have left journals too: the check lists them all and names the first in its fix
    const plansCheck = doctor.checks.find((c) => c.id === 'plans') as { status: string; detail: string; fix?: string };
    expect(plansCheck.status).toBe('warn');
    expect(plansCheck.detail).toContain('lxc.config-edit-ldt1');
    expect(plansCheck.fix).toMatch(/^lxcdeck plan resume \S+, or lxcdeck plan rollback \S+$/);
    const resumed = await lxcdeck(runner, ['plan', 'resume', 'lxc.config-edit-ldt1']);
    expect(resumed.stderr).toBe('');
    expect(resumed.stdout).toContain('already done');
    expect(text()).toBe(`${original}${KEY_LINE}\n`);
    expect(fs.existsSync(path.join(dir, 'lxc.config-edit-ldt1.json'))).toBe(false);

    await leave('lxc.config-edit-ldt2');
    const back = await lxcdeck(runner, ['plan', 'rollback', 'lxc.config-edit-ldt2']);
    expect(back.stderr).toBe('');
    expect(back.stdout).toContain('undo 1/1');
    expect(text()).toBe(original);
    expect((await probe()).config).toBe('0');
    expect(await ownPlans()).toEqual([]);
    // a plan settled by hand: forget drops the journal and nothing else
    put(`${original}# settled by hand\n`);
    await leave('lxc.config-edit-ldt3');
    const forgot = await lxcdeck(runner, ['plan', 'forget', 'lxc.config-edit-ldt3']);
    expect(forgot.code).toBe(0);
    expect(text()).toBe(`${original}# settled by hand\n`);
    expect(await ownPlans()).toEqual([]);
    put(original);
    const gone = await lxcdeck(runner, ['plan', 'rollback', 'lxc.config-edit-ldt2']);
    expect(gone.stderr.trim()).toBe(`lxcdeck: no interrupted plan "lxc.config-edit-ldt2": see 'lxcdeck plan ls'`);
    expect(gone.code).toBe(3);
  });

  it('kill -9 at each point of the edit: the config is always the old text or the new one, and plan resume/rollback settle it', async () => {
    const home = runner.unprivileged ? `/home/${TEST_USER}` : (process.env.HOME ?? '/root');
    const plans = path.join(process.env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'lxcdeck', 'plans');
    expect((await run(runner, ['mkdir', '-p', plans])).code).toBe(0);
    const before = original;
    const after = `${original}${KEY_LINE}\n`;
    put(before);
    const outcomes = new Set<string>();
    // the journal dir sees a few inotify events per atomic write (begin, applying) and the unlink, the config's
    // dir a few for its own write and rename: killing on the n-th of them all lands before, during and after
    // that rename, and between it and the journal's removal
    for (let n = 1; n <= 24; n += 2) {
      const argv = [...runner.prefix, process.execPath, BIN, 'console-buffer', name];
      const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      let seen = 0;
      const onEvent = () => {
        if (++seen === n) child.kill('SIGKILL');
      };
      const watchers = [fs.watch(plans, onEvent), fs.watch(path.dirname(configFile), onEvent)];
      await exited;
      for (const w of watchers) w.close();
      const now = text();
      expect([before, after]).toContain(now);
      const pending = await ownPlans();
      outcomes.add(`${now === after ? 'new' : 'old'}+${pending.length ? 'journal' : 'none'}`);
      for (const j of pending) {
        const verb = n % 2 ? 'resume' : 'rollback';
        const r = await lxcdeck(runner, ['plan', verb, j.id]);
        expect(r.stderr).toBe('');
        expect(text()).toBe(verb === 'resume' ? after : before);
      }
      expect(await ownPlans()).toEqual([]);
      put(before);
    }
    // the kills landed at different points, some with a journal left to settle
    expect(outcomes).toContain('old+journal');
    expect(outcomes).toContain('new+journal');
    put(original);
  });
});
