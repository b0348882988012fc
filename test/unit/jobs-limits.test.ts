import { describe, expect, it } from 'vitest';
import { errorLine } from './errorLine.js';
import { cpuQuotaUs, parseCpuPercent, parsePidsMax, parseSize } from '../../src/jobs/limits.js';
import { nameStem, validateJobName } from '../../src/jobs/names.js';

const line = errorLine;

describe('parseSize', () => {
  it.each([
    ['4096', 4096],
    ['512K', 512 * 1024],
    ['512k', 512 * 1024],
    ['64M', 64 * 1024 ** 2],
    ['64MiB', 64 * 1024 ** 2],
    ['64MB', 64 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    ['2 GiB', 2 * 1024 ** 3],
    ['1T', 1024 ** 4],
    ['8192B', 8192],
  ])('%s -> %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', '12Q', 'M', '-5M', '1e3', '5 M B', '100', 'iB', '64 iB'])('rejects %j with one line', (text) => {
    const l = line(() => parseSize(text));
    expect(l).toMatch(/^invalid size ".*": use a number of bytes/);
    expect(l).not.toContain('\n');
  });
});

describe('parseCpuPercent', () => {
  it('accepts 1 to cpus*100, with or without %', () => {
    expect(parseCpuPercent('50', 4)).toBe(50);
    expect(parseCpuPercent('50%', 4)).toBe(50);
    expect(parseCpuPercent('12.5', 4)).toBe(12.5);
    expect(parseCpuPercent('400', 4)).toBe(400);
  });
  it.each(['0', '401', 'half', '-5', '', '50%%'])('rejects %j', (t) => {
    expect(line(() => parseCpuPercent(t, 4))).toMatch(/^invalid CPU percentage .*: use 1 to 400 \(100 = one core\)/);
  });
  it('turns a percentage into a cfs quota per 100 ms period, never under the kernel minimum', () => {
    expect(cpuQuotaUs(50)).toBe(50_000);
    expect(cpuQuotaUs(250)).toBe(250_000);
    expect(cpuQuotaUs(0.5)).toBe(1000);
  });
});

describe('parsePidsMax', () => {
  it('accepts whole numbers', () => expect(parsePidsMax('64')).toBe(64));
  it.each(['0', '-1', '1.5', 'max', ''])('rejects %j', (t) => expect(line(() => parsePidsMax(t))).toMatch(/^invalid process limit/));
});

describe('job names', () => {
  it('follows the container name rules and says "job name"', () => {
    expect(validateJobName('build-1.x')).toBe('build-1.x');
    for (const bad of ['', '-x', 'a/b', 'a..b', 'x'.repeat(64), 'a b'])
      expect(line(() => validateJobName(bad))).toMatch(/^invalid job name .*: use 1-63 letters/);
  });
  it('derives a default from the command', () => {
    expect(nameStem('/usr/bin/make')).toBe('make');
    expect(nameStem('./.hidden')).toBe('hidden');
    expect(nameStem('@@')).toBe('job');
    expect(() => validateJobName(nameStem('/x/ä-weird name'))).not.toThrow();
  });
});
