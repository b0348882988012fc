import { describe, expect, it } from 'vitest';
import { delegationOf } from '../../src/host/cgroups.js';
import type { HostFs } from '../../src/host/hostfs.js';
import { hasSystemdSystemManager, hasSystemdUserManager } from '../../src/host/placement.js';
import { planJobParents, readV2Controllers } from '../../src/jobs/cgroup.js';
import { decideJobPlacement } from '../../src/jobs/placement.js';
import { checkJobScope, cpuQuotaProperty, jobScopeUnit, scopeCommand, v2DirOf } from '../../src/jobs/scope.js';
import { errorLine } from './errorLine.js';
import { recordedHost } from './fixtures.js';

/** Which way `job run` takes on a recorded host, as the user the recording was made as. */
function jobPlacementFor(hostName: string, env: Record<string, string> = {}, overrides: { systemdSystem?: boolean } = {}) {
  const h = recordedHost(hostName);
  const uid = h.meta.uid as number;
  const user = h.meta.user as string;
  const id = { uid, gid: uid, user, home: `/home/${user}`, groups: [] };
  const delegations = delegationOf(h.fs, h.cgroups, h.fs.read('/proc/self/cgroup') ?? '', uid);
  return {
    h,
    delegations,
    user,
    placement: decideJobPlacement({
      uid,
      user,
      host: h.cgroups,
      delegations,
      systemdSystem: overrides.systemdSystem ?? hasSystemdSystemManager(h.fs),
      systemdUserManager: hasSystemdUserManager(h.fs, id, env),
    }),
  };
}

const ALICE_ENV = { XDG_RUNTIME_DIR: '/run/user/1000' };

describe('job placement over recorded v2 + systemd hosts', () => {
  it('root in a system service (processes inside, no-internal-process rule) gets a scope from the system manager', () => {
    const { placement } = jobPlacementFor('v2-systemd-root');
    expect(placement).toEqual({ kind: 'systemd-scope', manager: 'system' });
  });

  it('root on v2 without systemd as init keeps the cgroup tree', () => {
    expect(jobPlacementFor('v2-systemd-root', {}, { systemdSystem: false }).placement).toEqual({ kind: 'cgroup-tree' });
  });

  it('alice outside any delegated cgroup (root-owned service) gets a scope from her user manager', () => {
    const { placement, delegations } = jobPlacementFor('v2-systemd-alice-plain', ALICE_ENV);
    expect(delegations.find((d) => d.version === 2)?.delegated).toBe(false);
    expect(placement).toEqual({ kind: 'systemd-scope', manager: 'user' });
  });

  it('alice inside a delegated scope still gets a scope of its own per job (her scope holds processes, so it cannot pass controllers down)', () => {
    const { placement, delegations, h } = jobPlacementFor('v2-systemd-alice-scope', ALICE_ENV);
    const d = delegations.find((x) => x.version === 2)!;
    expect(d.delegated).toBe(true);
    // the scope has controllers but passes none down: a child job cgroup would get no cpu/memory/pids
    expect(h.fs.read(`${d.dir}/cgroup.controllers`)?.trim()).toBe('cpu memory pids');
    expect(h.fs.read(`${d.dir}/cgroup.subtree_control`)?.trim()).toBe('');
    expect(placement).toEqual({ kind: 'systemd-scope', manager: 'user' });
  });

  it('alice in a delegated scope with no reachable user manager uses that cgroup tree', () => {
    expect(jobPlacementFor('v2-systemd-alice-scope', { XDG_RUNTIME_DIR: '/run/user/4242' }).placement).toEqual({ kind: 'cgroup-tree' });
  });

  it('alice neither delegated nor with a reachable user manager is refused with one line naming the fix', () => {
    const { placement } = jobPlacementFor('v2-systemd-alice-plain', { XDG_RUNTIME_DIR: '/run/user/4242' });
    expect(placement.kind).toBe('refuse');
    if (placement.kind !== 'refuse') return;
    expect(`${placement.reason}: ${placement.fix}`).toBe(
      'your cgroup /sys/fs/cgroup/system.slice/v2vm-run.service is not delegated to alice and no systemd user manager is reachable: ' +
        'run from a systemd login session (sudo loginctl enable-linger alice) or from a delegated cgroup',
    );
  });
});

describe('job placement on hybrid hosts is unchanged', () => {
  it.each(['hybrid-root', 'hybrid-user-delegated', 'hybrid-user-plain'])('%s: the delegated cgroup tree', (name) => {
    expect(jobPlacementFor(name).placement).toEqual({ kind: 'cgroup-tree' });
  });

  it('the delegated user gets a job cgroup in every controller hierarchy', () => {
    const { h, delegations, user } = jobPlacementFor('hybrid-user-delegated');
    const parents = planJobParents({ host: h.cgroups, delegations, user, v2Controllers: (d) => readV2Controllers(`${h.root}${d}`) });
    const labels = parents.map((p) => p.hierarchy.controllers.join(','));
    expect(labels).toEqual(expect.arrayContaining(['freezer', 'memory', 'pids']));
    expect(parents.every((p) => p.hierarchy.version === 1)).toBe(true);
  });

  it('the plain user is still refused with the prepare-host fix', () => {
    const { h, delegations, user } = jobPlacementFor('hybrid-user-plain');
    expect(() => planJobParents({ host: h.cgroups, delegations, user, v2Controllers: () => [] })).toThrow(/no delegated cgroup for lxcdeck-test in: .*freezer/);
  });
});

describe('the job scope', () => {
  it('asks systemd-run for a named, delegated, collected scope with the limits as properties', () => {
    expect(scopeCommand('user', 'build', { cpuMaxPercent: 50, memoryMaxBytes: 64 * 1024 ** 2, pidsMax: 20 })).toEqual([
      'systemd-run', '--user', '--scope', '--quiet', '--collect', '--unit=lxcdeck-job-build.scope', '--description=lxcdeck job build',
      '-p', 'Delegate=yes', '-p', 'CPUQuota=50.00%', '-p', `MemoryMax=${64 * 1024 ** 2}`, '-p', 'TasksMax=20', '--',
    ]);
    expect(scopeCommand('system', 'x', {})).toEqual(['systemd-run', '--scope', '--quiet', '--collect', '--unit=lxcdeck-job-x.scope', '--description=lxcdeck job x', '-p', 'Delegate=yes', '--']);
  });

  it.each([
    [50, 'CPUQuota=50.00%'],
    [33.333, 'CPUQuota=33.33%'],
    [1, 'CPUQuota=1.00%'],
    [0.5, 'CPUQuota=1.00%'], // the kernel's minimum quota is 1 ms per 100 ms
    [250, 'CPUQuota=250.00%'],
  ])('cpu %d %% -> %s', (pct, prop) => expect(cpuQuotaProperty(pct)).toBe(prop));

  it("finds the launcher's cgroup from its /proc/self/cgroup", () => {
    const h = recordedHost('v2-systemd-alice-scope');
    expect(v2DirOf(h.cgroups, h.fs.read('/proc/self/cgroup') ?? '')).toBe('/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r66a8504880b34b32b4f2f8b26bfa3d3a.scope');
    expect(v2DirOf(recordedHost('hybrid-root').cgroups, '0::/x\n')).toBe('/sys/fs/cgroup/unified/x');
    expect(v2DirOf(h.cgroups, '')).toBeNull();
  });
});

describe('checking a job scope before the command runs', () => {
  const scope = `/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/${jobScopeUnit('b')}`;
  /** The recorded delegated scope's cgroup.controllers, with limit files as systemd wrote them. */
  const scopeFs = (files: Record<string, string>): HostFs => {
    const recorded = recordedHost('v2-systemd-alice-scope');
    const real = `${recorded.fs.read('/proc/self/cgroup')?.trim().slice(3)}`;
    const controllers = recorded.fs.read(`/sys/fs/cgroup${real}/cgroup.controllers`) ?? '';
    const all: Record<string, string> = { [`${scope}/cgroup.controllers`]: controllers, ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`${scope}/${k}`, v])) };
    return { read: (p) => all[p] ?? null, exists: (p) => p in all, isDir: () => false, list: () => [], stat: () => null };
  };
  const opts = { name: 'b', user: 'alice', manager: 'user' as const };

  it('accepts a scope holding every requested limit', () => {
    const fs = scopeFs({ 'cpu.max': '50000 100000\n', 'memory.max': '67108864\n', 'pids.max': '20\n' });
    expect(() => checkJobScope(fs, scope, { ...opts, limits: { cpuMaxPercent: 50, memoryMaxBytes: 67108864, pidsMax: 20 } })).not.toThrow();
    expect(() => checkJobScope(fs, scope, { ...opts, limits: {} })).not.toThrow();
  });

  it('refuses with one line when a controller is not delegated (systemd skipped the limit)', () => {
    const fs: HostFs = { ...scopeFs({ 'pids.max': 'max\n' }), read: (p) => (p.endsWith('cgroup.controllers') ? 'cpu pids\n' : p.endsWith('pids.max') ? 'max\n' : null) };
    expect(errorLine(() => checkJobScope(fs, scope, { ...opts, limits: { memoryMaxBytes: 1 << 26 } }))).toBe(
      "the memory controller is not delegated to alice's systemd user manager (the job's scope has: cpu pids): drop the memory limit, or add memory to Delegate= of user@.service (sudo systemctl edit user@.service)",
    );
    expect(errorLine(() => checkJobScope(fs, scope, { ...opts, limits: { pidsMax: 5 } }))).toMatch(/^the pids controller is not delegated/);
  });

  it('refuses a launcher that is not in its own scope', () => {
    const fs = scopeFs({});
    expect(errorLine(() => checkJobScope(fs, '/sys/fs/cgroup/system.slice/v2vm-run.service', { ...opts, limits: {} }))).toMatch(/^the job landed in \/sys\/fs\/cgroup\/system.slice\/v2vm-run.service, not in its scope lxcdeck-job-b.scope/);
  });
});
