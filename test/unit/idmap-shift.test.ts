import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIdMapLines, type IdKind, type IdMapEntry } from '../../src/core/idmap.js';
import { checkIdMap } from '../../src/core/idmapCheck.js';
import { passThroughMap, standardMap } from '../../src/idmap/allocate.js';
import { describeShift, inverseTranslation, shiftNeeded, shiftTranslation, translateId, walkerNamespace } from '../../src/idmap/shift.js';

const map = (...lines: string[]) => parseIdMapLines(lines).entries;
const STD = map('u 0 100000 65536', 'g 0 100000 65536');
const ISO = map('u 0 165536 65536', 'g 0 165536 65536');

describe('rootfs shift translation', () => {
  it('standard -> isolated moves every id by the slice', () => {
    const t = shiftTranslation(STD, ISO);
    expect(t.segments).toEqual([
      { kind: 'u', from: 100000, to: 165536, count: 65536 },
      { kind: 'g', from: 100000, to: 165536, count: 65536 },
    ]);
    expect(t.unmapped).toEqual([]);
    expect(translateId(t, 'u', 100000)).toBe(165536);
    expect(translateId(t, 'g', 165535)).toBe(231071);
    // ids outside the old map are left as they are
    expect(translateId(t, 'u', 99999)).toBeNull();
    expect(translateId(t, 'u', 165536)).toBeNull();
    expect(translateId(t, 'u', 0)).toBeNull();
    expect(describeShift(t)).toEqual(['uids 100000-165535 -> 165536-231071', 'gids 100000-165535 -> 165536-231071']);
  });

  it('a pass-through: only the passed id moves, to itself; the rest stays', () => {
    const alice = { user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 65536 }], subgid: [{ start: 100000, count: 65536 }] };
    const t = shiftTranslation(STD, passThroughMap(standardMap(alice), { uid: 1000, gid: 1000 }));
    expect(describeShift(t)).toEqual(['uids 101000 -> 1000', 'gids 101000 -> 1000']);
    expect(translateId(t, 'u', 100999)).toBe(100999);
    expect(translateId(t, 'u', 101000)).toBe(1000);
    expect(shiftNeeded(t)).toBe(true);
    expect(shiftNeeded(shiftTranslation(STD, STD))).toBe(false);
  });

  it('container ids the new map drops are reported, not guessed', () => {
    const t = shiftTranslation(STD, map('u 0 165536 1000', 'g 0 165536 65536'));
    expect(t.unmapped).toEqual([{ kind: 'u', hostIds: { start: 101000, count: 64536 }, containerIds: { start: 1000, count: 64536 } }]);
    expect(translateId(t, 'u', 101000)).toBe('unmapped');
    expect(describeShift(t).at(-1)).toBe('uids 101000-165535 (container 1000-65535): not in the new map, files they own cannot be shifted');
  });

  it('the walker namespace maps old and new host ids packed from 0, as lxc-usernsexec -m b:0:OLD:N -m b:N:NEW:N', () => {
    const w = walkerNamespace(shiftTranslation(STD, ISO));
    // old and new slices are adjacent here: one line per kind
    expect(w.map).toEqual(map('u 0 100000 131072', 'g 0 100000 131072'));
    expect(w.segments).toEqual([
      { kind: 'u', from: 0, to: 65536, count: 65536 },
      { kind: 'g', from: 0, to: 65536, count: 65536 },
    ]);
    const far = walkerNamespace(shiftTranslation(map('u 0 300000 10', 'g 0 300000 10'), map('u 0 100000 10', 'g 0 100000 10')));
    expect(far.map).toEqual(map('u 0 100000 10', 'u 10 300000 10', 'g 0 100000 10', 'g 10 300000 10'));
    expect(far.segments[0]).toEqual({ kind: 'u', from: 10, to: 0, count: 10 });
  });
});

// valid maps of one kind: disjoint container ranges and disjoint host ranges, root mapped
const validMap = (kind: IdKind) =>
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 5 })
    .chain((pieces) =>
      fc.shuffledSubarray(pieces.map((_, i) => i), { minLength: pieces.length, maxLength: pieces.length }).map((order) => {
        // container ids consecutive from 0; host blocks laid out in a shuffled order with gaps
        let ns = 0;
        const entries = pieces.map(([range]) => {
          const e = { kind, nsid: ns, hostid: 0, range };
          ns += range;
          return e;
        });
        let host = 1000;
        for (const i of order) {
          const e = entries[i] as IdMapEntry;
          host += (pieces[i] as [number, number, number])[1];
          e.hostid = host;
          host += e.range;
        }
        return entries;
      }),
    );
const validPair = fc.tuple(validMap('u'), validMap('g')).map(([u, g]) => [...u, ...g]);

/** Brute force: host id -> container id -> host id, one id at a time. */
function slowTranslate(oldMap: IdMapEntry[], newMap: IdMapEntry[], kind: IdKind, h: number): number | 'unmapped' | null {
  const o = oldMap.find((e) => e.kind === kind && h >= e.hostid && h < e.hostid + e.range);
  if (!o) return null;
  const n = h - o.hostid + o.nsid;
  const m = newMap.find((e) => e.kind === kind && n >= e.nsid && n < e.nsid + e.range);
  return m ? m.hostid + n - m.nsid : 'unmapped';
}

describe('shift translation properties', () => {
  it('the generated maps are valid (for root, who may map any ids)', () => {
    const root = { user: 'root', uid: 0, gid: 0, subuid: [], subgid: [] };
    fc.assert(
      fc.property(validPair, (m) => {
        expect(checkIdMap(m, root)).toEqual([]);
      }),
    );
  });

  it('agrees with the id-by-id translation for every host id near the maps', () => {
    fc.assert(
      fc.property(validPair, validPair, (a, b) => {
        const t = shiftTranslation(a, b);
        for (const kind of ['u', 'g'] as const) for (let h = 990; h < 1500; h++) expect(translateId(t, kind, h)).toBe(slowTranslate(a, b, kind, h));
      }),
      { numRuns: 150 },
    );
  });

  it('rollback undoes the shift: inverse(translate(h)) = h for every shifted id', () => {
    fc.assert(
      fc.property(validPair, validPair, (a, b) => {
        const t = shiftTranslation(a, b);
        const back = inverseTranslation(a, b);
        for (const s of t.segments) for (let i = 0; i < s.count; i++) expect(translateId(back, s.kind, s.to + i)).toBe(s.from + i);
      }),
    );
  });

  it('the walker namespace maps every old and new host id once, and its segments are the same shift in namespace ids', () => {
    fc.assert(
      fc.property(validPair, validPair, (a, b) => {
        const t = shiftTranslation(a, b);
        const w = walkerNamespace(t);
        const root = { user: 'root', uid: 0, gid: 0, subuid: [], subgid: [] };
        expect(checkIdMap(w.map, root).filter((f) => f.rule !== 'root-unmapped' && f.rule !== 'kind-missing')).toEqual([]);
        const toNs = (k: IdKind, h: number) => {
          const e = w.map.find((x) => x.kind === k && h >= x.hostid && h < x.hostid + x.range);
          expect(e).toBeDefined();
          return (e as IdMapEntry).nsid + h - (e as IdMapEntry).hostid;
        };
        t.segments.forEach((s, i) => {
          const ns = w.segments[i]!;
          for (const d of [0, s.count - 1]) {
            expect(toNs(s.kind, s.from + d)).toBe(ns.from + d);
            expect(toNs(s.kind, s.to + d)).toBe(ns.to + d);
          }
        });
      }),
    );
  });
});
