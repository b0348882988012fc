import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';
import { formatIdMapEntry, hostSpan, intersect, isMappedInside, type IdKind, type IdMapEntry, type SubIdRange } from '../../src/core/idmap.js';
import { checkIdMap, hasErrors, type IdMapSubject, type OtherMap } from '../../src/core/idmapCheck.js';
import { freeSlice, isolatedMap, parsePassThrough, passThrough, passThroughMap, standardMap } from '../../src/idmap/allocate.js';

const alice: IdMapSubject = { user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 65536 * 3 }], subgid: [{ start: 100000, count: 65536 * 3 }] };
const std = (start: number): IdMapEntry[] => [{ kind: 'u', nsid: 0, hostid: start, range: 65536 }, { kind: 'g', nsid: 0, hostid: start, range: 65536 }];
const texts = (m: IdMapEntry[]) => m.map(formatIdMapEntry);
const errorLine = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof LxcdeckError) return e.line;
    throw e;
  }
  throw new Error('expected an LxcdeckError');
};

describe('presets', () => {
  it('standard maps 0.. to the first 65536 of the lowest range', () => {
    expect(texts(standardMap(alice))).toEqual(['u 0 100000 65536', 'g 0 100000 65536']);
    expect(errorLine(() => standardMap({ ...alice, subgid: [{ start: 100000, count: 1000 }] }))).toBe(
      'cannot map 65536 gids: the lowest gid range of alice (100000-100999) has only 1000 ids: sudo usermod --add-subgids 101000-166535 alice',
    );
  });

  it('isolated takes the next slice no other container uses, skipping holes too small', () => {
    expect(texts(isolatedMap(alice, []))).toEqual(['u 0 100000 65536', 'g 0 100000 65536']);
    expect(texts(isolatedMap(alice, [{ name: 'a', entries: std(100000) }]))).toEqual(['u 0 165536 65536', 'g 0 165536 65536']);
    // a's slice starts 10 ids in: the 10-id hole below it is too small
    expect(texts(isolatedMap(alice, [{ name: 'a', entries: std(100010) }]))).toEqual(['u 0 165546 65536', 'g 0 165546 65536']);
  });

  it('isolated, ranges full: one line saying how many ids to add and where (clear of every range in the file)', () => {
    const full: OtherMap[] = [0, 1, 2].map((i) => ({ name: `c${i}`, entries: std(100000 + i * 65536) }));
    expect(errorLine(() => isolatedMap(alice, full, { fileEnds: { u: [400000], g: [] } }))).toBe(
      'no isolated uid range free: your /etc/subuid ranges (100000-296607) have no 65536 uids left that no other container uses: add 65536 ids to /etc/subuid: sudo usermod --add-subuids 400000-465535 alice',
    );
    expect(errorLine(() => isolatedMap({ ...alice, subuid: [] }, []))).toMatch(/^no isolated uid range free: alice has no range in \/etc\/subuid: add 65536 ids to \/etc\/subuid: sudo usermod --add-subuids 100000-165535 alice$/);
  });

  it('passes the user\'s own uid through: the classic split map, which validates', () => {
    const m = passThroughMap(standardMap(alice), parsePassThrough('1000'));
    expect(texts(m)).toEqual(['u 0 100000 1000', 'u 1000 1000 1', 'u 1001 101001 64535', 'g 0 100000 1000', 'g 1000 1000 1', 'g 1001 101001 64535']);
    expect(checkIdMap(m, alice)).toEqual([]);
    // ends of the range: no empty pieces
    expect(texts(passThrough(std(100000), 'u', 0)).slice(0, 2)).toEqual(['u 0 0 1', 'u 1 100001 65535']);
    expect(texts(passThrough(std(100000), 'u', 65535)).slice(0, 2)).toEqual(['u 0 100000 65535', 'u 65535 65535 1']);
    // outside every entry: added as its own
    expect(texts(passThrough(std(100000), 'g', 70000))).toEqual(['u 0 100000 65536', 'g 0 100000 65536', 'g 70000 70000 1']);
    // twice is the same as once
    expect(passThrough(passThrough(std(100000), 'u', 7), 'u', 7)).toEqual(passThrough(std(100000), 'u', 7));
  });

  it('a passed-through id newuidmap does not allow is named with the subuid line that allows it', () => {
    const f = checkIdMap(passThroughMap(standardMap(alice), parsePassThrough('1001:1000')), alice);
    expect(f.map((x) => x.rule)).toEqual(['outside']);
    expect(f[0]?.fix).toContain('sudo usermod --add-subuids 1001-1001 alice');
  });

  it('parses UID[:GID] and rejects anything else', () => {
    expect(parsePassThrough('1000')).toEqual({ uid: 1000, gid: 1000 });
    expect(parsePassThrough('1000:27')).toEqual({ uid: 1000, gid: 27 });
    for (const bad of ['', 'x', '1000:', '-1', '1:2:3', '4294967295']) expect(errorLine(() => parsePassThrough(bad))).toMatch(/^invalid pass-through .*: write it as UID or UID:GID/);
  });
});

// small slices make exhaustive cross-checks cheap
const SIZE = 16;
const span = fc.record({ start: fc.integer({ min: 1000, max: 1400 }), count: fc.integer({ min: 1, max: 60 }) });
const subjectArb = fc.tuple(fc.array(span, { minLength: 1, maxLength: 4 }), fc.array(span, { minLength: 1, maxLength: 4 })).map(([subuid, subgid]): IdMapSubject => ({ user: 'alice', uid: 10, gid: 10, subuid, subgid }));
const otherArb = fc.array(fc.record({ kind: fc.constantFrom<IdKind>('u', 'g'), nsid: fc.nat(100), hostid: fc.integer({ min: 950, max: 1500 }), range: fc.integer({ min: 1, max: 40 }) }), { maxLength: 4 });
const othersArb = fc.array(otherArb, { maxLength: 5 }).map((ms) => ms.map((entries, i): OtherMap => ({ name: `c${i}`, entries })));

const inRanges = (id: number, rs: readonly SubIdRange[]) => rs.some((r) => id >= r.start && id < r.start + r.count);

describe('allocation properties', () => {
  it('an isolated map validates, lies inside the ranges and overlaps no other container; when refused, no free slice exists', () => {
    fc.assert(
      fc.property(subjectArb, othersArb, (s, others) => {
        let map: IdMapEntry[] | null = null;
        try {
          map = isolatedMap(s, others, { size: SIZE });
        } catch (e) {
          expect(e).toBeInstanceOf(LxcdeckError);
        }
        if (map) {
          const f = checkIdMap(map, s, others);
          expect(hasErrors(f)).toBe(false);
          expect(f).toEqual([]);
          for (const e of map) {
            expect(isMappedInside(e, e.kind === 'u' ? s.subuid : s.subgid)).toBe(true);
            for (const o of others) for (const x of o.entries) if (x.kind === e.kind) expect(intersect(hostSpan(e), hostSpan(x))).toBeNull();
          }
          return;
        }
        // brute force: some kind has no SIZE consecutive ids that are in its ranges and unused
        const noRoom = (['u', 'g'] as const).some((k) => {
          const rs = k === 'u' ? s.subuid : s.subgid;
          const used = others.flatMap((o) => o.entries.filter((e) => e.kind === k));
          let run = 0;
          for (let id = 900; id < 1600; id++) {
            run = inRanges(id, rs) && !used.some((e) => id >= e.hostid && id < e.hostid + e.range) ? run + 1 : 0;
            if (run >= SIZE) return false;
          }
          return true;
        });
        expect(noRoom).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('allocating one container after another never gives two of them overlapping ids', () => {
    fc.assert(
      fc.property(subjectArb, fc.integer({ min: 1, max: 8 }), (s, n) => {
        const made: OtherMap[] = [];
        for (let i = 0; i < n; i++) {
          try {
            made.push({ name: `n${i}`, entries: isolatedMap(s, made, { size: SIZE }) });
          } catch {
            break;
          }
        }
        const all = made.flatMap((m) => m.entries.map((e) => ({ m: m.name, e })));
        for (const a of all) for (const b of all) if (a.m !== b.m && a.e.kind === b.e.kind) expect(intersect(hostSpan(a.e), hostSpan(b.e))).toBeNull();
      }),
    );
  });

  it('free slices lie inside the ranges and outside the used spans', () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 4 }), fc.array(span, { maxLength: 4 }), fc.integer({ min: 1, max: 30 }), (rs, used, size) => {
        const s = freeSlice(rs, used, size);
        if (!s) return;
        expect(s.count).toBe(size);
        for (let id = s.start; id < s.start + size; id++) {
          expect(inRanges(id, rs)).toBe(true);
          expect(inRanges(id, used)).toBe(false);
        }
      }),
    );
  });

  it('a pass-through keeps the same container ids, and the host ids minus the displaced one plus the passed one', () => {
    const idsOf = (m: IdMapEntry[], k: IdKind, side: 'nsid' | 'hostid') => m.filter((e) => e.kind === k).flatMap((e) => Array.from({ length: e.range }, (_, i) => e[side] + i)).sort((a, b) => a - b);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 220 }), fc.integer({ min: 0, max: 50 }), (range, id, nsid) => {
        const before: IdMapEntry[] = [{ kind: 'u', nsid, hostid: 10000, range }, { kind: 'g', nsid: 0, hostid: 10000, range: 5 }];
        const after = passThrough(before, 'u', id);
        const covered = id >= nsid && id < nsid + range;
        const nsBefore = idsOf(before, 'u', 'nsid');
        expect(idsOf(after, 'u', 'nsid')).toEqual(covered ? nsBefore : [...nsBefore, id].sort((a, b) => a - b));
        const displaced = 10000 + id - nsid;
        const hostBefore = idsOf(before, 'u', 'hostid');
        expect(idsOf(after, 'u', 'hostid')).toEqual([...(covered ? hostBefore.filter((h) => h !== displaced) : hostBefore), id].sort((a, b) => a - b));
        expect(after.filter((e) => e.kind === 'g')).toEqual(before.filter((e) => e.kind === 'g'));
        // the container id now reaches the host id itself
        expect(after.some((e) => e.kind === 'u' && e.nsid <= id && id < e.nsid + e.range && e.hostid + id - e.nsid === id)).toBe(true);
      }),
    );
  });

  it('passing the own uid/gid through a valid standard map keeps it valid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 99999 }), (uid, gid) => {
        const s: IdMapSubject = { ...alice, uid, gid };
        expect(checkIdMap(passThroughMap(standardMap(s), { uid, gid }), s)).toEqual([]);
      }),
    );
  });
});
