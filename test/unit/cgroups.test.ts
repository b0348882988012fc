import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cgroupDir,
  containerCgroupDirs,
  decideStartPlacement,
  delegationOf,
  hasOwnCgroup,
  hierarchyLabel,
  layoutOf,
  parseMountinfo,
  parseProcCgroup,
  trimToContainerRoot,
} from '../../src/host/cgroups.js';
import { hasSystemdUserManager } from '../../src/host/placement.js';
import { recordedHost } from './fixtures.js';

function placementFor(hostName: string, uid: number, user: string, env: Record<string, string> = {}) {
  const h = recordedHost(hostName);
  const delegations = delegationOf(h.fs, h.cgroups, h.fs.read('/proc/self/cgroup') ?? '', uid);
  const id = { uid, gid: uid, user, home: `/home/${user}`, groups: [] };
  return decideStartPlacement({ uid, user, host: h.cgroups, delegations, systemdUserManager: hasSystemdUserManager(h.fs, id, env) });
}

describe('cgroup layout detection over recorded hosts', () => {
  it('reads a hybrid host: v1 controllers plus an empty v2 at /sys/fs/cgroup/unified', () => {
    const h = recordedHost('hybrid-root');
    expect(h.cgroups.layout).toBe('hybrid');
    expect(h.cgroups.hierarchies.find((x) => x.version === 2)?.mountPoint).toBe('/sys/fs/cgroup/unified');
    const labels = h.cgroups.hierarchies.map(hierarchyLabel);
    expect(labels).toEqual(expect.arrayContaining(['freezer', 'memory', 'pids', 'name=systemd', 'unified']));
  });

  it('reads a pure v2 systemd host', () => {
    const h = recordedHost('v2-systemd-alice-scope');
    expect(h.cgroups.layout).toBe('v2');
    expect(h.cgroups.hierarchies).toHaveLength(1);
    expect(h.cgroups.hierarchies[0]?.mountPoint).toBe('/sys/fs/cgroup');
  });

  it('reads a v1-only host and merges co-mounted controllers', () => {
    const mountinfo = [
      '25 20 0:22 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755',
      '26 25 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct',
      '27 25 0:24 / /sys/fs/cgroup/freezer rw,nosuid - cgroup cgroup rw,freezer',
      '28 25 0:25 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,release_agent=/x,name=systemd',
    ].join('\n');
    const hs = parseMountinfo(mountinfo);
    expect(layoutOf(hs)).toBe('v1');
    expect(hs.map(hierarchyLabel)).toEqual(['cpu,cpuacct', 'freezer', 'name=systemd']);
  });

  it('finds no layout without cgroup mounts', () => {
    expect(layoutOf(parseMountinfo('22 1 0:5 / /proc rw - proc proc rw'))).toBe('none');
  });

  it('unescapes mount points', () => {
    const [h] = parseMountinfo('30 25 0:30 / /sys/fs/cgroup/my\\040dir rw - cgroup2 cgroup2 rw');
    expect(h?.mountPoint).toBe('/sys/fs/cgroup/my dir');
  });

  it('parses /proc/<pid>/cgroup including named and v2 lines', () => {
    const e = parseProcCgroup('9:name=systemd:/\n1:cpu,cpuacct:/a/b\n0::/user.slice\n');
    expect(e).toEqual([
      { id: 9, controllers: ['name=systemd'], path: '/' },
      { id: 1, controllers: ['cpu', 'cpuacct'], path: '/a/b' },
      { id: 0, controllers: [], path: '/user.slice' },
    ]);
  });
});

describe('delegation and start placement', () => {
  it('root starts directly everywhere', () => {
    expect(placementFor('hybrid-root', 0, 'root').kind).toBe('direct');
    expect(placementFor('v2-systemd-root', 0, 'root').kind).toBe('direct');
  });

  it('a hybrid user inside its delegated cgroups starts directly', () => {
    const h = recordedHost('hybrid-user-delegated');
    const uid = h.meta.uid as number;
    const d = delegationOf(h.fs, h.cgroups, h.fs.read('/proc/self/cgroup') ?? '', uid);
    expect(d.every((x) => x.delegated)).toBe(true);
    expect(placementFor('hybrid-user-delegated', uid, 'lxcdeck-test').kind).toBe('direct');
  });

  it('a hybrid user outside a delegated cgroup is refused with the fix', () => {
    const h = recordedHost('hybrid-user-plain');
    const p = placementFor('hybrid-user-plain', h.meta.uid as number, 'lxcdeck-test');
    expect(p.kind).toBe('refuse');
    if (p.kind !== 'refuse') return;
    expect(p.reason).toMatch(/no delegated cgroup for lxcdeck-test in: .*freezer/);
    expect(p.fix).toContain('scripts/prepare-host --user lxcdeck-test');
  });

  it('v2: alice in root-owned service cgroup must go through a systemd scope', () => {
    const p = placementFor('v2-systemd-alice-plain', 1000, 'alice', { XDG_RUNTIME_DIR: '/run/user/1000' });
    expect(p).toEqual({ kind: 'systemd-scope', prefix: ['systemd-run', '--user', '--scope', '--quiet', '-p', 'Delegate=yes', '--'] });
  });

  it('v2: alice already inside a delegated scope starts directly', () => {
    expect(placementFor('v2-systemd-alice-scope', 1000, 'alice', { XDG_RUNTIME_DIR: '/run/user/1000' }).kind).toBe('direct');
  });

  it('v2: without a reachable user manager the start is refused', () => {
    const p = placementFor('v2-systemd-alice-plain', 1000, 'alice', { XDG_RUNTIME_DIR: '/run/user/4242' });
    expect(p.kind).toBe('refuse');
    if (p.kind === 'refuse') expect(p.fix).toContain('loginctl enable-linger alice');
  });

});

describe('container cgroups', () => {
  it('finds a v2 container under its delegated scope', () => {
    const h = recordedHost('v2-systemd-alice-container');
    const pid = h.meta.initPid as number;
    const text = h.fs.read(`/proc/${pid}/cgroup`) ?? '';
    const dirs = [...containerCgroupDirs(h.cgroups, text, 'c1').values()];
    expect(dirs).toEqual([`/sys/fs/cgroup${h.meta.containerCgroup as string}`]);
    expect(hasOwnCgroup(text, 'c1', 2)).toBe(true);
    expect(h.fs.read(`${dirs[0]}/memory.current`)).toMatch(/^\d+/);
  });

  it('spots a v2 container started outside a delegated scope (it shares the monitor cgroup)', () => {
    const h = recordedHost('v2-systemd-alice-container-nodelegation');
    const pid = h.meta.initPid as number;
    expect(hasOwnCgroup(h.fs.read(`/proc/${pid}/cgroup`) ?? '', 'c2', 2)).toBe(false);
  });

  it('finds every v1 hierarchy of a hybrid root container', () => {
    const h = recordedHost('hybrid-root-container');
    const pid = h.meta.initPid as number;
    const dirs = containerCgroupDirs(h.cgroups, h.fs.read(`/proc/${pid}/cgroup`) ?? '', 'fixture-c1');
    const byLabel = Object.fromEntries([...dirs].map(([k, v]) => [hierarchyLabel(k), v]));
    expect(byLabel.freezer).toBe('/sys/fs/cgroup/freezer/lxc.payload.fixture-c1');
    expect(byLabel.unified).toBe('/sys/fs/cgroup/unified/lxc.payload.fixture-c1');
  });

  it('trims an init nested below the container root', () => {
    expect(trimToContainerRoot('/lxc.payload.web/init.scope', 'web')).toBe('/lxc.payload.web');
    expect(trimToContainerRoot('/user.slice/x.scope/lxc.payload.web/system.slice/a', 'web')).toBe('/user.slice/x.scope/lxc.payload.web');
    expect(trimToContainerRoot('/lxc/web/init.scope', 'web')).toBe('/lxc/web');
    expect(trimToContainerRoot('/elsewhere', 'web')).toBe('/elsewhere');
  });
});

describe('cgroupDir', () => {
  const join = (h: { mountPoint: string; mountRoot: string }, p: string) => {
    const rel = path.posix.relative(h.mountRoot, p);
    return rel.startsWith('..') ? path.posix.join(h.mountPoint, p) : path.posix.join(h.mountPoint, rel);
  };
  it('its shortcut for a root-mounted hierarchy gives what path.posix gives, for any cgroup path', () => {
    const segment = fc.constantFrom('lxc.payload.web', 'a', '.', '..', '', 'x y', 'user.slice', '...');
    const hier = fc.record({ mountPoint: fc.constantFrom('/sys/fs/cgroup/memory', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/'), mountRoot: fc.constantFrom('/', '/lxc') });
    fc.assert(
      fc.property(hier, fc.array(segment, { maxLength: 5 }), (h, parts) => {
        const p = `/${parts.join('/')}`;
        expect(cgroupDir({ version: 1, controllers: ['memory'], ...h }, p)).toBe(join(h, p));
      }),
    );
  });
});
