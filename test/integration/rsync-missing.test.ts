import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, destroy, hostUnavailable, lxcdeck, run, ROOT, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();

// liblxc copies a directory-backed rootfs with rsync (found missing in ../shared/v2vm, a minimal install):
// without it a copy clone or a snapshot was a bare "exit 7"; now one line names rsync, and nothing is made
describe.skipIf(skip).each([ROOT, USER])('a copy without rsync as $label', (runner: Runner) => {
  const tag = runner.unprivileged ? 'u' : 'r';
  const orig = uniqueName(`${tag}nrs`);
  const copy = uniqueName(`${tag}nrsc`);
  let lxcpath = '';
  // every tool but rsync: node and the lxc tools by their absolute paths, PATH without rsync
  const noRsync = (args: string[]) => run(runner, ['env', 'PATH=/nonexistent', process.execPath, BIN, ...args]);

  beforeAll(async () => {
    await destroy(runner, [copy, orig]);
    expect((await lxcdeck(runner, ['create', orig], { timeoutMs: 120_000 })).code).toBe(0);
    lxcpath = (await run(runner, ['lxc-config', 'lxc.lxcpath'])).stdout.trim();
  }, 180_000);
  afterAll(() => destroy(runner, [copy, orig]));

  it('a copy clone is refused in one line naming rsync, and makes nothing', async () => {
    const r = await noRsync(['clone', orig, copy]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/a copy of \S+ copies the rootfs with rsync, which is not installed: install it \(apt-get install rsync\)/);
    expect(fs.existsSync(path.join(lxcpath, copy))).toBe(false);
    // with rsync on PATH the same command works (the refusal was about rsync, nothing else)
    const ok = await lxcdeck(runner, ['clone', orig, copy], { timeoutMs: 120_000 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.existsSync(path.join(lxcpath, copy, 'config'))).toBe(true);
  }, 180_000);

  it('a snapshot of a directory-backed container is refused the same way, and takes none', async () => {
    const r = await noRsync(['snapshot', orig]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/a snapshot of \S+ copies the rootfs with rsync, which is not installed/);
    expect(fs.existsSync(path.join(lxcpath, orig, 'snaps'))).toBe(false);
  }, 60_000);
});
