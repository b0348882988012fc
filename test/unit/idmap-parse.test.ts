import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIdMapEntry, mergeSpans, parseIdMapLines, readIdMapEntry, uncovered, type IdMapEntry } from '../../src/core/idmap.js';
import { formatSubIdFile, parseSubIdFile, rangesOf } from '../../src/core/subid.js';
import type { HostFs } from '../../src/host/hostfs.js';
import { readIdMapSubject } from '../../src/host/subid.js';

describe('/etc/subuid and /etc/subgid', () => {
  const text = ['# comment', 'alice:100000:65536', '', '1000:300000:10', '  bob:165536:65536  ', 'broken:x:1', 'alice:200000:65536', 'nocount:5', 'zero:1:0', ':1:1', 'big:4294967290:100', '   # indented comment'].join('\n');
  const file = parseSubIdFile(text);

  it('reads several ranges per user, by name and by numeric uid, skipping comments and blank lines', () => {
    expect(rangesOf(file, 'alice', 1000)).toEqual([
      { start: 100000, count: 65536 },
      { start: 300000, count: 10 },
      { start: 200000, count: 65536 },
    ]);
    expect(rangesOf(file, 'bob', 1001)).toEqual([{ start: 165536, count: 65536 }]);
    expect(rangesOf(file, 'carol', 1002)).toEqual([]);
    expect(file.entries.map((e) => e.line)).toEqual([2, 4, 5, 7]);
  });

  it('reports each malformed line with its line number and what is wrong', () => {
    expect(file.problems.map((p) => [p.line, p.message])).toEqual([
      [6, 'the start "x" is not a whole number'],
      [8, 'expected "owner:start:count", found 2 fields'],
      [9, 'the count is 0'],
      [10, 'the owner "" is not a user name or uid'],
      [11, 'the range ends at 4294967389, above the highest id 4294967294'],
    ]);
  });

  it('never throws, and every non-comment line is an entry or a problem', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9:#\s-]{0,30}$/)), { maxLength: 20 }), (lines) => {
        const f = parseSubIdFile(lines.join('\n'));
        const counted = lines.join('\n').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).length;
        expect(f.entries.length + f.problems.length).toBe(counted);
        for (const p of f.problems) expect(p.line).toBeGreaterThan(0);
      }),
    );
  });

  it('round-trips: formatted entries parse back to the same entries', () => {
    const entry = fc.record({ owner: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,15}$/), start: fc.nat(2 ** 31), count: fc.integer({ min: 1, max: 2 ** 30 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (entries) => {
        const back = parseSubIdFile(formatSubIdFile(entries));
        expect(back.problems).toEqual([]);
        expect(back.entries.map(({ owner, start, count }) => ({ owner, start, count }))).toEqual(entries);
      }),
    );
  });
});

describe('lxc.idmap values', () => {
  it('reads entries and reports malformed lines by number', () => {
    const r = parseIdMapLines(['u 0 100000 65536', 'x 0 1 1', 'g 0 100000', '', 'u a b c', 'g  0   100000   65536 ']);
    expect(r.entries.map(formatIdMapEntry)).toEqual(['u 0 100000 65536', 'g 0 100000 65536']);
    expect(r.problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'the kind must be u or g, not "x"'],
      [3, 'expected 4 fields "u|g NSID HOSTID RANGE", found 3'],
      [5, 'NSID "a" is not a whole number'],
    ]);
  });

  it('keeps zero and negative numbers for the validator to name', () => {
    expect(readIdMapEntry('u 0 100000 0')).toEqual({ kind: 'u', nsid: 0, hostid: 100000, range: 0 });
    expect(readIdMapEntry('g -1 100000 -5')).toEqual({ kind: 'g', nsid: -1, hostid: 100000, range: -5 });
  });

  const entry = fc.record({ kind: fc.constantFrom('u' as const, 'g' as const), nsid: fc.integer({ min: -10, max: 2 ** 33 }), hostid: fc.integer({ min: -10, max: 2 ** 33 }), range: fc.integer({ min: -10, max: 2 ** 33 }) });

  it('round-trips any entry through its text', () => {
    fc.assert(
      fc.property(entry, (e: IdMapEntry) => {
        expect(readIdMapEntry(formatIdMapEntry(e))).toEqual(e);
      }),
    );
  });

  it('never throws on any text, and every non-blank line is an entry or a problem', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.stringMatching(/^[ug0-9 -]{0,20}$/)), { maxLength: 20 }), (values) => {
        const r = parseIdMapLines(values);
        expect(r.entries.length + r.problems.length).toBe(values.filter((v) => v.trim()).length);
      }),
    );
  });
});

describe('id spans', () => {
  it('merges adjacent and overlapping spans; finds what a union leaves uncovered', () => {
    expect(mergeSpans([{ start: 10, count: 5 }, { start: 0, count: 10 }, { start: 20, count: 1 }])).toEqual([{ start: 0, count: 15 }, { start: 20, count: 1 }]);
    expect(uncovered({ start: 5, count: 20 }, [{ start: 0, count: 10 }, { start: 12, count: 3 }])).toEqual([{ start: 10, count: 2 }, { start: 15, count: 10 }]);
  });
  it('uncovered + covered parts add up to the span', () => {
    const span = fc.record({ start: fc.nat(1000), count: fc.integer({ min: 1, max: 200 }) });
    fc.assert(
      fc.property(span, fc.array(span, { maxLength: 6 }), (s, rs) => {
        const missing = uncovered(s, rs);
        let inside = 0;
        for (let id = s.start; id < s.start + s.count; id++) if (rs.some((r) => id >= r.start && id < r.start + r.count)) inside++;
        expect(missing.reduce((n, m) => n + m.count, 0)).toBe(s.count - inside);
      }),
    );
  });
});

describe("the user's subordinate ranges as the idmap commands read them", () => {
  const files = (m: Record<string, string>): HostFs => ({ read: (p) => m[p] ?? null, exists: (p) => p in m, isDir: () => false, list: () => [], stat: () => null });
  const alice = { uid: 1000, gid: 1000, user: 'alice', home: '/home/alice', groups: [] };

  it('ranges by name and uid, malformed lines named with their file and number, the end of every range for suggestions', () => {
    const r = readIdMapSubject(files({ '/etc/subuid': 'alice:100000:65536\nbob:165536:65536\nalice:x:1\n', '/etc/subgid': '1000:100000:65536\n' }), alice);
    expect(r.subject).toEqual({ user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 65536 }], subgid: [{ start: 100000, count: 65536 }] });
    expect(r.problems).toEqual([{ file: '/etc/subuid', line: 3, text: 'alice:x:1', message: 'the start "x" is not a whole number' }]);
    expect(r.fileEnds).toEqual({ u: [165536, 231072], g: [165536] });
  });

  it('an unreadable file is a problem for a user, not for root', () => {
    expect(readIdMapSubject(files({}), alice).problems.map((p) => p.message)).toEqual(['cannot read /etc/subuid', 'cannot read /etc/subgid']);
    expect(readIdMapSubject(files({}), { ...alice, uid: 0, gid: 0, user: 'root' }).problems).toEqual([]);
  });
});
