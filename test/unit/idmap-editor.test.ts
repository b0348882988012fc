import { describe, expect, it } from 'vitest';
import { hasIdmapMount, withIdmapMount } from '../../src/core/idmap.js';
import type { IdMapSubject } from '../../src/core/idmapCheck.js';
import type { ContainerIdMapValues } from '../../src/core/idmapSource.js';
import { chooseFilesPath } from '../../src/cli/idmapPath.js';
import { previewMapChange } from '../../src/idmap/change.js';
import { idmapDoctorChecks } from '../../src/idmap/doctorChecks.js';
import { evaluateRows, presetRows, rowError, type IdmapEditorData } from '../../src/idmap/editor.js';
import { spaceSlices } from '../../src/idmap/usage.js';
import { idmapBarLines } from '../../src/presentation/idmapBar.js';

const alice: IdMapSubject = { user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 131072 }], subgid: [{ start: 100000, count: 131072 }] };
const STD = [
  { kind: 'u' as const, nsid: 0, hostid: 100000, range: 65536 },
  { kind: 'g' as const, nsid: 0, hostid: 100000, range: 65536 },
];
const data = (over: Partial<IdmapEditorData> = {}): IdmapEditorData => ({ name: 'web', state: 'STOPPED', subject: alice, current: STD, problems: [], others: [{ name: 'db', entries: STD }], fileEnds: { u: [231072], g: [231072] }, ...over });

describe('map editor model', () => {
  it('presets: current keeps the rows, isolated takes the slice nobody else maps, a full space says how to add ids', () => {
    expect(presetRows(data(), 'current')).toEqual({ rows: ['u 0 100000 65536', 'g 0 100000 65536'] });
    expect(presetRows(data(), 'isolated')).toEqual({ rows: ['u 0 165536 65536', 'g 0 165536 65536'] });
    const full = presetRows(data({ others: [{ name: 'db', entries: STD }, { name: 'x', entries: STD.map((e) => ({ ...e, hostid: 165536 })) }] }), 'isolated');
    expect(full).toMatchObject({ error: expect.stringMatching(/^no isolated uid range free: .*: add 65536 ids to \/etc\/subuid: sudo usermod --add-subuids 231072-296607 alice$/) });
  });

  it('a row that is not an entry blocks Apply; a valid shared map warns and applies; errors block; running blocks; unchanged blocks', () => {
    expect(rowError('u 0 x 65536')).toBe('HOSTID "x" is not a whole number: write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"');
    expect(rowError('')).toBeNull();
    expect(evaluateRows(data(), ['u 0 x 65536', ''], '')).toMatchObject({ entries: null, applicable: false, blocked: 'a row does not read as an entry: fix the row marked ✗' });
    const shared = evaluateRows(data({ current: [] }), ['u 0 100000 65536', 'g 0 100000 65536'], '');
    expect(shared.applicable).toBe(true);
    expect(shared.findings.map((f) => [f.severity, f.rule])).toEqual([['warning', 'shared'], ['warning', 'shared']]);
    const outside = evaluateRows(data(), ['u 0 900000 65536', 'g 0 165536 65536'], '');
    expect(outside).toMatchObject({ applicable: false, blocked: 'the map has errors: fix the entries marked ✗ (nothing was changed)' });
    expect(outside.findings.find((f) => f.severity === 'error')?.entry).toBe('u 0 900000 65536');
    expect(evaluateRows(data({ state: 'RUNNING' }), ['u 0 165536 65536', 'g 0 165536 65536'], '').blocked).toBe('web is RUNNING: stop it first (x), then apply');
    expect(evaluateRows(data(), ['u 0 100000 65536', '', 'g 0 100000 65536'], '').blocked).toBe('the map is unchanged: edit a row or pick a preset');
  });

  it('the pass-through goes on top of the rows, split around the id', () => {
    const ev = evaluateRows(data({ others: [] }), ['u 0 100000 65536', 'g 0 100000 65536'], '1000');
    expect(ev.entries?.filter((e) => e.kind === 'u')).toEqual([
      { kind: 'u', nsid: 0, hostid: 100000, range: 1000 },
      { kind: 'u', nsid: 1000, hostid: 1000, range: 1 },
      { kind: 'u', nsid: 1001, hostid: 101001, range: 64535 },
    ]);
    expect(evaluateRows(data(), ['u 0 100000 65536'], '10x').blocked).toBe('a row does not read as an entry: fix the row marked ✗');
  });
});

describe('the subuid bar', () => {
  it('draws this container, others, shared and free stretches in proportion and names each in the legend', () => {
    const slices = spaceSlices(alice, [{ name: 'db', entries: STD }, { name: 'web', entries: STD }, { name: 'solo', entries: [] }], 'u');
    const lines = idmapBarLines(slices, 'web', 40, {}, 'uids');
    expect(lines[0]).toBe(`uids ${'▓'.repeat(20)}${'·'.repeat(20)}`);
    expect(lines.slice(2)).toEqual(['     ▓ 100000-165535  shared by db, web (not isolated)', '     · 165536-231071  free']);
    const own = idmapBarLines(spaceSlices(alice, [{ name: 'db', entries: STD }, { name: 'web', entries: STD.map((e) => ({ ...e, hostid: 165536 })) }], 'u'), 'web', 40, {}, 'uids');
    expect(own[0]).toBe(`uids ${'▒'.repeat(20)}${'█'.repeat(20)}`);
    expect(own[1]).toBe('     db                  web');
    expect(own.slice(2)).toEqual(['     ▒ 100000-165535  db', '     █ 165536-231071  web (this container)']);
    // the warning colour for a shared stretch, the highlight for this container
    expect(idmapBarLines(slices, 'web', 40, { logWarn: 'yellow', helpKey: 'cyan', dim: 'grey' }, 'uids')[0]).toContain('{yellow-fg}▓');
  });
});

describe('the files path', () => {
  const preview = (old: typeof STD) => previewMapChange({ name: 'web', state: 'STOPPED', current: old, next: STD.map((e) => ({ ...e, hostid: 165536 })), subject: alice, others: [], rootfs: { path: '/c/web/rootfs', owner: { uid: 0, gid: 0 } } });
  const ok = async () => null;
  it('root with a privileged rootfs on a filesystem that takes idmapped mounts: idmapped; refused, shifted, unprivileged or --reown: the walk, each with its reason', async () => {
    const base = { root: true, dir: '/c/web/rootfs', rootfsOptions: '', reown: false };
    expect(await chooseFilesPath(preview([]), { ...base, probe: ok })).toMatchObject({ kind: 'idmapped', why: expect.stringMatching(/^root, and the filesystem of \/c\/web\/rootfs takes idmapped mounts \(probed in \d+ ms\)/) });
    expect(await chooseFilesPath(preview([]), { ...base, probe: async () => 'mount_setattr(MOUNT_ATTR_IDMAP): Invalid argument' })).toEqual({ kind: 'reown', why: 'the filesystem of /c/web/rootfs refuses idmapped mounts (mount_setattr(MOUNT_ATTR_IDMAP): Invalid argument)' });
    expect((await chooseFilesPath(preview(STD), { ...base, probe: ok })).why).toBe("its files are owned by the old map's host ids (root 100000:100000); an idmapped mount needs them owned by container ids");
    expect((await chooseFilesPath(preview([]), { ...base, root: false, probe: ok })).why).toMatch(/^unprivileged: /);
    expect(await chooseFilesPath(preview([]), { ...base, reown: true, probe: ok })).toEqual({ kind: 'reown', why: '--reown asked for it' });
    expect((await chooseFilesPath(preview(STD), { ...base, rootfsOptions: 'idmap=container', probe: ok })).kind).toBe('idmapped');
  });

  it('rootfs options: idmap=container added once, other options kept; doctor takes an idmapped rootfs owned by 0:0 as right', () => {
    expect(withIdmapMount('')).toBe('idmap=container');
    expect(withIdmapMount('ro')).toBe('ro,idmap=container');
    expect(withIdmapMount('ro,idmap=container')).toBe('ro,idmap=container');
    expect(hasIdmapMount('ro, idmap=container')).toBe(true);
    expect(hasIdmapMount('idmap=containers')).toBe(false);
    const c = (rootfsOptions: string): ContainerIdMapValues => ({ name: 'web', state: 'STOPPED', values: ['u 0 165536 65536', 'g 0 165536 65536'], rootfs: 'dir:/c/web/rootfs', rootfsOptions });
    const ids = (cs: ReturnType<typeof idmapDoctorChecks>) => cs.map((x) => x.id);
    expect(ids(idmapDoctorChecks(alice, [c('idmap=container')], () => ({ uid: 0, gid: 0 })))).not.toContain('idmap-rootfs');
    expect(ids(idmapDoctorChecks(alice, [c('')], () => ({ uid: 0, gid: 0 })))).toContain('idmap-rootfs');
  });
});
