import * as fs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import { hierarchyLabel, type CgroupHost, type Delegation, type Hierarchy } from '../host/cgroups.js';
import { CFS_PERIOD_US, cpuQuotaUs, type JobLimits } from './limits.js';
import type { JobCgroup } from './record.js';

/** A job's directory in each hierarchy: `<delegated cgroup>/lxcdeck.job.<name>`. */
export const JOB_DIR_PREFIX = 'lxcdeck.job.';

// without these a job can be neither frozen nor measured nor limited
const REQUIRED_V1 = ['freezer', 'cpu', 'cpuacct', 'memory', 'pids'];

export interface ParentCgroup {
  hierarchy: Hierarchy;
  dir: string;
}

/**
 * Where a job's cgroups go: every v1 controller hierarchy whose current
 * cgroup is ours, plus the v2 one when it is ours and carries controllers
 * (the hybrid unified tree usually has none), or on pure v2 the one cgroup.
 * Pure: `v2Controllers` reads a v2 dir's cgroup.controllers.
 */
export function planJobParents(opts: {
  host: CgroupHost;
  delegations: readonly Delegation[];
  user: string;
  v2Controllers: (dir: string) => string[];
}): ParentCgroup[] {
  const { host, delegations, user } = opts;
  const byLabel = new Map(delegations.map((d) => [d.hierarchy, d]));
  const out: ParentCgroup[] = [];
  if (host.layout === 'none') throw new LxcdeckError('no-delegated-cgroup', 'no cgroup hierarchy is mounted on this host', 'mount cgroup2 on /sys/fs/cgroup (or boot with systemd)');
  if (host.layout === 'v2') {
    const h = host.hierarchies.find((x) => x.version === 2)!;
    const d = byLabel.get(hierarchyLabel(h));
    if (!d?.delegated)
      throw new LxcdeckError(
        'no-delegated-cgroup',
        `your cgroup ${d?.dir || '(unknown)'} is not delegated to ${user}`,
        'run lxcdeck from a delegated scope: systemd-run --user --scope -p Delegate=yes lxcdeck job run ...',
      );
    return [{ hierarchy: h, dir: d.dir }];
  }
  const missing: string[] = [];
  for (const h of host.hierarchies) {
    const d = byLabel.get(hierarchyLabel(h));
    if (h.version === 2) {
      if (d?.delegated && opts.v2Controllers(d.dir).length > 0) out.push({ hierarchy: h, dir: d.dir });
      continue;
    }
    // named hierarchies (name=systemd) hold no controller: nothing to freeze, limit or measure there
    if (h.controllers.every((c) => c.startsWith('name='))) continue;
    if (d?.delegated) out.push({ hierarchy: h, dir: d.dir });
    else if (h.controllers.some((c) => REQUIRED_V1.includes(c))) missing.push(hierarchyLabel(h));
  }
  if (!host.hierarchies.some((h) => h.controllers.includes('freezer')) && !out.some((p) => p.hierarchy.version === 2))
    throw new LxcdeckError('no-delegated-cgroup', 'no freezer cgroup hierarchy is mounted', 'mount the v1 freezer controller (or use cgroup v2)');
  if (missing.length > 0)
    throw new LxcdeckError('no-delegated-cgroup', `no delegated cgroup for ${user} in: ${missing.join(' ')}`, `sudo scripts/prepare-host --user ${user} && exec scripts/enter-cgroup`);
  return out;
}

export function readV2Controllers(dir: string): string[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** Pids in a cgroup; [] when the cgroup is gone. */
export function procsOf(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The directory that sees every process of the job: the freezer one, else v2. */
export function primaryDir(cgroups: readonly JobCgroup[]): string | null {
  return (cgroups.find((c) => c.version === 1 && c.hierarchy.split(',').includes('freezer')) ?? cgroups.find((c) => c.version === 2))?.dir ?? null;
}

/** A record's cgroups as the sampler and freezer helpers want them. */
export function jobDirMap(host: CgroupHost, cgroups: readonly JobCgroup[]): Map<Hierarchy, string> {
  const out = new Map<Hierarchy, string>();
  for (const c of cgroups) {
    const h = host.hierarchies.find((x) => x.version === c.version && hierarchyLabel(x) === c.hierarchy);
    if (h) out.set(h, c.dir);
  }
  return out;
}

function fail(what: string, e: unknown, fix: string): LxcdeckError {
  const err = e as NodeJS.ErrnoException;
  const code = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission' : 'internal';
  return new LxcdeckError(code, `${what} (${err.code ?? err.message})`, fix);
}

/**
 * Makes the job's cgroup in every parent and applies the limits; on any
 * failure removes what it made, so nothing is left behind.
 */
export function createJobCgroups(parents: readonly ParentCgroup[], name: string, limits: JobLimits): JobCgroup[] {
  const made: JobCgroup[] = [];
  try {
    for (const p of parents) {
      const dir = path.join(p.dir, `${JOB_DIR_PREFIX}${name}`);
      if (fs.existsSync(dir)) {
        if (procsOf(dir).length > 0)
          throw new LxcdeckError('wrong-state', `cgroup ${dir} already holds processes of another job ${name}`, `pick another --name, or 'lxcdeck job kill ${name}'`);
        removeDir(dir); // a leftover of a crashed run: start from fresh limits
      }
      if (p.hierarchy.version === 2) enableV2Controllers(p.dir);
      try {
        fs.mkdirSync(dir);
      } catch (e) {
        throw fail(`cannot create cgroup ${dir}`, e, `check that ${p.dir} is delegated to you ('lxcdeck doctor')`);
      }
      made.push({ hierarchy: hierarchyLabel(p.hierarchy), version: p.hierarchy.version, dir });
      if (p.hierarchy.controllers.includes('cpuset')) inheritCpuset(p.dir, dir);
    }
    applyLimits(parents, made, limits);
    return made;
  } catch (e) {
    removeJobCgroups(made);
    throw e;
  }
}

/** v2 children get controllers only if the parent passes them down; best effort (a parent with processes refuses). */
function enableV2Controllers(parent: string): void {
  const want = readV2Controllers(parent).filter((c) => ['cpu', 'memory', 'pids', 'io'].includes(c));
  for (const c of want) {
    try {
      fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), `+${c}`);
    } catch {
      /* limits needing it will say so */
    }
  }
}

/** A v1 cpuset child starts with no cpus unless clone_children is set; a task cannot join it then. */
function inheritCpuset(parent: string, dir: string): void {
  for (const f of ['cpuset.cpus', 'cpuset.mems']) {
    const mine = path.join(dir, f);
    if (fs.readFileSync(mine, 'utf8').trim() === '') fs.writeFileSync(mine, fs.readFileSync(path.join(parent, f), 'utf8').trim());
  }
}

function applyLimits(parents: readonly ParentCgroup[], made: readonly JobCgroup[], limits: JobLimits): void {
  const dirFor = (controller: string): { dir: string; v1: boolean } => {
    for (let i = 0; i < parents.length; i++) {
      const p = parents[i]!;
      if (p.hierarchy.version === 1 && p.hierarchy.controllers.includes(controller)) return { dir: made[i]!.dir, v1: true };
    }
    for (let i = 0; i < parents.length; i++) {
      const p = parents[i]!;
      if (p.hierarchy.version === 2 && fs.existsSync(path.join(made[i]!.dir, controller === 'cpu' ? 'cpu.max' : `${controller}.max`)))
        return { dir: made[i]!.dir, v1: false };
    }
    throw new LxcdeckError('no-delegated-cgroup', `the ${controller} controller is not available to jobs here`, `drop the ${controller} limit, or delegate the ${controller} controller to your cgroup`);
  };
  const write = (dir: string, file: string, value: string) => {
    try {
      fs.writeFileSync(path.join(dir, file), value);
    } catch (e) {
      throw fail(`cannot set ${file}=${value} in ${dir}`, e, 'check the value and that the cgroup is yours');
    }
  };
  if (limits.cpuMaxPercent !== undefined) {
    const d = dirFor('cpu');
    const quota = cpuQuotaUs(limits.cpuMaxPercent);
    if (d.v1) {
      write(d.dir, 'cpu.cfs_period_us', String(CFS_PERIOD_US));
      write(d.dir, 'cpu.cfs_quota_us', String(quota));
    } else write(d.dir, 'cpu.max', `${quota} ${CFS_PERIOD_US}`);
  }
  if (limits.memoryMaxBytes !== undefined) {
    const d = dirFor('memory');
    write(d.dir, d.v1 ? 'memory.limit_in_bytes' : 'memory.max', String(limits.memoryMaxBytes));
  }
  if (limits.pidsMax !== undefined) {
    const d = dirFor('pids');
    write(d.dir, 'pids.max', String(limits.pidsMax));
  }
}

function removeDir(dir: string): void {
  const rmdir = (): boolean => {
    try {
      fs.rmdirSync(dir);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // gone already: a transient systemd scope is removed by systemd once empty
      if (code === 'ENOENT') return true;
      if (code === 'EBUSY') return false;
      throw fail(`cannot remove cgroup ${dir}`, e, 'check that it is yours');
    }
  };
  if (rmdir()) return;
  // a job may have made cgroups of its own below (its scope is delegated): empty ones go first
  let children: fs.Dirent[] = [];
  try {
    children = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
  } catch {
    /* raced away */
  }
  for (const c of children) removeDir(path.join(dir, c.name));
  if (!rmdir()) throw new LxcdeckError('wrong-state', `cannot remove cgroup ${dir} (busy)`, 'kill its processes first');
}

/** rmdir of every job cgroup; the kernel refuses (EBUSY) while a process is inside. */
export function removeJobCgroups(cgroups: readonly JobCgroup[]): void {
  let first: unknown = null;
  for (const c of cgroups) {
    try {
      removeDir(c.dir);
    } catch (e) {
      first ??= e;
    }
  }
  if (first) throw first;
}
