import { cidrOverlaps, formatCidr, intToIpv4, ipv4In, ipv4Range, ipv4ToInt, parseCidr, parseIPv4, type Cidr } from '../core/cidr.js';
import { LxcdeckError } from '../core/errors.js';

/**
 * A network as lxcdeck stores it (/etc/lxcdeck/networks/<name>.json): what
 * to build on the host and who is in it. Everything here is pure: parsing,
 * defaults, naming and the checks against facts the host layer gathered.
 */
export type NetKind = 'nat' | 'bridge' | 'macvlan';
export const MACVLAN_MODES = ['bridge', 'vepa', 'private', 'passthru'] as const;
export type MacvlanMode = (typeof MACVLAN_MODES)[number];

export interface Forward {
  proto: 'tcp' | 'udp';
  hostPort: number;
  container: string;
  port: number;
}

/** A container's place in a network: reserved by `net join` or a forward, with its fixed MAC and address. */
export interface Member {
  container: string;
  slot: number;
  mac: string;
  /** IPv4 address (no prefix), null for a bridge without subnet or a macvlan without --ip. */
  ip: string | null;
  /** Host-side veth name (lxc.net.N.veth.pair); null for macvlan and unprivileged joins. */
  veth: string | null;
}

export interface NetworkDef {
  version: 1;
  name: string;
  kind: NetKind;
  /** The host bridge (nat, bridge). */
  bridge: string | null;
  /** The bridge existed before lxcdeck: never created nor deleted. */
  existingBridge: boolean;
  subnet: string | null;
  /** Host address with prefix ("10.20.0.1/24") on the bridge (nat, optional for bridge). */
  address: string | null;
  dhcp: { start: string; end: string } | null;
  /** nat: a ULA /64 with router advertisements and NAT66 ("fd12:3456:789a::/64"); absent in older definitions. */
  ipv6?: string | null;
  /** The host's IPv6 address on the bridge ("fd12:3456:789a::1/64"). */
  address6?: string | null;
  /** The bridge's own MAC (lxc-net's LXC_BRIDGE_MAC, kept by net import); absent: the kernel's. */
  mac?: string | null;
  domain: string | null;
  antiSpoof: boolean;
  /** bridge: a host port enslaved to the bridge; its addresses move to the bridge. */
  uplink: string | null;
  moveAddresses: string[];
  /** macvlan */
  parent: string | null;
  mode: MacvlanMode | null;
  /** macvlan: host shim address (no prefix) so the host reaches its containers. */
  shim: string | null;
  forwards: Forward[];
  members: Member[];
  /** Shown, never changed (Debian's lxc-net bridge). */
  readOnly?: boolean;
}

export interface HostLink {
  name: string;
  kind: string | null;
  master: string | null;
  /** Addresses with prefix ("192.168.1.5/24"). */
  addresses: string[];
}

/** What the host looks like, gathered by src/host/netFacts before a plan is made. */
export interface HostFacts {
  links: HostLink[];
  /** Route destinations ("default" or a prefix) and their device. */
  routes: { dst: string; dev: string | null }[];
  networks: NetworkDef[];
  root: boolean;
  tools: { nft: boolean; dnsmasq: boolean };
  /** Host ports something listens on (a forward of one would shadow it). */
  listening?: { proto: 'tcp' | 'udp'; port: number }[];
  /** 40 random bits (hex) for a ULA global ID (RFC 4193), from the host layer. */
  ulaSeed?: string;
}

const bad = (what: string, fix: string) => new LxcdeckError('invalid-argument', what, fix);

export function validateNetName(name: string): string {
  if (!/^[a-z][a-z0-9]{0,9}$/.test(name))
    throw bad(`invalid network name ${JSON.stringify(name)}`, 'use 1 to 10 lowercase letters and digits, starting with a letter (it names the bridge ldk-<name>)');
  return name;
}

export const bridgeName = (net: string) => `ldk-${net}`;
export const shimName = (net: string) => `ldks-${net}`;
export const vethName = (net: string, slot: number) => `${net}v${slot}`;
export const nftTable = (net: string) => `lxcdeck-${net}`;
export const RUN_ROOT = '/run/lxcdeck';
export const runDir = (net: string) => `${RUN_ROOT}/${net}`;

export function parseSubnet4(text: string): Cidr {
  const r = parseCidr(text, { family: 4 });
  if (!r.ok) throw bad(`invalid subnet: ${r.error}`, 'give an IPv4 prefix with --subnet');
  if (r.cidr.prefix > 30) throw bad(`subnet ${text} is too small`, 'use a prefix of /30 or larger, e.g. /24');
  return r.cidr;
}

/** "8080:web:80" or "8080/udp:web:53". */
export function parseForward(text: string): Forward {
  const m = /^(\d{1,5})(?:\/(tcp|udp))?:([A-Za-z0-9][A-Za-z0-9_.-]*):(\d{1,5})$/.exec(text.trim());
  const hostPort = Number(m?.[1]);
  const port = Number(m?.[4]);
  if (!m || hostPort < 1 || hostPort > 65535 || port < 1 || port > 65535)
    throw bad(`invalid port forward ${JSON.stringify(text)}`, 'write host-port[/tcp|udp]:container:port, e.g. 8080:web:80');
  return { proto: (m[2] as 'tcp' | 'udp' | undefined) ?? 'tcp', hostPort, container: m[3] as string, port };
}

export const forwardText = (f: Forward) => `${f.hostPort}/${f.proto} -> ${f.container}:${f.port}`;

/** A stable locally administered MAC for a container in a network (FNV-1a of both names). */
export function memberMac(net: string, container: string): string {
  let h = 0x811c9dc5;
  for (const ch of `${net}/${container}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const b = [0x02, 0x1d, h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function validateMac(mac: string): string {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac) || (parseInt(mac.slice(0, 2), 16) & 1) === 1)
    throw bad(`invalid MAC ${JSON.stringify(mac)}`, 'give a unicast MAC such as 02:1d:00:00:00:01');
  return mac.toLowerCase();
}

/** Default host address (first host) and DHCP range (second half of the subnet, minus the last). */
export function defaultsFor(subnet: Cidr): { address: string; dhcp: { start: string; end: string } } {
  const { first, last } = ipv4Range(subnet);
  const size = last - first + 1;
  const start = size >= 8 ? first + Math.floor(size / 2) : first + 2;
  return { address: `${intToIpv4(first + 1)}/${subnet.prefix}`, dhcp: { start: intToIpv4(start), end: intToIpv4(last - 1) } };
}

/** The next free fixed address: from .2 up, below the DHCP range, not taken by the host or a member. */
export function nextMemberIp(def: NetworkDef): string | null {
  if (!def.subnet) return null;
  const subnet = parseSubnet4(def.subnet);
  const { first, last } = ipv4Range(subnet);
  const taken = new Set(def.members.map((m) => m.ip));
  if (def.address) taken.add(def.address.split('/')[0] ?? null);
  const stop = def.dhcp ? ipv4ToInt(parseIPv4(def.dhcp.start) ?? []) : last;
  for (let n = first + 1; n < stop && n < last; n++) if (!taken.has(intToIpv4(n))) return intToIpv4(n);
  throw bad(`no free fixed address left in ${def.subnet} below the DHCP range`, 'give one with --ip, or move the DHCP range up');
}

/** Reserves (or finds) a container's member entry. */
export function reserveMember(def: NetworkDef, container: string, opts: { ip?: string; mac?: string; veth?: boolean } = {}): Member {
  const existing = def.members.find((m) => m.container === container);
  if (existing && !opts.ip && !opts.mac) return existing;
  if (opts.ip !== undefined) {
    if (!parseIPv4(opts.ip)) throw bad(`invalid address ${JSON.stringify(opts.ip)}`, 'give an IPv4 address with --ip, e.g. 10.20.0.10');
    if (def.subnet && !ipv4In(parseSubnet4(def.subnet), opts.ip)) throw bad(`address ${opts.ip} is not in ${def.subnet}`, `pick one inside ${def.subnet}`);
    const owner = def.members.find((m) => m.ip === opts.ip && m.container !== container);
    if (owner || def.address?.split('/')[0] === opts.ip) throw bad(`address ${opts.ip} is taken in network ${def.name}${owner ? ` by ${owner.container}` : ' by the host'}`, 'pick another with --ip');
  }
  const slot = existing?.slot ?? Math.max(-1, ...def.members.map((m) => m.slot)) + 1;
  const m: Member = {
    container,
    slot,
    mac: opts.mac ? validateMac(opts.mac) : (existing?.mac ?? memberMac(def.name, container)),
    ip: opts.ip ?? existing?.ip ?? (def.kind === 'macvlan' ? null : nextMemberIp(def)),
    veth: def.kind === 'macvlan' || opts.veth === false ? null : vethName(def.name, slot),
  };
  def.members = [...def.members.filter((x) => x.container !== container), m].sort((a, b) => a.slot - b.slot);
  return m;
}

/** The overlap checks: a new subnet must not touch a host address, route or another network. */
export function checkSubnetFree(subnet: Cidr, facts: HostFacts, self: string): void {
  const text = formatCidr(subnet);
  for (const l of facts.links)
    for (const a of l.addresses) {
      const r = parseCidr(a, { form: 'address' });
      if (r.ok && r.cidr.family === 4 && cidrOverlaps(r.cidr, subnet)) throw bad(`subnet ${text} overlaps ${a} on ${l.name}`, 'pick a free subnet (lxcdeck proposes one when --subnet is left out)');
    }
  for (const rt of facts.routes) {
    const r = rt.dst === 'default' ? null : parseCidr(rt.dst.includes('/') ? rt.dst : `${rt.dst}/32`, { form: 'address' });
    if (r?.ok && r.cidr.family === 4 && cidrOverlaps(r.cidr, subnet)) throw bad(`subnet ${text} overlaps the route to ${rt.dst}${rt.dev ? ` via ${rt.dev}` : ''}`, 'pick a free subnet');
  }
  for (const n of facts.networks)
    if (n.name !== self && n.subnet && cidrOverlaps(parseSubnet4(n.subnet), subnet)) throw bad(`subnet ${text} overlaps network ${n.name} (${n.subnet})`, 'pick a free subnet');
}

/** A free 10.x.y.0/24 that overlaps nothing on the host. */
export function proposeSubnet(facts: HostFacts): string {
  for (let x = 20; x < 255; x++) {
    const c = parseSubnet4(`10.${x}.0.0/24`);
    try {
      checkSubnetFree(c, facts, '');
      return formatCidr(c);
    } catch {
      // taken: next
    }
  }
  throw bad('no free 10.x.0.0/24 subnet left', 'give one with --subnet');
}
