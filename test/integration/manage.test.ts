import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroy, hostUnavailable, lxcdeck, lxcInfoState, run, ROOT, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();

describe.skipIf(skip).each([ROOT, USER])('clone, snapshot, rename, destroy as $label', (runner: Runner) => {
  const tag = runner.unprivileged ? 'u' : 'r';
  const orig = uniqueName(`${tag}orig`);
  const copy = uniqueName(`${tag}copy`);
  const over = uniqueName(`${tag}over`);
  const moved = uniqueName(`${tag}moved`);
  const restored = uniqueName(`${tag}rest`);
  const half = uniqueName(`${tag}half`);
  const names = [over, copy, restored, moved, half, orig];
  let lxcpath = '';
  const rootfs = (n: string) => path.join(lxcpath, n, 'rootfs');
  const inside = async (n: string, cmd: string) => (await run(runner, ['lxc-attach', '-n', n, '--', 'sh', '-c', cmd])).stdout.trim();
  const sums = () => Object.fromEntries(names.filter((n) => fs.existsSync(path.join(lxcpath, n, 'config'))).map((n) => [n, createHash('sha256').update(fs.readFileSync(path.join(lxcpath, n, 'config'))).digest('hex')]));
  const listing = () => fs.readdirSync(lxcpath).filter((e) => names.includes(e)).sort();

  beforeAll(async () => {
    await destroy(runner, names);
    const r = await lxcdeck(runner, ['create', orig], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    lxcpath = path.dirname(path.dirname((JSON.parse((await lxcdeck(runner, ['info', orig, '--json'])).stdout) as { configFile: string }).configFile));
  }, 180_000);

  afterAll(async () => {
    for (const n of names) await run(runner, ['lxc-destroy', '-f', '-s', '-n', n]);
    await destroy(runner, names);
  });

  it('a copy and an overlay clone: a write in each clone does not appear in the original', async () => {
    expect((await lxcdeck(runner, ['clone', orig, copy])).code).toBe(0);
    const r = await lxcdeck(runner, ['clone', orig, over, '--snapshot']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(lxcpath, over, 'config'), 'utf8')).toMatch(new RegExp(`lxc.rootfs.path = overlay:${rootfs(orig)}:`));
    // the helper's clone: the console buffer key in the config written once, no marker left
    for (const n of [copy, over]) {
      expect(fs.readFileSync(path.join(lxcpath, n, 'config'), 'utf8').match(/^lxc\.console\.buffer\.size = .*$/gm)).toEqual(['lxc.console.buffer.size = 128kB']);
      expect(fs.readdirSync(path.join(lxcpath, n)).filter((f) => f.startsWith('lxcdeck-'))).toEqual([]);
    }
    for (const n of [copy, over]) {
      expect((await lxcdeck(runner, ['start', n])).code).toBe(0);
      expect(await inside(n, `echo ${n} > /clone-mark && cat /clone-mark`)).toBe(n);
      expect(await lxcInfoState(runner, n)).toBe('RUNNING');
      await run(runner, ['lxc-stop', '-k', '-n', n]);
    }
    expect(fs.existsSync(path.join(rootfs(orig), 'clone-mark'))).toBe(false);
  }, 120_000);

  it('a snapshot clone liblxc refuses (a running original) is one line with its reason, and leaves nothing', async () => {
    expect((await lxcdeck(runner, ['start', copy])).code).toBe(0);
    const before = [listing(), sums()];
    const r = await lxcdeck(runner, ['clone', copy, half, '--snapshot']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`could not snapshot-clone ${copy} as ${half} \\(lxc: error: Original container \\(${copy}\\) is running`));
    expect(fs.existsSync(path.join(lxcpath, half))).toBe(false);
    expect([listing(), sums()]).toEqual(before);
    await run(runner, ['lxc-stop', '-k', '-n', copy]);
  });

  it('guards the overlay original: start and destroy are refused without --force, and nothing changes', async () => {
    const before = [listing(), sums()];
    const start = await lxcdeck(runner, ['start', orig]);
    expect(start.code).not.toBe(0);
    expect(start.stderr.trim().split('\n')).toHaveLength(1);
    expect(start.stderr).toContain(`${orig} has overlay clones (${over})`);
    expect(await lxcInfoState(runner, orig)).toBe('STOPPED');
    const d = await lxcdeck(runner, ['destroy', orig]);
    expect(d.stderr).toMatch(/has overlay clones.*pass --force/);
    expect([listing(), sums()]).toEqual(before);
  });

  it('snapshot; restore over an overlay original is refused, restore --as makes a new container', async () => {
    fs.writeFileSync(path.join(rootfs(orig), 'etc/motd'), 'before\n');
    const s = await lxcdeck(runner, ['snapshot', orig, '--comment', 'known good']);
    expect(s.code, s.stderr).toBe(0);
    const ls = JSON.parse((await lxcdeck(runner, ['snapshot', 'ls', orig, '--json'])).stdout) as { name: string; comment: string }[];
    expect(ls).toEqual([expect.objectContaining({ name: 'snap0', comment: 'known good' })]);
    fs.writeFileSync(path.join(rootfs(orig), 'etc/motd'), 'after\n');
    const r = await lxcdeck(runner, ['snapshot', 'restore', orig, 'snap0']);
    expect(r.stderr).toMatch(/lower layer of its overlay clones.*--as NEW/);
    expect(fs.readFileSync(path.join(rootfs(orig), 'etc/motd'), 'utf8')).toBe('after\n');
    expect((await lxcdeck(runner, ['snapshot', 'restore', orig, 'snap0', '--as', restored])).code).toBe(0);
    expect(fs.readFileSync(path.join(rootfs(restored), 'etc/motd'), 'utf8')).toBe('before\n');
    const bad = await lxcdeck(runner, ['snapshot', 'rm', orig, 'snap9']);
    expect(bad.stderr).toMatch(/has no snapshot "snap9".*snapshot ls/);
  }, 120_000);

  it('rename moves the directory, rewrites the paths (own, snapshot, overlay clone) and the clone still starts', async () => {
    const running = await lxcdeck(runner, ['start', copy]);
    expect(running.code).toBe(0);
    const refused = await lxcdeck(runner, ['rename', copy, moved]);
    expect(refused.stderr).toMatch(/is running: stop it first/);
    await run(runner, ['lxc-stop', '-k', '-n', copy]);
    const r = await lxcdeck(runner, ['rename', orig, moved, '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(lxcpath, orig))).toBe(false);
    expect(fs.readFileSync(path.join(lxcpath, moved, 'config'), 'utf8')).toContain(`lxc.rootfs.path = dir:${rootfs(moved)}`);
    expect(fs.readFileSync(path.join(lxcpath, moved, 'snaps/snap0/config'), 'utf8')).toContain(`${lxcpath}/${moved}/snaps/snap0/rootfs`);
    expect(fs.readFileSync(path.join(lxcpath, over, 'config'), 'utf8')).toContain(`overlay:${rootfs(moved)}:`);
    expect((await lxcdeck(runner, ['snapshot', 'ls', moved])).stdout).toContain('snap0');
    for (const n of [moved, over]) {
      expect((await lxcdeck(runner, ['start', n, '--force'])).code).toBe(0);
      expect(await lxcInfoState(runner, n)).toBe('RUNNING');
      await run(runner, ['lxc-stop', '-k', '-n', n]);
    }
    const ls = await run(runner, ['lxc-ls', '-1']);
    expect(ls.stdout.split('\n')).toContain(moved);
    expect(ls.stdout.split('\n')).not.toContain(orig);
  }, 120_000);

  it('a rename interrupted after the directory move is finished by running it again', async () => {
    // what kill -9 between the two steps leaves: the directory moved, the files still naming the old path
    fs.renameSync(path.join(lxcpath, moved), path.join(lxcpath, half));
    expect(fs.readFileSync(path.join(lxcpath, half, 'config'), 'utf8')).toContain(rootfs(moved));
    const r = await lxcdeck(runner, ['rename', moved, half]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(lxcpath, half, 'config'), 'utf8')).toContain(`dir:${rootfs(half)}`);
    expect(fs.readFileSync(path.join(lxcpath, over, 'config'), 'utf8')).toContain(`overlay:${rootfs(half)}:`);
    expect((await lxcdeck(runner, ['rename', half, moved, '--force'])).code).toBe(0);
    expect(fs.readFileSync(path.join(lxcpath, moved, 'snaps/snap0/config'), 'utf8')).toContain(`${lxcpath}/${moved}/snaps/snap0/rootfs`);
  });

  it('destroy the clone; then restore over the original brings the file back; destroy is refused with snapshots, --with-snapshots removes everything', async () => {
    expect((await lxcdeck(runner, ['destroy', over])).code).toBe(0);
    expect(fs.readFileSync(path.join(rootfs(moved), 'etc/motd'), 'utf8')).toBe('after\n');
    const back = await lxcdeck(runner, ['snapshot', 'restore', moved, 'snap0']);
    expect(back.code, back.stderr).toBe(0);
    expect(fs.readFileSync(path.join(rootfs(moved), 'etc/motd'), 'utf8')).toBe('before\n');
    const refused = await lxcdeck(runner, ['destroy', moved]);
    expect(refused.stderr).toMatch(/has 1 snapshot \(snap0\): pass --with-snapshots/);
    expect(fs.existsSync(path.join(lxcpath, moved))).toBe(true);
    const r = await lxcdeck(runner, ['destroy', moved, '--with-snapshots']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(lxcpath, moved))).toBe(false);
    expect(fs.existsSync(path.join(lxcpath, over))).toBe(false);
  });
});
