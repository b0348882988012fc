import * as path from 'node:path';
import type { HostFs } from './hostfs.js';

/**
 * cgroup facts: which hierarchies are mounted (v1, hybrid, v2), where a
 * process sits in each, whether that cgroup is delegated to a user, and
 * where a container's cgroup is. Everything reads through HostFs so the same
 * code runs over recorded trees in tests.
 */

export type CgroupLayout = 'v1' | 'hybrid' | 'v2' | 'none';

export interface Hierarchy {
  version: 1 | 2;
  /** v1: controllers and named hierarchies (e.g. ['cpu', 'cpuacct'], ['name=systemd']); v2: []. */
  controllers: string[];
  mountPoint: string;
  /** The mount's root inside the hierarchy (mountinfo field 4), usually '/'. */
  mountRoot: string;
}

export interface ProcCgroupEntry {
  id: number;
  controllers: string[];
  path: string;
}

// Mount options of cgroup v1 that are not controllers.
const V1_NON_CONTROLLER_OPTS = new Set(['rw', 'ro', 'xattr', 'clone_children', 'noprefix', 'cpuset_v2_mode', 'favordynmods']);

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): Hierarchy[] {
  const out: Hierarchy[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    const fstype = post[0];
    const root = unescapeMount(pre[3] ?? '/');
    const mountPoint = unescapeMount(pre[4] ?? '');
    if (fstype === 'cgroup2') {
      if (seen.has('v2')) continue;
      seen.add('v2');
      out.push({ version: 2, controllers: [], mountPoint, mountRoot: root });
    } else if (fstype === 'cgroup') {
      const controllers = (post[2] ?? '')
        .split(',')
        .filter((o) => o && !V1_NON_CONTROLLER_OPTS.has(o) && !o.startsWith('release_agent='))
        .sort();
      const key = controllers.join(',');
      if (!key || seen.has(key)) continue;
      seen.add(key);
      out.push({ version: 1, controllers, mountPoint, mountRoot: root });
    }
  }
  return out;
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    out.push({ id: Number(m[1]), controllers: m[2] ? m[2].split(',').sort() : [], path: m[3] ?? '/' });
  }
  return out;
}

export function layoutOf(hierarchies: readonly Hierarchy[]): CgroupLayout {
  const v1 = hierarchies.some((h) => h.version === 1 && h.controllers.some((c) => !c.startsWith('name=')));
  const v2 = hierarchies.some((h) => h.version === 2);
  if (v1 && v2) return 'hybrid';
  if (v1) return 'v1';
  if (v2) return 'v2';
  return 'none';
}

/** A short label for a hierarchy: 'cpu,cpuacct', 'name=systemd' or 'unified'. */
export function hierarchyLabel(h: Hierarchy): string {
  return h.version === 2 ? 'unified' : h.controllers.join(',');
}

export function entryFor(h: Hierarchy, entries: readonly ProcCgroupEntry[]): ProcCgroupEntry | undefined {
  if (h.version === 2) return entries.find((e) => e.id === 0 && e.controllers.length === 0);
  const key = h.controllers.join(',');
  return entries.find((e) => e.controllers.join(',') === key);
}

/** Absolute directory of a cgroup path inside a hierarchy. */
export function cgroupDir(h: Hierarchy, cgPath: string): string {
  // the usual case without path's normalising (a listing makes ~13 of these per running container)
  if (h.mountRoot === '/' && cgPath === '/') return h.mountPoint;
  if (h.mountRoot === '/' && !h.mountPoint.endsWith('/') && /^(\/[^/]+)+$/.test(cgPath) && !/\/\.\.?(\/|$)/.test(cgPath)) return `${h.mountPoint}${cgPath}`;
  const rel = path.posix.relative(h.mountRoot, cgPath);
  // a path outside the mount's root (another cgroup namespace) is not reachable here
  if (rel.startsWith('..')) return path.posix.join(h.mountPoint, cgPath);
  return path.posix.join(h.mountPoint, rel);
}

export interface CgroupHost {
  layout: CgroupLayout;
  hierarchies: Hierarchy[];
}

export function readCgroupHost(fs: HostFs): CgroupHost {
  const hierarchies = parseMountinfo(fs.read('/proc/self/mountinfo') ?? '');
  return { layout: layoutOf(hierarchies), hierarchies };
}

/** Hierarchies the container layer uses: every v1 one, and v2 unless it is the empty hybrid one. */
export function hierarchyFor(host: CgroupHost, controller: string): Hierarchy | undefined {
  const v1 = host.hierarchies.find((h) => h.version === 1 && h.controllers.includes(controller));
  if (v1) return v1;
  return host.hierarchies.find((h) => h.version === 2);
}

export interface Delegation {
  hierarchy: string;
  version: 1 | 2;
  dir: string;
  delegated: boolean;
  /** Why not, in a few words. */
  reason?: string;
}

/**
 * Whether `uid` may create child cgroups and move processes in its current
 * cgroup of each hierarchy: the directory and its cgroup.procs are its own.
 */
export function delegationOf(fs: HostFs, host: CgroupHost, procCgroup: string, uid: number): Delegation[] {
  const entries = parseProcCgroup(procCgroup);
  return host.hierarchies.map((h) => {
    const label = hierarchyLabel(h);
    const entry = entryFor(h, entries);
    if (!entry) return { hierarchy: label, version: h.version, dir: '', delegated: false, reason: 'not in /proc/self/cgroup' };
    const dir = cgroupDir(h, entry.path);
    if (uid === 0) return { hierarchy: label, version: h.version, dir, delegated: true };
    const d = fs.stat(dir);
    const procs = fs.stat(path.posix.join(dir, 'cgroup.procs'));
    if (!d) return { hierarchy: label, version: h.version, dir, delegated: false, reason: `${dir} is missing` };
    if (d.uid !== uid) return { hierarchy: label, version: h.version, dir, delegated: false, reason: `${dir} is owned by uid ${d.uid}` };
    if (!procs || procs.uid !== uid)
      return { hierarchy: label, version: h.version, dir, delegated: false, reason: `${dir}/cgroup.procs is not yours` };
    return { hierarchy: label, version: h.version, dir, delegated: true };
  });
}

/** On hybrid hosts the v2 hierarchy holds no controllers; LXC skips it when it cannot write there. */
export function requiredDelegations(host: CgroupHost, delegations: readonly Delegation[]): Delegation[] {
  if (host.layout === 'hybrid') return delegations.filter((d) => d.version === 1);
  return [...delegations];
}

export type StartPlacement =
  | { kind: 'direct' }
  | { kind: 'systemd-scope'; prefix: string[] }
  | { kind: 'refuse'; reason: string; fix: string };

export const SYSTEMD_SCOPE_PREFIX = ['systemd-run', '--user', '--scope', '--quiet', '-p', 'Delegate=yes', '--'];

/**
 * Where an unprivileged start (or attach) must run so the container gets a
 * cgroup of its own. Debian's liblxc has no systemd support: started from a
 * cgroup the user does not own, it "succeeds" but leaves the container in the
 * caller's cgroup (see DESIGN.md), so we decide before starting.
 */
export function decideStartPlacement(opts: {
  uid: number;
  user: string;
  host: CgroupHost;
  delegations: readonly Delegation[];
  systemdUserManager: boolean;
}): StartPlacement {
  if (opts.uid === 0) return { kind: 'direct' };
  const missing = requiredDelegations(opts.host, opts.delegations).filter((d) => !d.delegated);
  if (missing.length === 0) return { kind: 'direct' };
  if (opts.host.layout === 'v2' && opts.systemdUserManager) return { kind: 'systemd-scope', prefix: SYSTEMD_SCOPE_PREFIX };
  const names = missing.map((d) => d.hierarchy).join(' ');
  if (opts.host.layout === 'v2') {
    return {
      kind: 'refuse',
      reason: `your cgroup ${missing[0]?.dir ?? ''} is not delegated to ${opts.user} and no systemd user manager is reachable`,
      fix: `run from a systemd login session (sudo loginctl enable-linger ${opts.user}) or from a delegated cgroup`,
    };
  }
  return {
    kind: 'refuse',
    reason: `no delegated cgroup for ${opts.user} in: ${names}`,
    fix: `run 'sudo scripts/prepare-host --user ${opts.user}' once, then start lxcdeck from 'scripts/enter-cgroup'`,
  };
}

/** A container's own cgroup directory in each hierarchy, from its init's /proc/<pid>/cgroup. */
export function containerCgroupDirs(host: CgroupHost, initProcCgroup: string, name: string): Map<Hierarchy, string> {
  const entries = parseProcCgroup(initProcCgroup);
  // entryFor's lookup once, not once per hierarchy and line (it joined ~170 controller lists per container)
  const byKey = new Map<string, ProcCgroupEntry>();
  for (const e of entries) {
    const key = e.id === 0 && e.controllers.length === 0 ? '' : `v1:${e.controllers.join(',')}`;
    if (!byKey.has(key)) byKey.set(key, e);
  }
  const out = new Map<Hierarchy, string>();
  for (const h of host.hierarchies) {
    const e = byKey.get(h.version === 2 ? '' : `v1:${h.controllers.join(',')}`);
    if (!e) continue;
    out.set(h, cgroupDir(h, trimToContainerRoot(e.path, name)));
  }
  return out;
}

/**
 * An init that made sub-cgroups (systemd inside the container) sits below the
 * container's root cgroup; metrics and freezing want the root.
 */
export function trimToContainerRoot(cgPath: string, name: string): string {
  const parts = cgPath.split('/');
  for (const marker of [`lxc.payload.${name}`, `lxc.payload`]) {
    const i = parts.indexOf(marker);
    if (i >= 0) return parts.slice(0, i + 1).join('/') || '/';
  }
  const legacy = parts.findIndex((p, i) => p === 'lxc' && parts[i + 1] === name);
  if (legacy >= 0) return parts.slice(0, legacy + 2).join('/');
  return cgPath;
}

/** True when the container's init sits in a cgroup LXC made for it (lxc.payload.NAME). */
export function hasOwnCgroup(initProcCgroup: string, name: string, version: 1 | 2): boolean {
  const entries = parseProcCgroup(initProcCgroup);
  const e = version === 2 ? entries.find((x) => x.id === 0 && x.controllers.length === 0) : entries.find((x) => x.id !== 0);
  if (!e) return false;
  return e.path.split('/').some((p) => p === `lxc.payload.${name}` || p === 'lxc.payload');
}
