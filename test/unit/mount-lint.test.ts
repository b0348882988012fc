import { describe, expect, it } from 'vitest';
import { lintMounts } from '../../src/core/mountLint.js';

describe('mount lint', () => {
  const facts = { kind: (p: string) => (p === '/srv/data' ? ('dir' as const) : p === '/etc/hosts' ? ('file' as const) : null) };
  it('names missing sources, single-file binds, relative sources and targets leaving the rootfs', () => {
    const out = lintMounts(
      [
        [1, '/srv/data srv/data none bind 0 0'],
        [2, '/nope mnt none bind 0 0'],
        [3, '/nope mnt none bind,optional 0 0'],
        [4, '/etc/hosts etc/hosts none bind 0 0'],
        [5, 'data mnt none bind 0 0'],
        [6, '/srv/data ../../etc none bind 0 0'],
        [7, 'proc proc proc defaults 0 0'],
      ],
      facts,
    );
    expect(out.map((f) => f.line)).toEqual([2, 4, 5, 6]);
    expect(out[1]?.text).toMatch(/single-file bind mount/);
    expect(out[3]?.text).toMatch(/leaves the rootfs/);
  });
});
