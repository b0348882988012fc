import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStore, parseJobRecord, type JobRecord } from '../../src/jobs/record.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-jobs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const rec = (name: string): JobRecord => ({
  name,
  command: ['make', '-j8'],
  cgroups: [{ hierarchy: 'freezer', version: 1, dir: `/sys/fs/cgroup/freezer/u/lxcdeck.job.${name}` }],
  started: '2026-01-01T00:00:00.000Z',
  pid: 1234,
  state: 'running',
  exitStatus: null,
  killed: false,
  limits: { pidsMax: 10 },
  log: `/tmp/${name}.log`,
});

describe('JobStore', () => {
  it('writes a record another store reads back, with no temp files left', () => {
    const a = new JobStore(path.join(dir, 'jobs'));
    expect(a.create(rec('build'))).toBe(true);
    const b = new JobStore(path.join(dir, 'jobs'));
    expect(b.get('build')).toEqual(rec('build'));
    expect(b.list().map((r) => r.name)).toEqual(['build']);
    expect(fs.readdirSync(path.join(dir, 'jobs'))).toEqual(['build.json']);
  });

  it('create refuses an existing name; put replaces atomically', () => {
    const s = new JobStore(dir);
    expect(s.create(rec('x'))).toBe(true);
    expect(s.create({ ...rec('x'), pid: 99 })).toBe(false);
    expect(s.get('x')?.pid).toBe(1234);
    s.put({ ...rec('x'), state: 'finished', exitStatus: 2 });
    expect(s.get('x')).toMatchObject({ state: 'finished', exitStatus: 2 });
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('remove deletes the record, status and log; require names the fix', () => {
    const s = new JobStore(dir);
    s.create(rec('x'));
    fs.writeFileSync(s.statusFile('x'), '0\n');
    fs.writeFileSync(s.logFile('x'), 'out\n');
    s.remove('x');
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(() => s.require('x')).toThrow(`no job named "x"`);
  });

  it('skips files that are not records', () => {
    const s = new JobStore(dir);
    s.create(rec('ok'));
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"name": "bad"}');
    fs.writeFileSync(path.join(dir, 'junk.json'), 'not json');
    expect(s.list().map((r) => r.name)).toEqual(['ok']);
  });

  it('list of a missing directory is empty', () => {
    expect(new JobStore(path.join(dir, 'none')).list()).toEqual([]);
  });
});

describe('parseJobRecord', () => {
  it('rejects bad names, relative cgroup dirs and bad pids', () => {
    const j = (over: Partial<Record<keyof JobRecord, unknown>>) => JSON.stringify({ ...rec('x'), ...over });
    expect(parseJobRecord(j({}))).toEqual(rec('x'));
    expect(parseJobRecord(j({ name: '../x' }))).toBeNull();
    expect(parseJobRecord(j({ cgroups: [{ hierarchy: 'freezer', version: 1, dir: 'rel' }] }))).toBeNull();
    expect(parseJobRecord(j({ pid: 0 }))).toBeNull();
    expect(parseJobRecord(j({ state: 'weird' }))).toBeNull();
  });
});
