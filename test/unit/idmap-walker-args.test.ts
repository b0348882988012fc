import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markerPath, readShiftMarker, refuseUnfinishedShift, writeShiftMarker } from '../../src/host/shiftMarker.js';
import { shiftTranslation } from '../../src/idmap/shift.js';
import { walkerCommand } from '../../src/idmap/walkerArgs.js';

const map = (start: number, count = 32768) => [
  { kind: 'u' as const, nsid: 0, hostid: start, range: count },
  { kind: 'g' as const, nsid: 0, hostid: start, range: count },
];

describe('walkerCommand', () => {
  const t = shiftTranslation(map(100000), map(132768));

  it('as root: the walker itself with host-id segments, the container dir too, the journal', () => {
    expect(walkerCommand('/w', '/r', t, { root: true, journal: '/j' }).argv).toEqual(['/w', '--parent', '--journal', '/j', '/r', 'u:100000:132768:32768', 'g:100000:132768:32768']);
  });

  it("unprivileged: lxc-usernsexec over both ranges packed from 0, the user's own ids after them, segments in namespace ids", () => {
    const c = walkerCommand('/w', '/r', t, { root: false, journal: '/j', uid: 1001, gid: 1001 });
    expect(c.argv).toEqual(['lxc-usernsexec', '-m', 'u:0:100000:65536', '-m', 'g:0:100000:65536', '-m', 'u:65536:1001:1', '-m', 'g:65536:1001:1', '--', '/w', '--ns', '--parent', '--journal', '/j', '/r', 'u:0:32768:32768', 'g:0:32768:32768']);
  });

  it('an own id already in the ranges (passed through) is not mapped twice', () => {
    const c = walkerCommand('/w', '/r', shiftTranslation(map(100000), map(132768)), { root: false, journal: '/j', uid: 100005, gid: 1001 });
    expect(c.namespace.filter((e) => e.kind === 'u')).toHaveLength(1);
  });
});

describe('shift marker', () => {
  it('a half-shifted rootfs refuses start in one line naming --resume and --rollback; a shifted one starts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marker-'));
    const rootfs = path.join(dir, 'rootfs');
    expect(() => refuseUnfinishedShift('c1', rootfs)).not.toThrow();
    writeShiftMarker(rootfs, { state: 'shifting', from: ['u 0 1 2'], to: ['u 0 3 2'] });
    expect(markerPath(rootfs)).toBe(`${rootfs}.lxcdeck-idmap`);
    expect(() => refuseUnfinishedShift('c1', rootfs)).toThrow(/^cannot start c1: its rootfs is half re-owned/);
    try {
      refuseUnfinishedShift('c1', rootfs);
    } catch (e) {
      expect((e as { line: string }).line).toMatch(/--resume.*--rollback/);
      expect((e as { line: string }).line).not.toContain('\n');
    }
    writeShiftMarker(rootfs, { state: 'shifted', map: ['u 0 3 2'] });
    expect(readShiftMarker(rootfs)).toEqual({ state: 'shifted', map: ['u 0 3 2'] });
    expect(() => refuseUnfinishedShift('c1', rootfs)).not.toThrow();
    fs.writeFileSync(markerPath(rootfs), 'garbage');
    expect(() => refuseUnfinishedShift('c1', rootfs)).toThrow(/half re-owned/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
