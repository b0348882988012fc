import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostUnavailable, REPO } from './host.js';

/**
 * The cross-check against a peer: on identical copies of one test tree
 * (busybox with hard links, a copy of host files, setuid/setgid files,
 * access and default ACLs, v2 and v3 capabilities, ids outside the range),
 * native/lxcdeck-shift and LXD's fuidshift (Debian package lxd-tools) with
 * the same ranges leave every inode's owner, mode, ACLs and capability
 * identical (scripts/tree-meta). Two shifts: a privileged tree into a range,
 * then that range into another — where fuidshift drops every file
 * capability (its v3 rootid is not moved) and lxcdeck moves the rootid.
 */
const skip = hostUnavailable();
const SHIFT = path.join(REPO, 'native', 'build', 'lxcdeck-shift');
const META = path.join(REPO, 'scripts', 'tree-meta');
// every long step runs as a child process, awaited: a blocked worker misses vitest's RPC deadline on a loaded machine
const exec = promisify(execFile);
const meta = async (dir: string) => (await exec(META, [dir], { encoding: 'utf8', maxBuffer: 1 << 28 })).stdout;
const BASE = `/var/tmp/lxcdeck-test-fuidshift-${process.pid}`;

describe.skipIf(skip)('lxcdeck-shift against fuidshift', () => {
  const [src, mine, theirs] = ['src', 'lxcdeck', 'fuidshift'].map((d) => path.join(BASE, d)) as [string, string, string];
  beforeAll(async () => {
    if (!fs.existsSync('/usr/bin/fuidshift')) throw new Error('fuidshift is missing: run scripts/prepare-host (it installs lxd-tools)');
    fs.rmSync(BASE, { recursive: true, force: true });
    fs.mkdirSync(BASE, { recursive: true });
    // the benchmark's tree (bench/idmap.ts), smaller
    const build = `import(${JSON.stringify(path.join(REPO, 'dist/bench/idmap.js'))}).then((m) => m.buildSource(${JSON.stringify(src)}, 3000))`;
    await exec(process.execPath, ['-e', build]);
    for (const d of [mine, theirs]) await exec('cp', ['-a', src, d]);
  }, 300_000);
  afterAll(() => fs.rmSync(BASE, { recursive: true, force: true }));

  const shiftBoth = async (range: string) => {
    await exec(SHIFT, [mine, range], { maxBuffer: 1 << 26 });
    await exec('fuidshift', [theirs, range], { maxBuffer: 1 << 26 });
  };
  const line = (m: string, rel: string) => m.split('\n').find((l) => l.startsWith(`${rel} `)) ?? '';

  it('privileged tree into 100000-165535: identical owners, modes, ACLs, capabilities, and really shifted', async () => {
    const before = await meta(src);
    await shiftBoth('b:0:100000:65536');
    const [a, b] = [await meta(mine), await meta(theirs)];
    expect(a.split('\n').length).toBeGreaterThan(2000);
    expect(a).toBe(b);
    expect(a).not.toBe(before);
    // setuid busybox kept its bit at the new owner; a v3 capability got the new rootid; an id outside the range stayed
    expect(line(a, 'bin/busybox')).toMatch(/^bin\/busybox 100000 100000 0o104755 /);
    expect(a).toMatch(/ 0100000300200000000000000000000000000000a0860100$/m);
    expect(a).toMatch(/ 70000 70000 /);
  }, 120_000);

  it('then 100000-165535 into 300000-365535: owners, modes and ACLs identical; capabilities kept with the new rootid, which fuidshift drops', async () => {
    const first = await meta(mine);
    await shiftBoth('b:100000:300000:65536');
    const [a, b] = [await meta(mine), await meta(theirs)];
    // the last column is security.capability
    const withoutCaps = (m: string) => m.split('\n').map((l) => l.split(' ').slice(0, -1).join(' ')).join('\n');
    expect(withoutCaps(a)).toBe(withoutCaps(b));
    expect(line(a, 'bin/busybox')).toMatch(/^bin\/busybox 300000 300000 0o104755 /);
    expect(a).not.toMatch(/ 1000\d\d 1000\d\d /);
    // lxcdeck: every capability of the first shift, its v3 rootid 100000 (a0860100) now 300000 (e0930400)
    const caps = (m: string) => m.split('\n').filter((l) => l && !l.endsWith(' -')).map((l) => `${l.split(' ')[0]} ${l.split(' ').at(-1)}`);
    expect(caps(first).length).toBeGreaterThan(10);
    expect(caps(a)).toEqual(caps(first).map((c) => c.replace(/a0860100$/, 'e0930400')));
    // fuidshift 5.0 (lxd-tools) loses them on a range-to-range shift: the one place the two differ
    expect(caps(b)).toEqual([]);
  }, 120_000);
});
