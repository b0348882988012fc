import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostUnavailable, run, ROOT } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();

describe.skipIf(skip)('n: the create wizard', () => {
  let lxcpath = '';
  beforeAll(() => {
    lxcpath = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-wizard-'));
  });
  afterAll(async () => {
    for (const n of ['wiz1']) {
      await run(ROOT, ['lxc-stop', '-k', '-P', lxcpath, '-n', n]);
      await run(ROOT, ['lxc-destroy', '-f', '-P', lxcpath, '-n', n]);
    }
    fs.rmSync(lxcpath, { recursive: true, force: true });
  });

  it('checks the form, shows the plan, creates and starts a busybox container with its memory limit; l changes the limit live', async () => {
    const t = new Tui(ROOT, ['-P', lxcpath], { env: { XDG_CONFIG_HOME: lxcpath } });
    try {
      await t.waitFor('No containers in');
      t.type('n');
      await t.waitFor('new container');
      // a bad name is refused by the form itself
      t.type('bad/name');
      t.type(KEY.enter);
      await t.waitFor('invalid container name');
      for (let i = 0; i < 8; i++) t.type('\x7f');
      t.type('wiz1\t\t256M');
      t.type(KEY.enter);
      await t.waitFor(/Create wiz1 from the busybox template/);
      await t.waitFor(/lxc\.cgroup2?\.memory\.(limit_in_bytes|max) = 268435456/);
      t.type(KEY.enter);
      // while it runs: the step, steps done of all, and the elapsed time
      await t.waitFor(/applying Create wiz1 from the busybox template: step [123]\/3, [0-2]\/3 done, \d+ s/, 30_000);
      await t.waitFor(/done — Enter or Esc closes \(took \d+ s\)/, 60_000);
      t.type(KEY.escape);
      await t.waitFor(/wiz1\s+● RUNNING/, 30_000);
      expect((await run(ROOT, ['lxc-info', '-sH', '-P', lxcpath, '-n', 'wiz1'])).stdout.trim()).toBe('RUNNING');
      const mem = fs.existsSync('/sys/fs/cgroup/memory') ? 'memory.limit_in_bytes' : 'memory.max';
      expect((await run(ROOT, ['lxc-cgroup', '-P', lxcpath, '-n', 'wiz1', mem])).stdout.trim()).toBe('268435456');
      // l: the limits form sets a new memory limit live and keeps it
      t.type('l');
      await t.waitFor('limits of wiz1');
      t.type(`128M${KEY.enter}`);
      await t.waitFor(/set memory\.(limit_in_bytes|max) = 134217728 on the running wiz1/);
      t.type(KEY.enter);
      await t.waitFor(/done — Enter or Esc closes/, 30_000);
      t.type(KEY.escape);
      expect((await run(ROOT, ['lxc-cgroup', '-P', lxcpath, '-n', 'wiz1', mem])).stdout.trim()).toBe('134217728');
      expect(fs.readFileSync(path.join(lxcpath, 'wiz1', 'config'), 'utf8')).toMatch(/memory\.(limit_in_bytes|max) = 134217728\n/);
    } finally {
      t.type('q');
      await Promise.race([t.exited, new Promise((r) => setTimeout(r, 3000))]);
      t.kill('SIGKILL');
    }
  }, 120_000);

  it('offers a directory in place: the plan names it as the rootfs with the warning, Esc makes nothing', async () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-inplace-'));
    const t = new Tui(ROOT, ['-P', lxcpath], { env: { XDG_CONFIG_HOME: lxcpath } });
    try {
      t.type('n');
      await t.waitFor('new container');
      t.type('wiz2\t');
      for (let i = 0; i < 'busybox'.length; i++) t.type('\x7f');
      // From, then past Memory max and Start it to Dir in place: yes
      t.type(`dir:${src}\t\t\t`);
      t.type(KEY.right);
      t.type(KEY.enter);
      await t.waitFor(/Create wiz2 from the directory .* \(in place\)/);
      await t.waitFor(/warning: .* is used in place, not copied/);
      t.type(KEY.escape);
      // back on the list (wiz1 from the test before), nothing made
      await t.waitFor(/wiz1\s+● RUNNING/);
      expect(fs.existsSync(path.join(lxcpath, 'wiz2'))).toBe(false);
    } finally {
      t.type('q');
      await Promise.race([t.exited, new Promise((r) => setTimeout(r, 3000))]);
      t.kill('SIGKILL');
      fs.rmSync(src, { recursive: true, force: true });
    }
  }, 60_000);
});
