import type { CgroupHost, Delegation } from '../host/cgroups.js';

/**
 * Where a job's cgroup comes from:
 * - `cgroup-tree`: we mkdir `lxcdeck.job.<name>` under the delegated cgroup of
 *   every hierarchy (v1, hybrid, and v2 without systemd);
 * - `systemd-scope`: systemd makes a transient scope `lxcdeck-job-<name>.scope`
 *   for the job's launcher, and that scope is the job's cgroup;
 * - `refuse`: neither is possible here.
 */
export type JobPlacement =
  | { kind: 'cgroup-tree' }
  | { kind: 'systemd-scope'; manager: 'user' | 'system' }
  | { kind: 'refuse'; reason: string; fix: string };

/**
 * Pure v2 with a systemd manager we can reach: always a scope of its own,
 * also for root and for a user already inside a delegated scope, because
 * - the cgroup we run in holds processes (lxcdeck itself, the service or
 *   session), so by the no-internal-process rule it cannot pass cpu, memory
 *   or pids down to a child: limits could not work there;
 * - a scope is a leaf systemd made for exactly this, gives it the controllers
 *   it has (Delegate=yes), applies the limits as unit properties (so a
 *   daemon-reload keeps them) and removes it once it is empty;
 * - the job outlives the TUI's or terminal's scope, as DESIGN.md wants.
 * Without systemd the delegated cgroup tree is the only way (as on v1).
 */
export function decideJobPlacement(opts: {
  uid: number;
  user: string;
  host: CgroupHost;
  delegations: readonly Delegation[];
  /** /run/systemd/system exists: systemd is the init. */
  systemdSystem: boolean;
  /** The user's manager answers (hasSystemdUserManager). */
  systemdUserManager: boolean;
}): JobPlacement {
  if (opts.host.layout !== 'v2') return { kind: 'cgroup-tree' };
  if (opts.uid === 0) return opts.systemdSystem ? { kind: 'systemd-scope', manager: 'system' } : { kind: 'cgroup-tree' };
  if (opts.systemdUserManager) return { kind: 'systemd-scope', manager: 'user' };
  const d = opts.delegations.find((x) => x.version === 2);
  if (d?.delegated) return { kind: 'cgroup-tree' };
  return {
    kind: 'refuse',
    reason: `your cgroup ${d?.dir || '(unknown)'} is not delegated to ${opts.user} and no systemd user manager is reachable`,
    fix: `run from a systemd login session (sudo loginctl enable-linger ${opts.user}) or from a delegated cgroup`,
  };
}
