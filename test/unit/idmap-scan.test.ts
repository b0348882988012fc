import { describe, expect, it } from 'vitest';
import { formatIdMapEntry, parseIdMapLines } from '../../src/core/idmap.js';
import type { IdMapSubject } from '../../src/core/idmapCheck.js';
import { ScanCounter, scanNamespace } from '../../src/idmap/scan.js';
import { shiftTranslation } from '../../src/idmap/shift.js';

const map = (...l: string[]) => parseIdMapLines(l).entries;
const alice: IdMapSubject = { user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 131072 }], subgid: [{ start: 100000, count: 131072 }] };
const STD = map('u 0 100000 65536', 'g 0 100000 65536');
const ISO = map('u 0 165536 65536', 'g 0 165536 65536');

describe('rootfs listing for the shift preview', () => {
  it('runs as ns root = the own id, with the old map identity-mapped (the own id once when passed through)', () => {
    expect(scanNamespace(STD, alice).map.map(formatIdMapEntry)).toEqual(['u 0 1000 1', 'u 100000 100000 65536', 'g 0 1000 1', 'g 100000 100000 65536']);
    const passed = map('u 0 100000 1000', 'u 1000 1000 1', 'u 1001 101001 64535', 'g 0 100000 65536');
    expect(scanNamespace(passed, alice).map.map(formatIdMapEntry)).toEqual(['u 0 1000 1', 'u 100000 100000 1000', 'u 101001 101001 64535', 'g 0 1000 1', 'g 100000 100000 65536']);
    const ns = scanNamespace(passed, alice);
    expect([ns.hostOf('u', 0), ns.hostOf('u', 100000), ns.hostOf('u', 65534), ns.hostOf('g', 165535)]).toEqual([1000, 100000, null, 165535]);
  });

  it('counts inodes once per hard link, what changes, setuid bits to restore, owners outside the old map, unplaceable ones', () => {
    const c = new ScanCounter(shiftTranslation(STD, map('u 0 165536 1000', 'g 0 165536 65536')));
    for (const line of [
      '100000 100000 1 1 755', // root's dir: moves
      '100000 100000 2 2 4755', // setuid, hard-linked twice
      '100000 100000 2 2 4755',
      '5000 5000 3 1 644', // foreign owner: left alone
      '101000 100000 4 1 644', // container uid 1000: the new map has no place for it
      '100000 5000 5 1 2755', // uid moves, gid foreign: still re-owned
      'garbage',
      '',
    ])
      c.add(line);
    expect(c.result()).toEqual({ inodes: 5, changing: 3, setid: 2, outside: 1, unmapped: 1, unreadable: 1 });
  });

  it('reads ids back through the namespace: the overflow id is an owner outside the old map', () => {
    const ns = scanNamespace(STD, alice);
    const c = new ScanCounter(shiftTranslation(STD, ISO), ns.hostOf);
    c.add('0 0 1 1 700'); // the user's own files: outside the old map
    c.add('65534 65534 2 1 644'); // unmapped in the listing's namespace
    c.add('100000 100000 3 1 755');
    expect(c.result()).toMatchObject({ inodes: 3, changing: 1, outside: 2 });
  });
});
