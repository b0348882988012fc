import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import { cgroupDir, entryFor, parseProcCgroup, type CgroupHost } from '../host/cgroups.js';
import type { HostFs } from '../host/hostfs.js';
import { cpuQuotaUs, type JobLimits } from './limits.js';

/** A job's transient scope unit: `lxcdeck-job-<name>.scope` (job names are valid unit names). */
export function jobScopeUnit(name: string): string {
  return `lxcdeck-job-${name}.scope`;
}

/** CPUQuota= takes at most two decimals of a percent: 1/100 % of a core is 10 µs per 100 ms period. */
export function cpuQuotaProperty(percent: number): string {
  const permyriad = Math.round(cpuQuotaUs(percent) / 10);
  return `CPUQuota=${Math.floor(permyriad / 100)}.${String(permyriad % 100).padStart(2, '0')}%`;
}

/**
 * The argv prefix that starts the job's launcher in its own scope. Limits are
 * unit properties: the scope's own cpu.max/memory.max/pids.max belong to
 * systemd, which re-applies its values on a daemon-reload. Delegate=yes lets
 * the job make cgroups below (a build that starts containers); --collect
 * unloads a failed scope so the name can be used again.
 */
export function scopeCommand(manager: 'user' | 'system', name: string, limits: JobLimits): string[] {
  const props: string[] = ['Delegate=yes'];
  if (limits.cpuMaxPercent !== undefined) props.push(cpuQuotaProperty(limits.cpuMaxPercent));
  if (limits.memoryMaxBytes !== undefined) props.push(`MemoryMax=${limits.memoryMaxBytes}`);
  if (limits.pidsMax !== undefined) props.push(`TasksMax=${limits.pidsMax}`);
  return [
    'systemd-run',
    ...(manager === 'user' ? ['--user'] : []),
    '--scope',
    '--quiet',
    '--collect',
    `--unit=${jobScopeUnit(name)}`,
    `--description=lxcdeck job ${name}`,
    ...props.flatMap((p) => ['-p', p]),
    '--',
  ];
}

/** The v2 cgroup directory a process sits in, from its /proc/<pid>/cgroup text; null if none. */
export function v2DirOf(host: CgroupHost, procCgroup: string): string | null {
  const h = host.hierarchies.find((x) => x.version === 2);
  const e = h && entryFor(h, parseProcCgroup(procCgroup));
  return h && e ? cgroupDir(h, e.path) : null;
}

const LIMIT_FILES: [keyof JobLimits, string, string][] = [
  ['cpuMaxPercent', 'cpu', 'cpu.max'],
  ['memoryMaxBytes', 'memory', 'memory.max'],
  ['pidsMax', 'pids', 'pids.max'],
];

/**
 * Checks, before the command runs, that the scope is the job's own cgroup and
 * holds every requested limit. systemd skips a limit whose controller its
 * manager lacks (user@.service delegates cpu, memory and pids only), without
 * an error: so we read the scope's cgroup.controllers and limit files.
 */
export function checkJobScope(fs: HostFs, dir: string, opts: { name: string; user: string; manager: 'user' | 'system'; limits: JobLimits }): void {
  const unit = jobScopeUnit(opts.name);
  if (path.posix.basename(dir) !== unit)
    throw new LxcdeckError('internal', `the job landed in ${dir}, not in its scope ${unit}`, 'check that systemd-run works here: systemd-run --scope true');
  const have = (fs.read(path.posix.join(dir, 'cgroup.controllers')) ?? '').trim().split(/\s+/).filter(Boolean);
  for (const [key, controller, file] of LIMIT_FILES) {
    if (opts.limits[key] === undefined) continue;
    const value = fs.read(path.posix.join(dir, file))?.trim();
    if (have.includes(controller) && value !== undefined && !value.startsWith('max')) continue;
    const who = opts.manager === 'user' ? `${opts.user}'s systemd user manager` : 'this systemd';
    throw new LxcdeckError(
      'no-delegated-cgroup',
      `the ${controller} controller is not delegated to ${who} (the job's scope has: ${have.join(' ') || 'none'})`,
      opts.manager === 'user'
        ? `drop the ${controller} limit, or add ${controller} to Delegate= of user@.service (sudo systemctl edit user@.service)`
        : `drop the ${controller} limit, or enable the ${controller} controller in /sys/fs/cgroup/cgroup.subtree_control`,
    );
  }
}
