import * as path from 'node:path';
import { decideStartPlacement, delegationOf, type CgroupHost, type Delegation, type StartPlacement } from './cgroups.js';
import type { HostFs } from './hostfs.js';
import type { Identity } from './identity.js';

/** Whether a systemd user manager answers for this user (it can give us a delegated scope). */
export function hasSystemdUserManager(fs: HostFs, id: Identity, env: NodeJS.ProcessEnv = process.env): boolean {
  const runtime = env.XDG_RUNTIME_DIR || `/run/user/${id.uid}`;
  return fs.exists(path.posix.join(runtime, 'systemd', 'private'));
}

/** Whether systemd is the init (sd_booted): the system manager can give root a scope. */
export function hasSystemdSystemManager(fs: HostFs): boolean {
  return fs.exists('/run/systemd/system');
}

export function currentDelegations(fs: HostFs, host: CgroupHost, id: Identity): Delegation[] {
  return delegationOf(fs, host, fs.read('/proc/self/cgroup') ?? '', id.uid);
}

export function currentPlacement(fs: HostFs, host: CgroupHost, id: Identity): StartPlacement {
  return decideStartPlacement({
    uid: id.uid,
    user: id.user,
    host,
    delegations: currentDelegations(fs, host, id),
    systemdUserManager: hasSystemdUserManager(fs, id),
  });
}
