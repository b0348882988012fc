import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileAtomic, purgeStaleTemps, writeFileAtomic } from '../../src/host/atomicWrite.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-atomic-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces a file keeping its mode, and leaves no temp file', () => {
    const f = path.join(dir, 'config');
    fs.writeFileSync(f, 'old\n');
    fs.chmodSync(f, 0o640);
    const inode = fs.statSync(f).ino;
    writeFileAtomic(f, 'new\n', { mode: 0o600 });
    expect(fs.readFileSync(f, 'utf8')).toBe('new\n');
    expect(fs.statSync(f).mode & 0o7777).toBe(0o640);
    // a new inode: readers holding the old file see the old text whole
    expect(fs.statSync(f).ino).not.toBe(inode);
    expect(fs.readdirSync(dir)).toEqual(['config']);
  });

  it('creates a new file with the given mode despite the umask, making the directory when asked', () => {
    const f = path.join(dir, 'a', 'b', 'rec.json');
    const old = process.umask(0o077);
    try {
      writeFileAtomic(f, '{}', { mode: 0o644, mkdirMode: 0o700 });
    } finally {
      process.umask(old);
    }
    expect(fs.statSync(f).mode & 0o777).toBe(0o644);
    expect(fs.statSync(path.dirname(f)).mode & 0o777).toBe(0o700);
  });

  it('writes through a symlink to its target; the link stays a link', () => {
    const target = path.join(dir, 'real.conf');
    const link = path.join(dir, 'link.conf');
    fs.writeFileSync(target, 'x');
    fs.symlinkSync(target, link);
    expect(writeFileAtomic(link, 'y')).toBe(target);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('y');
  });

  it('fails without leaving anything when the directory is missing', () => {
    expect(() => writeFileAtomic(path.join(dir, 'missing', 'f'), 'x')).toThrow(/ENOENT/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('temp files a killed writer left', () => {
  it('are removed by the next write of the same file; a live writer\'s and other files stay', () => {
    const f = path.join(dir, 'config');
    fs.writeFileSync(f, 'old');
    const stale = path.join(dir, '.config.4194300.0badcafe.tmp');
    const live = path.join(dir, `.config.${process.pid}.00c0ffee.tmp`);
    const other = path.join(dir, '.other.4194300.0badcafe.tmp');
    for (const x of [stale, live, other]) fs.writeFileSync(x, 'half');
    writeFileAtomic(f, 'new');
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);
    // without a target name: every dead writer's temp in the directory
    purgeStaleTemps(dir);
    expect(fs.existsSync(other)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
  });
});

describe('createFileAtomic', () => {
  it('creates once; a second create returns false and leaves the first text', () => {
    const f = path.join(dir, 'job.json');
    expect(createFileAtomic(f, 'first')).toBe(true);
    expect(createFileAtomic(f, 'second')).toBe(false);
    expect(fs.readFileSync(f, 'utf8')).toBe('first');
    expect(fs.readdirSync(dir)).toEqual(['job.json']);
  });
});
