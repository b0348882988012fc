import { describe, expect, it } from 'vitest';
import type { IdMapSubject } from '../../src/core/idmapCheck.js';
import type { ContainerIdMapValues } from '../../src/core/idmapSource.js';
import { idmapDoctorChecks } from '../../src/idmap/doctorChecks.js';

const alice: IdMapSubject = { user: 'alice', uid: 1000, gid: 1000, subuid: [{ start: 100000, count: 131072 }], subgid: [{ start: 100000, count: 131072 }] };
const c = (name: string, values: string[]): ContainerIdMapValues => ({ name, state: 'STOPPED', values, rootfs: `dir:/c/${name}/rootfs` });
const STD = ['u 0 100000 65536', 'g 0 100000 65536'];
const ISO = ['u 0 165536 65536', 'g 0 165536 65536'];
const owners = (m: Record<string, number>) => (x: ContainerIdMapValues) => (m[x.name] === undefined ? null : { uid: m[x.name] as number, gid: m[x.name] as number });

describe('doctor: container idmaps', () => {
  it('all fine: valid, isolated, rootfs owned by each map root', () => {
    const checks = idmapDoctorChecks(alice, [c('a', STD), c('b', ISO)], owners({ a: 100000, b: 165536 }));
    expect(checks.map((x) => [x.id, x.status, x.detail])).toEqual([
      ['idmap-valid', 'ok', '2 maps valid'],
      ['idmap-isolated', 'ok', 'no two containers share host ids'],
    ]);
  });

  it('names containers sharing ranges once per pair, maps outside the ranges, and a forgotten shift', () => {
    const checks = idmapDoctorChecks(alice, [c('a', STD), c('b', STD), c('bad', ['u 0 900000 65536', 'g 0 165536 65536']), c('moved', ISO)], owners({ a: 100000, b: 100000, moved: 100000 }));
    expect(checks).toEqual([
      {
        id: 'idmap-valid',
        title: 'container idmaps',
        status: 'warn',
        detail: '1 error in the maps of bad; first: bad: u 0 900000 65536: host uids 900000-965535 are outside your /etc/subuid ranges (100000-231071)',
        fix: "map inside them, e.g. 'u 0 100000 65536', or add the ids: sudo usermod --add-subuids 900000-965535 alice (all of them: 'lxcdeck idmap check --all')",
      },
      {
        id: 'idmap-isolated',
        title: 'isolated idmaps',
        status: 'warn',
        detail: "containers sharing host ids, so root in one owns the others' files: a, b; bad, moved",
        fix: "give each its own range ('lxcdeck idmap usage' shows what is free and who uses what)",
      },
      {
        id: 'idmap-rootfs',
        title: 'rootfs owners',
        status: 'warn',
        detail: "rootfs not owned by the map's root (a shift forgotten after the map changed): moved (rootfs 100000:100000, map root 165536:165536)",
        fix: 'map container root of moved to 100000:100000 again, or re-own its rootfs to the current map',
      },
    ]);
  });

  it('groups containers linked through shared ids, even when not all pairs share', () => {
    const checks = idmapDoctorChecks(alice, [c('x', ['u 0 100000 20', 'g 0 100000 20']), c('y', ['u 0 100010 20', 'g 0 100010 20']), c('z', ['u 0 100025 20', 'g 0 100025 20']), c('w', ISO)], owners({}));
    expect(checks.find((x) => x.id === 'idmap-isolated')?.detail).toBe("containers sharing host ids, so root in one owns the others' files: x, y, z");
  });

  it('privileged containers (no map) and unknown owners say nothing', () => {
    const root: IdMapSubject = { ...alice, user: 'root', uid: 0, gid: 0 };
    expect(idmapDoctorChecks(root, [c('p', [])], owners({ p: 0 }))).toEqual([]);
    expect(idmapDoctorChecks(alice, [c('a', STD)], owners({})).map((x) => x.id)).toEqual(['idmap-valid']);
  });
});
