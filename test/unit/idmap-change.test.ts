import { describe, expect, it } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';
import { formatIdMapEntry, parseIdMapLines } from '../../src/core/idmap.js';
import type { IdMapSubject, OtherMap } from '../../src/core/idmapCheck.js';
import { previewMapChange, proposedMap } from '../../src/idmap/change.js';

const alice: IdMapSubject = { user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 131072 }], subgid: [{ start: 100000, count: 131072 }] };
const map = (...l: string[]) => parseIdMapLines(l).entries;
const STD = map('u 0 100000 65536', 'g 0 100000 65536');
const others: OtherMap[] = [{ name: 'web', entries: STD }];
const line = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof LxcdeckError) return e.line;
  }
  return 'no error';
};

describe('idmap set: the new map', () => {
  it('presets, explicit entries, and a pass-through on top of either', () => {
    expect(proposedMap(STD, { preset: 'isolated' }, alice, others).map(formatIdMapEntry)).toEqual(['u 0 165536 65536', 'g 0 165536 65536']);
    expect(proposedMap([], { preset: 'standard' }, alice, []).map(formatIdMapEntry)).toEqual(['u 0 100000 65536', 'g 0 100000 65536']);
    expect(proposedMap(STD, { maps: ['u 0 165536 65536', 'g 0 165536 65536'] }, alice, []).map(formatIdMapEntry)).toEqual(['u 0 165536 65536', 'g 0 165536 65536']);
    expect(proposedMap(STD, { preset: 'isolated', passThrough: '1000' }, alice, others).map(formatIdMapEntry)).toEqual([
      'u 0 165536 1000',
      'u 1000 1000 1',
      'u 1001 166537 64535',
      'g 0 165536 1000',
      'g 1000 1000 1',
      'g 1001 166537 64535',
    ]);
  });

  it('an isolated container stays where it is when isolated is asked again', () => {
    const iso = map('u 0 165536 65536', 'g 0 165536 65536');
    expect(proposedMap(iso, { preset: 'isolated' }, alice, others)).toEqual(iso);
  });

  it('bad requests: one line each', () => {
    expect(line(() => proposedMap(STD, {}, alice, []))).toBe("no new map given: say it with --preset standard|isolated, --map 'u 0 100000 65536' --map 'g 0 100000 65536', or --pass-through UID[:GID]");
    expect(line(() => proposedMap(STD, { preset: 'wide' }, alice, []))).toBe('unknown preset "wide": use standard or isolated');
    expect(line(() => proposedMap(STD, { preset: 'standard', maps: ['u 0 1 1'] }, alice, []))).toBe('--preset and --map both say what the map is: use one of them');
    expect(line(() => proposedMap(STD, { maps: ['u 0 1'] }, alice, []))).toBe('invalid --map "u 0 1": expected 4 fields "u|g NSID HOSTID RANGE", found 3: write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"');
  });
});

describe('idmap set: the preview', () => {
  const rootfs = { path: '/c/rootfs', owner: { uid: 100000, gid: 100000 } };
  it('standard -> isolated: config keys, shift lines, the walker namespace, the rootfs owner matching the old root', () => {
    const next = proposedMap(STD, { preset: 'isolated' }, alice, others);
    const p = previewMapChange({ name: 'c', state: 'STOPPED', current: STD, next, subject: alice, others, rootfs });
    expect(p).toMatchObject({
      changed: true,
      valid: true,
      blockers: [],
      findings: [],
      configKeys: ['lxc.idmap = u 0 165536 65536', 'lxc.idmap = g 0 165536 65536'],
      rootfs: { matchesOldMap: true, oldRoot: { uid: 100000, gid: 100000 } },
      shift: { needed: true, changes: ['uids 100000-165535 -> 165536-231071', 'gids 100000-165535 -> 165536-231071'], walkerMap: ['u 0 100000 131072', 'g 0 100000 131072'] },
    });
  });

  it('flags a rootfs whose owner is not the old root (a forgotten shift), a running container, and an invalid map', () => {
    const p = previewMapChange({ name: 'c', state: 'RUNNING', current: STD, next: map('u 0 900000 65536', 'g 0 100000 65536'), subject: alice, others: [], rootfs: { path: '/c/rootfs', owner: { uid: 165536, gid: 165536 } } });
    expect(p.rootfs.matchesOldMap).toBe(false);
    expect(p.blockers).toEqual(["c is RUNNING: stop it first with 'lxcdeck stop c'"]);
    expect(p.valid).toBe(false);
    expect(p.findings.map((f) => f.rule)).toEqual(['outside']);
  });

  it('a privileged container made unprivileged: its files are owned by the host ids themselves', () => {
    const root: IdMapSubject = { user: 'root', uid: 0, gid: 0, subuid: [{ start: 100000, count: 65536 }], subgid: [{ start: 100000, count: 65536 }] };
    const p = previewMapChange({ name: 'c', state: 'STOPPED', current: [], next: STD, subject: root, others: [], rootfs: { path: '/c/rootfs', owner: { uid: 0, gid: 0 } } });
    expect(p.shift.needed).toBe(true);
    expect(p.shift.changes).toEqual([
      'uids 0-65535 -> 100000-165535',
      'gids 0-65535 -> 100000-165535',
      'uids 65536-4294967294 (container 65536-4294967294): not in the new map, files they own cannot be shifted',
      'gids 65536-4294967294 (container 65536-4294967294): not in the new map, files they own cannot be shifted',
    ]);
    expect(p.rootfs.matchesOldMap).toBeNull();
  });
});
