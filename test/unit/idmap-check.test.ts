import { describe, expect, it } from 'vitest';
import { parseIdMapLines, type IdMapEntry } from '../../src/core/idmap.js';
import { checkIdMap, checkIdMapValues, findingLine, hasErrors, type IdMapFinding, type IdMapSubject } from '../../src/core/idmapCheck.js';

const alice: IdMapSubject = { user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 65536 }, { start: 165536, count: 65536 }], subgid: [{ start: 100000, count: 65536 }] };
const root: IdMapSubject = { user: 'root', uid: 0, gid: 0, subuid: [{ start: 100000, count: 65536 }], subgid: [{ start: 100000, count: 65536 }] };

const map = (...lines: string[]): IdMapEntry[] => {
  const r = parseIdMapLines(lines);
  expect(r.problems).toEqual([]);
  return r.entries;
};
const STANDARD = ['u 0 100000 65536', 'g 0 100000 65536'];
const lines = (fs: IdMapFinding[]) => fs.map((f) => `${f.severity} ${f.rule}: ${findingLine(f)}`);
const only = (fs: IdMapFinding[], rule: string) => fs.filter((f) => f.rule === rule);

describe('idmap validation: errors', () => {
  it('accepts the standard map, a map over two adjacent ranges, and the own uid/gid passed through', () => {
    expect(checkIdMap(map(...STANDARD), alice)).toEqual([]);
    expect(checkIdMap(map('u 0 100000 131072', 'g 0 100000 65536'), alice)).toEqual([]);
    expect(checkIdMap(map('u 0 100000 1000', 'u 1000 1000 1', 'u 1001 101001 64535', 'g 0 100000 1000', 'g 1000 1000 1', 'g 1001 101001 64535'), alice)).toEqual([]);
  });

  it('an entry outside the user ranges names the ids, the ranges and both fixes', () => {
    const f = checkIdMap(map('u 0 200000 65536', 'g 0 100000 65536'), alice);
    expect(lines(f)).toEqual([
      "error outside: u 0 200000 65536: host uids 231072-265535 are outside your /etc/subuid ranges (100000-231071): map inside them, e.g. 'u 0 100000 65536', or add the ids: sudo usermod --add-subuids 231072-265535 alice",
    ]);
    expect(f[0]?.entry).toBe('u 0 200000 65536');
  });

  it('a user without ranges is told to add some; a foreign id passed through needs a subuid line', () => {
    const none = { ...alice, subgid: [] };
    expect(only(checkIdMap(map(...STANDARD), none), 'outside').map(findingLine)).toEqual(['g 0 100000 65536: alice has no range in /etc/subgid: sudo usermod --add-subgids 100000-165535 alice']);
    expect(only(checkIdMap(map('u 0 100000 1', 'u 1 1001 1', 'g 0 100000 65536'), alice), 'outside').map(findingLine)[0]).toContain('sudo usermod --add-subuids 1001-1001 alice');
    // the own uid only as a single id (newuidmap's rule)
    expect(only(checkIdMap(map('u 0 100000 1', 'u 1000 1000 2', 'g 0 100000 65536'), alice), 'outside')).toHaveLength(1);
  });

  it('root may map any host id', () => {
    expect(checkIdMap(map('u 0 5000000 65536', 'g 0 0 65536'), root)).toEqual([]);
    expect(checkIdMap([], root)).toEqual([]);
  });

  it('overlapping host ids between entries of one kind', () => {
    const f = only(checkIdMap(map('u 0 100000 65536', 'u 70000 100500 10', 'g 0 100000 65536', 'g 70000 100500 10'), alice), 'host-overlap');
    expect(f.map(findingLine)).toEqual([
      'u 0 100000 65536 and u 70000 100500 10 both map host uids 100500-100509: give each entry host ids of its own',
      'g 0 100000 65536 and g 70000 100500 10 both map host gids 100500-100509: give each entry host ids of its own',
    ]);
  });

  it('overlapping container ids (nsid ranges) of one kind', () => {
    const f = only(checkIdMap(map('u 0 100000 65536', 'u 1000 1000 1', 'g 0 100000 65536'), alice), 'ns-overlap');
    expect(f.map(findingLine)).toEqual(['u 0 100000 65536 and u 1000 1000 1 both map container uids 1000: split the larger entry around 1000 so each container id is mapped once (as a pass-through does)']);
    // u and g never overlap each other
    expect(checkIdMap(map('u 0 100000 10', 'g 0 100000 10'), alice)).toEqual([]);
  });

  it('container root unmapped', () => {
    expect(only(checkIdMap(map('u 1 100000 65535', 'g 0 100000 65536'), alice), 'root-unmapped').map(findingLine)).toEqual(["no u entry maps container uid 0 (root): add one such as 'lxc.idmap = u 0 100000 65536'"]);
  });

  it('u without g and g without u', () => {
    expect(lines(checkIdMap(map('u 0 100000 65536'), alice))).toEqual(["error kind-missing: u entries but no g entry: LXC needs both a uid and a gid map: add one such as 'lxc.idmap = g 0 100000 65536'"]);
    expect(only(checkIdMap(map('g 0 100000 65536'), alice), 'kind-missing').map(findingLine)).toEqual(["g entries but no u entry: LXC needs both a uid and a gid map: add one such as 'lxc.idmap = u 0 100000 65536'"]);
  });

  it('zero and negative counts and negative ids, reported once per entry', () => {
    const f = checkIdMap(map('u 0 100000 0', 'u 1 100001 -5', 'u -1 100000 1', 'g 0 -3 1', ...STANDARD), alice);
    expect(lines(f)).toEqual([
      "error count: u 0 100000 0: the count is 0: use a count of at least 1, e.g. 'u 0 100000 65536'",
      "error count: u 1 100001 -5: the count is -5: use a count of at least 1, e.g. 'u 1 100001 65536'",
      'error id-range: u -1 100000 1: the container uid -1 is negative: use ids from 0',
      'error id-range: g 0 -3 1: the host gid -3 is negative: use ids from 0',
    ]);
  });

  it('ids above 2^32-2 on either side', () => {
    const f = checkIdMap(map('u 0 4294967290 10', 'u 4294967290 100000 10', 'g 0 0 1'), root);
    expect(lines(f)).toEqual([
      'error id-range: u 0 4294967290 10: host uids 4294967290-4294967299 go above 4294967294 (2^32-2): shorten it to a count of at most 5 or start lower',
      'error id-range: u 4294967290 100000 10: container uids 4294967290-4294967299 go above 4294967294 (2^32-2): shorten it to a count of at most 5 or start lower',
      'error root-unmapped: no u entry maps container uid 0 (root): add one such as \'lxc.idmap = u 0 100000 65536\'',
    ]);
    // the highest valid id itself is fine
    expect(checkIdMap(map('u 0 4294967294 1', 'g 0 0 1'), root)).toEqual([]);
  });

  it('more than 340 lines per map', () => {
    const us = Array.from({ length: 341 }, (_, i) => `u ${i} ${100000 + i} 1`);
    const f = checkIdMap(map(...us, 'g 0 100000 65536'), alice);
    expect(lines(f)).toEqual(["error too-many: 341 u entries, more than the kernel's 340 per map: merge adjacent entries into fewer, longer ones"]);
    expect(checkIdMap(map(...us.slice(0, 340), 'g 0 100000 65536'), alice)).toEqual([]);
  });

  it('a container of an unprivileged user with no map at all', () => {
    expect(lines(checkIdMap([], alice))).toEqual(["error no-map: no lxc.idmap: a container of alice needs a uid and a gid map: add 'lxc.idmap = u 0 100000 65536' and 'lxc.idmap = g 0 100000 65536'"]);
  });

  it('unreadable values are errors with their line number; all unreadable is not also "no map"', () => {
    const r = checkIdMapValues(['u 0 100000 65536', 'g 0 x 65536'], alice);
    expect(lines(r.findings)).toEqual([
      'error syntax: lxc.idmap line 2 "g 0 x 65536": HOSTID "x" is not a whole number: write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"',
      "error kind-missing: u entries but no g entry: LXC needs both a uid and a gid map: add one such as 'lxc.idmap = g 0 100000 65536'",
    ]);
    expect(checkIdMapValues(['nonsense'], alice).findings.map((f) => f.rule)).toEqual(['syntax']);
  });

  it('every finding is one line', () => {
    const f = checkIdMap(map('u 0 200000 0', 'u 0 1 5', 'u 2 3 4', 'g 9 9 9'), alice);
    expect(f.length).toBeGreaterThan(3);
    for (const x of f) expect(findingLine(x)).not.toMatch(/\n/);
  });
});

describe('idmap validation: warnings', () => {
  it('a range shared with another container of the user is a warning, not an error', () => {
    const f = checkIdMap(map(...STANDARD), alice, [{ name: 'web', entries: map('u 0 150000 65536', 'g 0 100000 65536') }, { name: 'db', entries: map('u 0 300000 10', 'g 0 300000 10') }]);
    expect(hasErrors(f)).toBe(false);
    expect(lines(f)).toEqual([
      "warning shared: u 0 100000 65536 shares host uids 150000-165535 with container web (not isolated: root in one owns the other's files): give one of them host ids no other container maps (free ids: 'lxcdeck idmap show')",
      "warning shared: g 0 100000 65536 shares host gids 100000-165535 with container web (not isolated: root in one owns the other's files): give one of them host ids no other container maps (free ids: 'lxcdeck idmap show')",
    ]);
  });

  it('a host uid passed through into several containers', () => {
    const pass = ['u 0 100000 1000', 'u 1000 1000 1', 'u 1001 101001 64535', 'g 0 100000 65536'];
    const f = checkIdMap(map(...pass), alice, [{ name: 'dev', entries: map('u 0 165536 1000', 'u 1000 1000 1', 'u 1001 166537 64535', 'g 0 165536 65536') }]);
    expect(lines(f)).toEqual([
      'warning pass-through-shared: u 1000 1000 1 passes host uid 1000 through, and container dev maps it too: pass it through into one container only, unless both should share the files of host uid 1000',
    ]);
  });
});
