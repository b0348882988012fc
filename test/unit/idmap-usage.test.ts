import { describe, expect, it } from 'vitest';
import type { IdMapSubject } from '../../src/core/idmapCheck.js';
import { idmapUsage } from '../../src/idmap/usage.js';

const alice: IdMapSubject = { user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 131072 }], subgid: [{ start: 100000, count: 131072 }] };
const c = (name: string, values: string[]) => ({ name, state: 'STOPPED' as const, values, rootfs: '' });

describe('who uses what', () => {
  const u = idmapUsage(alice, [
    c('a', ['u 0 100000 65536', 'g 0 100000 65536']),
    c('b', ['u 0 100000 1000', 'u 1000 1000 1', 'u 1001 101001 64535', 'g 0 100000 65536']),
    c('iso', ['u 0 165536 65536', 'g 0 165536 65536']),
    c('bad', ['u 0 900000 10', 'oops']),
    c('priv', []),
  ]);
  const row = (n: string) => u.containers.find((x) => x.name === n)!;

  it('counts used and free ids of the ranges (ids outside them do not count)', () => {
    expect(u.subuid).toEqual({ ranges: ['100000-231071'], total: 131072, used: 131072, free: 0 });
  });

  it('marks sharing per entry with the exact common ids, and isolation per container', () => {
    expect(row('a').uses.map((x) => [x.entry, x.sharedWith])).toEqual([
      ['u 0 100000 65536', [{ name: 'b', ids: '100000-100999, 101001-165535' }]],
      ['g 0 100000 65536', [{ name: 'b', ids: '100000-165535' }]],
    ]);
    expect(row('a').isolated).toBe(false);
    expect(row('iso')).toMatchObject({ isolated: true, valid: true, findings: [] });
    expect(row('b').uses.find((x) => x.entry === 'u 1000 1000 1')).toMatchObject({ hostIds: '1000', inside: true, sharedWith: [] });
  });

  it('an invalid map is flagged with its findings; no map is not isolated', () => {
    expect(row('bad').valid).toBe(false);
    expect(row('bad').findings.map((f) => f.rule)).toEqual(['syntax', 'outside', 'kind-missing']);
    expect(row('bad').uses[0]?.inside).toBe(false);
    expect(row('priv')).toMatchObject({ isolated: false, valid: false });
  });
});
