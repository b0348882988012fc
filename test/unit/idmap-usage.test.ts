import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeSpans, parseIdMapLines } from '../../src/core/idmap.js';
import type { IdMapSubject } from '../../src/core/idmapCheck.js';
import { idmapUsage, spaceSlices } from '../../src/idmap/usage.js';

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

  it('a container whose config liblxc cannot load is one error, and the others are still judged', () => {
    const v = idmapUsage(alice, [{ ...c('broken', []), loadError: 'liblxc cannot load the config of broken' }, c('ok', ['u 0 100000 65536', 'g 0 100000 65536'])]);
    expect(v.containers.map((x) => [x.name, x.valid, x.findings.map((f) => f.rule)])).toEqual([
      ['broken', false, ['unloadable']],
      ['ok', true, []],
    ]);
  });

  it('an invalid map is flagged with its findings; no map is not isolated', () => {
    expect(row('bad').valid).toBe(false);
    expect(row('bad').findings.map((f) => f.rule)).toEqual(['syntax', 'outside', 'kind-missing']);
    expect(row('bad').uses[0]?.inside).toBe(false);
    expect(row('priv')).toMatchObject({ isolated: false, valid: false });
  });
});

describe('the id space in slices', () => {
  const entries = (values: string[]) => parseIdMapLines(values).entries;
  it('cuts the ranges at every entry edge, joins neighbours with the same owners, and shows the free rest', () => {
    const maps = [
      { name: 'a', entries: entries(['u 0 100000 65536', 'g 0 100000 65536']) },
      { name: 'b', entries: entries(['u 0 100000 1000', 'u 1000 1000 1', 'u 1001 101001 64535', 'g 0 100000 65536']) },
      { name: 'c', entries: entries(['u 0 170000 1000', 'u 1000 171000 1000', 'g 0 170000 2000']) },
    ];
    expect(spaceSlices(alice, maps, 'u').map((s) => [s.ids, s.containers])).toEqual([
      ['100000-100999', ['a', 'b']],
      ['101000', ['a']],
      ['101001-165535', ['a', 'b']],
      ['165536-169999', []],
      ['170000-171999', ['c']],
      ['172000-231071', []],
    ]);
    expect(spaceSlices({ ...alice, subuid: [] }, maps, 'u')).toEqual([]);
  });

  it('slices always add up to the ranges, in order, without gaps', () => {
    const span = fc.record({ start: fc.integer({ min: 0, max: 500 }), count: fc.integer({ min: 1, max: 100 }) });
    const entry = fc.record({ kind: fc.constant('u' as const), nsid: fc.constant(0), hostid: fc.integer({ min: 0, max: 600 }), range: fc.integer({ min: 1, max: 100 }) });
    fc.assert(
      fc.property(fc.array(span, { maxLength: 4 }), fc.array(fc.array(entry, { maxLength: 3 }), { maxLength: 4 }), (subuid, ms) => {
        const maps = ms.map((entries, i) => ({ name: `m${i}`, entries }));
        const slices = spaceSlices({ ...alice, subuid }, maps, 'u');
        expect(slices.reduce((n, s) => n + s.count, 0)).toBe(mergeSpans(subuid).reduce((n, s) => n + s.count, 0));
        for (const s of slices) for (const id of [s.start, s.start + s.count - 1]) expect(s.containers).toEqual(maps.filter((m) => m.entries.some((e) => id >= e.hostid && id < e.hostid + e.range)).map((m) => m.name));
      }),
    );
  });
});
