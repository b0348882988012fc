import * as path from 'node:path';
import { hostIdForRoot, isMappedInside, parseIdMapEntry, type IdMapEntry } from '../core/idmap.js';
import type { StateDisagreement } from '../core/state.js';
import { hasOwnCgroup, requiredDelegations, type CgroupHost, type Delegation } from './cgroups.js';
import type { HostFs } from './hostfs.js';
import type { Identity } from './identity.js';
import { formatRange, parseSubIds } from './subid.js';
import { parseUsernet, usernetFor } from './usernet.js';

/**
 * `lxcdeck doctor`: can this user run containers here? Each check says what
 * it found; a failed one says the exact command that fixes it.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorInput {
  fs: HostFs;
  identity: Identity;
  cgroups: CgroupHost;
  delegations: Delegation[];
  lxcVersion: string | null;
  lxcpath: string;
  defaultConf: string;
  systemdUserManager: boolean;
  /** Running containers with their init pids, to spot ones without their own cgroup or with a half-done freeze. */
  /** lxcpath: set for a container outside the first lxcpath (named with it, and its fix says -P). */
  running: { name: string; lxcpath?: string; pid: number; disagreement?: StateDisagreement }[];
  /** `getfacl -cpn DIR` output, or null (no ACL support here). */
  aclOf?: (dir: string) => string | null;
}

export interface DoctorReport {
  user: string;
  uid: number;
  layout: string;
  lxcpath: string;
  checks: Check[];
}

const ok = (id: string, title: string, detail: string): Check => ({ id, title, status: 'ok', detail });
const fail = (id: string, title: string, detail: string, fix: string): Check => ({ id, title, status: 'fail', detail, fix });
const warn = (id: string, title: string, detail: string, fix?: string): Check => ({ id, title, status: 'warn', detail, ...(fix ? { fix } : {}) });

/** lxc.* lines of a config file (no includes followed), key -> values. */
export function parseLxcConf(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

/** A config file's keys with lxc.include'd files folded in (one level of nesting per file, no cycles). */
export function readLxcConf(fs: HostFs, file: string, seen = new Set<string>()): Map<string, string[]> {
  if (seen.has(file)) return new Map();
  seen.add(file);
  const own = parseLxcConf(fs.read(file) ?? '');
  const merged = new Map<string, string[]>();
  for (const inc of own.get('lxc.include') ?? []) for (const [k, v] of readLxcConf(fs, inc, seen)) merged.set(k, [...(merged.get(k) ?? []), ...v]);
  for (const [k, v] of own) if (k !== 'lxc.include') merged.set(k, [...(merged.get(k) ?? []), ...v]);
  return merged;
}

function layoutDetail(host: CgroupHost): string {
  switch (host.layout) {
    case 'hybrid':
      return 'hybrid: v1 controllers, plus a v2 hierarchy at ' + (host.hierarchies.find((h) => h.version === 2)?.mountPoint ?? '?');
    case 'v1':
      return 'v1 (legacy) controllers only';
    case 'v2':
      return 'v2 (unified) at ' + (host.hierarchies.find((h) => h.version === 2)?.mountPoint ?? '?');
    default:
      return 'no cgroup filesystem mounted';
  }
}

export function diagnose(input: DoctorInput): DoctorReport {
  const { fs, identity: id, cgroups } = input;
  const checks: Check[] = [];
  const root = id.uid === 0;
  const conf = readLxcConf(fs, input.defaultConf);

  checks.push(
    input.lxcVersion
      ? ok('liblxc', 'liblxc', `version ${input.lxcVersion}`)
      : fail('liblxc', 'liblxc', 'liblxc could not be loaded', 'sudo apt-get install lxc lxc-dev && npm install'),
  );
  checks.push(
    cgroups.layout === 'none'
      ? fail('cgroup-layout', 'cgroup layout', layoutDetail(cgroups), 'mount cgroup2 on /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup)')
      : ok('cgroup-layout', 'cgroup layout', layoutDetail(cgroups)),
  );

  // delegation, per hierarchy
  const required = new Set(requiredDelegations(cgroups, input.delegations).map((d) => d.hierarchy));
  for (const d of input.delegations) {
    const title = `cgroup ${d.hierarchy}`;
    if (d.delegated) checks.push(ok(`cgroup:${d.hierarchy}`, title, `${d.dir} is ${root ? 'writable (root)' : 'delegated to you'}`));
    else if (!required.has(d.hierarchy))
      checks.push(warn(`cgroup:${d.hierarchy}`, title, `${d.reason ?? 'not delegated'}; LXC skips this hierarchy`));
    else if (cgroups.layout === 'v2')
      checks.push(
        input.systemdUserManager
          ? warn(`cgroup:${d.hierarchy}`, title, `${d.reason ?? 'not delegated'}; unprivileged start and attach will run in 'systemd-run --user --scope -p Delegate=yes'`)
          : fail(`cgroup:${d.hierarchy}`, title, `${d.reason ?? 'not delegated'} and no systemd user manager`, `sudo loginctl enable-linger ${id.user}, then log in again`),
      );
    else
      checks.push(
        fail(
          `cgroup:${d.hierarchy}`,
          title,
          d.reason ?? 'not delegated',
          `sudo scripts/prepare-host --user ${id.user} && exec scripts/enter-cgroup`,
        ),
      );
  }

  // containers that did not get a cgroup of their own (v2 start outside a delegated scope)
  if (cgroups.layout === 'v2') {
    for (const r of input.running) {
      const text = fs.read(`/proc/${r.pid}/cgroup`);
      if (text && !hasOwnCgroup(text, r.name, 2))
        checks.push(
          fail(
            `own-cgroup:${label(r)}`,
            `cgroup of ${label(r)}`,
            `${label(r)} sits in its monitor's cgroup, not lxc.payload.${r.name}: freeze and limits will fail`,
            `${lxcdeckAt(r)} stop ${r.name} && ${lxcdeckAt(r)} start ${r.name}`,
          ),
        );
    }
  }

  // a freeze or thaw killed half-way: liblxc and the freezer cgroup disagree
  for (const r of input.running) {
    const d = r.disagreement;
    if (d)
      checks.push(
        fail(
          `freezer:${label(r)}`,
          `freezer of ${label(r)}`,
          `liblxc says ${d.liblxc} but the freezer cgroup says ${d.cgroup} (a freeze or thaw was interrupted): attach and stop may hang`,
          `${lxcdeckAt(r)} thaw ${r.name}`,
        ),
      );
  }

  if (!root) {
    const subuid = parseSubIds(fs.read('/etc/subuid') ?? '', id.user, id.uid);
    const subgid = parseSubIds(fs.read('/etc/subgid') ?? '', id.user, id.uid);
    const fixIds = `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${id.user}`;
    checks.push(subuid.length ? ok('subuid', '/etc/subuid', subuid.map(formatRange).join(', ')) : fail('subuid', '/etc/subuid', `no range for ${id.user}`, fixIds));
    checks.push(subgid.length ? ok('subgid', '/etc/subgid', subgid.map(formatRange).join(', ')) : fail('subgid', '/etc/subgid', `no range for ${id.user}`, fixIds));

    for (const tool of ['newuidmap', 'newgidmap']) {
      const file = ['/usr/bin', '/bin', '/usr/sbin'].map((d) => path.posix.join(d, tool)).find((p) => fs.exists(p));
      const st = file ? fs.stat(file) : null;
      if (!file || !st) checks.push(fail(tool, tool, `${tool} is not installed`, 'sudo apt-get install uidmap'));
      else if (st.uid === 0 && (st.mode & 0o4000) !== 0) checks.push(ok(tool, tool, `${file} is setuid root`));
      else checks.push(warn(tool, tool, `${file} is not setuid root (fine only if it has file capabilities)`, `sudo chmod u+s ${file}`));
    }

    const usernet = usernetFor(parseUsernet(fs.read('/etc/lxc/lxc-usernet') ?? ''), id.user, id.groups);
    checks.push(
      usernet.length
        ? ok('lxc-usernet', '/etc/lxc/lxc-usernet', usernet.map((e) => `${e.type} on ${e.link} x${e.count}`).join(', '))
        : fail('lxc-usernet', '/etc/lxc/lxc-usernet', `no entry for ${id.user}: its containers get no network`, `echo '${id.user} veth lxcbr0 10' | sudo tee -a /etc/lxc/lxc-usernet`),
    );

    // idmaps of ~/.config/lxc/default.conf inside the subordinate ranges
    const maps: IdMapEntry[] = [];
    let badMap: string | null = null;
    for (const v of conf.get('lxc.idmap') ?? []) {
      try {
        maps.push(parseIdMapEntry(v));
      } catch {
        badMap = v;
      }
    }
    const mapFix = subuid[0] && subgid[0] ? `put 'lxc.idmap = u 0 ${subuid[0].start} ${subuid[0].count}' and 'lxc.idmap = g 0 ${subgid[0].start} ${subgid[0].count}' in ${input.defaultConf}` : fixIds;
    if (badMap) checks.push(fail('idmap', 'default idmap', `malformed lxc.idmap ${JSON.stringify(badMap)} in ${input.defaultConf}`, mapFix));
    else if (!maps.length) checks.push(fail('idmap', 'default idmap', `no lxc.idmap in ${input.defaultConf}`, mapFix));
    else {
      const outside = maps.filter((m) => !isMappedInside(m, m.kind === 'u' ? subuid : subgid));
      checks.push(
        outside.length
          ? fail('idmap', 'default idmap', `${outside.map((m) => `${m.kind} ${m.nsid} ${m.hostid} ${m.range}`).join('; ')} lies outside your /etc/sub${outside[0]?.kind}id ranges`, mapFix)
          : ok('idmap', 'default idmap', maps.map((m) => `${m.kind} ${m.nsid} ${m.hostid} ${m.range}`).join('; ')),
      );
    }

    // the container's root must traverse every directory down to the lxcpath
    const rootUid = hostIdForRoot(maps, 'u');
    if (rootUid !== null) checks.push(traversalCheck(fs, input.lxcpath, rootUid, input.aclOf));
  }

  // the default network link
  const type = conf.get('lxc.net.0.type')?.at(-1);
  const link = conf.get('lxc.net.0.link')?.at(-1);
  if ((type === 'veth' || type === 'macvlan') && link)
    checks.push(
      fs.exists(`/sys/class/net/${link}`)
        ? ok('net-link', 'default network link', `${link} exists (${type})`)
        : fail('net-link', 'default network link', `${link} (lxc.net.0.link in ${input.defaultConf}) does not exist`, `sudo ip link add ${link} type bridge && sudo ip link set ${link} up`),
    );
  else checks.push(ok('net-link', 'default network link', type ? `lxc.net.0.type = ${type}` : 'no default network'));

  checks.push(apparmorCheck(fs, conf, input.defaultConf));

  if (cgroups.layout === 'v2' && !root)
    checks.push(
      input.systemdUserManager
        ? ok('systemd-scope', 'systemd user manager', 'reachable: unprivileged starts run in a delegated scope when needed')
        : warn('systemd-scope', 'systemd user manager', 'not reachable: unprivileged starts need a delegated cgroup', `sudo loginctl enable-linger ${id.user}`),
    );

  return { user: id.user, uid: id.uid, layout: cgroups.layout, lxcpath: input.lxcpath, checks };
}

/** A running container as the checks name it: with its lxcpath when that is not the first one. */
const label = (r: { name: string; lxcpath?: string }) => (r.lxcpath ? `${r.name} in ${r.lxcpath}` : r.name);
const lxcdeckAt = (r: { lxcpath?: string }) => (r.lxcpath ? `lxcdeck -P ${r.lxcpath}` : 'lxcdeck');

/** Every directory from / to the lxcpath must let `uid` (others, or an ACL) search it. */
export function traversalCheck(fs: HostFs, lxcpath: string, uid: number, aclOf: (dir: string) => string | null = () => null): Check {
  const dirs: string[] = [];
  let p = path.posix.resolve(lxcpath);
  for (;;) {
    dirs.unshift(p);
    const parent = path.posix.dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const d of dirs) {
    const st = fs.stat(d);
    if (!st) continue; // created on first container
    const canSearch = st.uid === uid ? (st.mode & 0o100) !== 0 : (st.mode & 0o001) !== 0 || aclAllowsSearch(aclOf(d), uid);
    if (!canSearch)
      return fail(
        'lxcpath-traversal',
        'lxcpath traversal',
        `container root (uid ${uid}) cannot traverse ${d} (mode ${(st.mode & 0o777).toString(8)}, no ACL entry for it)`,
        `sudo setfacl -m u:${uid}:x ${d}`,
      );
  }
  return ok('lxcpath-traversal', 'lxcpath traversal', `uid ${uid} can traverse down to ${lxcpath}`);
}

/** Whether `getfacl -cpn` output has a user entry for uid with x (mask permitting). */
export function aclAllowsSearch(acl: string | null, uid: number): boolean {
  if (!acl) return false;
  const entry = new RegExp(`^user:${uid}:([rwx-]{3})`, 'm').exec(acl);
  if (!entry || !entry[1]?.includes('x')) return false;
  const mask = /^mask::([rwx-]{3})/m.exec(acl);
  return !mask || (mask[1] ?? '').includes('x');
}

/**
 * lxc.apparmor.profile = generated (Debian's default) needs apparmor_parser
 * when the kernel has AppArmor on; without it every start fails with a bare
 * "Failed to receive the container state".
 */
export function apparmorCheck(fs: HostFs, conf: Map<string, string[]>, defaultConf: string): Check {
  const enabled = (fs.read('/sys/module/apparmor/parameters/enabled') ?? '').trim() === 'Y';
  const profile = conf.get('lxc.apparmor.profile')?.at(-1) ?? 'generated';
  if (!enabled) return ok('apparmor', 'AppArmor', 'not enabled in this kernel');
  if (profile !== 'generated') return ok('apparmor', 'AppArmor', `lxc.apparmor.profile = ${profile}`);
  const parser = ['/sbin/apparmor_parser', '/usr/sbin/apparmor_parser'].some((p) => fs.exists(p));
  return parser
    ? ok('apparmor', 'AppArmor', 'generated profiles, apparmor_parser present')
    : fail('apparmor', 'AppArmor', `lxc.apparmor.profile = generated (${defaultConf}) but apparmor_parser is missing: starts will fail`, 'sudo apt-get install apparmor');
}
