import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostUnavailable, lxcdeck, run, ROOT, uniqueName } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

/**
 * U: the map editor on a real stopped container, as root in a private
 * lxcpath (root's own /etc/subuid ranges, two 65536 slices, from
 * prepare-host --test-user). Another container holds the first slice, so
 * `isolated` must pick the second; an invalid typed entry shows its error and
 * Enter changes nothing.
 */
const skip = hostUnavailable();
const sum = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function rootRange(file: string): { start: number; count: number } {
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('root:'));
  if (!line) throw new Error(`root has no range in ${file}: run scripts/prepare-host --test-user`);
  const [, start, count] = line.split(':').map(Number);
  if (!start || !count || count < 131072) throw new Error(`root's range in ${file} holds fewer than two 65536 slices: run scripts/prepare-host --test-user`);
  return { start, count };
}

describe.skipIf(skip)('U: the uid/gid map editor', () => {
  let lxcpath = '';
  const edited = uniqueName('ed');
  const other = uniqueName('ot');
  beforeAll(async () => {
    lxcpath = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-idmap-ed-'));
    for (const n of [edited, other]) {
      const r = await run(ROOT, ['lxc-create', '-P', lxcpath, '-t', 'busybox', '-n', n], { timeoutMs: 120_000 });
      if (r.code !== 0) throw new Error(`lxc-create ${n}: ${r.stderr}`);
    }
    // both share root's first slice: the other only in its config (it never starts), the
    // edited one with its files re-owned to it, so a new map must walk the files again
    const sets = [[other, '--preset', 'standard'], [edited, '--preset', 'standard', '--shift', '--reown']];
    for (const args of sets) {
      const set = await lxcdeck(ROOT, ['-P', lxcpath, 'idmap', 'set', ...args]);
      if (set.code !== 0) throw new Error(`idmap set ${args.join(' ')}: ${set.stderr}`);
    }
  }, 240_000);
  afterAll(async () => {
    for (const n of [edited, other]) {
      await run(ROOT, ['lxc-stop', '-k', '-P', lxcpath, '-n', n]);
      await run(ROOT, ['lxc-destroy', '-f', '-P', lxcpath, '-n', n]);
    }
    fs.rmSync(lxcpath, { recursive: true, force: true });
  });

  it('an invalid entry shows its error and Enter changes nothing; isolated picks the free slice, the plan shows and applies it, the bar shows the new slice', async () => {
    const u = rootRange('/etc/subuid');
    const first = `${u.start}-${u.start + 65535}`;
    const second = `${u.start + 65536}-${u.start + 131071}`;
    const config = path.join(lxcpath, edited, 'config');
    const before = sum(config);
    const t = new Tui(ROOT, ['-P', lxcpath], { env: { XDG_CONFIG_HOME: lxcpath } });
    try {
      await t.waitFor(edited);
      await t.filterTo(edited, other);
      t.type('U');
      await t.waitFor(`uid/gid map of ${edited}`);
      // the bar: the slice both map (shared: not isolated) and the free one, named in the legend
      await t.waitFor(new RegExp(`${first}\\s+shared by ${edited}, ${other} \\(not isolated\\)|${first}\\s+shared by ${other}, ${edited} \\(not isolated\\)`));
      await t.waitFor('shares host uids');
      await t.waitFor(new RegExp(`${second}\\s+free`));
      // Entry 1: a host id that is not a number, shown on the keystroke; Enter applies nothing
      t.type('\t\x15u 0 x 65536');
      await t.waitFor('HOSTID "x" is not a whole number');
      t.type(KEY.enter);
      await t.waitFor('a row does not read as an entry');
      expect(sum(config)).toBe(before);
      // a valid shape outside root's range is an error of the validator; still nothing applied
      t.type('\x15u 0 1000 65536\t\x15');
      await t.waitFor('but no g entry');
      t.type(KEY.enter);
      await t.waitFor('the map has errors');
      expect(sum(config)).toBe(before);
      expect(t.text()).not.toContain('Enter applies');
      // the preset: isolated fills the rows with the second slice, drawn as this container's
      t.type('\x1b[Z\x1b[Z');
      t.type('i');
      await t.waitFor(`u 0 ${u.start + 65536} 65536`);
      await t.waitFor(new RegExp(`${second}\\s+${edited} \\(this container\\)`));
      t.type(KEY.enter);
      // the plan flow: the preview, then its steps and progress as they run, then the result
      await t.waitFor('Enter applies, Esc leaves without a change', 60_000);
      expect(t.text()).toMatch(/lxc\.idmap/);
      expect(t.text()).toContain('files: re-owned to the new map by lxcdeck-shift');
      t.type(KEY.enter);
      await t.waitFor(/done — Enter or Esc closes/, 120_000);
      expect(t.text()).toMatch(/✓ 1\. re-own /);
      expect(t.text()).toMatch(/^\W*\d+%/m);
      t.type(KEY.enter);
      await t.waitFor((s) => !s.includes('done — Enter'));
      // opened again: the map is the new one, the bar shows the new slice as this container's
      t.type('U');
      await t.waitFor(`map now: u 0 ${u.start + 65536} 65536; g 0`);
      expect(fs.statSync(path.join(lxcpath, edited, 'rootfs', 'bin')).uid).toBe(u.start + 65536);
      await t.waitFor(new RegExp(`${second}\\s+${edited} \\(this container\\)`));
      await t.waitFor(new RegExp(`${first}\\s+${other}\\b`));
      expect(sum(config)).not.toBe(before);
      expect(fs.readFileSync(config, 'utf8')).toContain(`lxc.idmap = u 0 ${u.start + 65536} 65536`);
    } finally {
      await t.close();
    }
  }, 240_000);
});
