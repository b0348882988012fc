import { formatCidr, ipv4In, ipv4ToInt, parseIPv4 } from '../core/cidr.js';
import { LxcdeckError } from '../core/errors.js';
import {
  bridgeName,
  checkSubnetFree,
  defaultsFor,
  forwardText,
  MACVLAN_MODES,
  parseForward,
  parseSubnet4,
  proposeSubnet,
  reserveMember,
  validateNetName,
  type Forward,
  type HostFacts,
  type MacvlanMode,
  type NetKind,
  type NetworkDef,
} from './definition.js';
import { defineIpv6 } from './ipv6.js';

/** What `net create` (or the TUI wizard) asks for; every field as typed by the user. */
export interface NetRequest {
  name: string;
  kind: string;
  subnet?: string;
  bridge?: string;
  address?: string;
  dhcpRange?: string;
  domain?: string;
  forwards?: string[];
  antiSpoof?: boolean;
  uplink?: string;
  iKnow?: boolean;
  parent?: string;
  mode?: string;
  shim?: string;
  /** nat: true for a random ULA /64, or the prefix. */
  ipv6?: boolean | string;
}

const bad = (what: string, fix: string) => new LxcdeckError('invalid-argument', what, fix);

const rootOnly = (what: string) => new LxcdeckError('permission', `${what} needs root`, 'run it as root (sudo lxcdeck net create ...); unprivileged users join lxc-usernet bridges with lxcdeck net join');

/** A network definition from a request, checked against the host; throws a one-line error on bad input. */
export function defineNetwork(req: NetRequest, facts: HostFacts): NetworkDef {
  const name = validateNetName(req.name);
  if (!['nat', 'bridge', 'macvlan'].includes(req.kind)) throw bad(`unknown network kind ${JSON.stringify(req.kind)}`, 'use --kind nat, bridge or macvlan');
  const kind = req.kind as NetKind;
  if (!facts.root) throw rootOnly(`creating a ${kind} network`);
  if (facts.networks.some((n) => n.name === name)) throw bad(`network ${name} exists already`, `pick another name, or see lxcdeck net show ${name}`);
  if (req.antiSpoof && kind === 'macvlan') throw bad('--anti-spoof works on bridge and nat networks', 'leave it out for macvlan');
  if ((req.antiSpoof || kind === 'nat') && !facts.tools.nft) throw bad('nft is missing', 'install nftables: apt-get install nftables');
  if (kind === 'nat' && !facts.tools.dnsmasq) throw bad('dnsmasq is missing', 'install dnsmasq-base: apt-get install dnsmasq-base');
  const link = (n: string) => facts.links.find((l) => l.name === n);
  const def: NetworkDef = {
    version: 1, name, kind, bridge: null, existingBridge: false, subnet: null, address: null, dhcp: null, domain: null,
    antiSpoof: req.antiSpoof ?? false, uplink: null, moveAddresses: [], parent: null, mode: null, shim: null, forwards: [], members: [],
  };
  if (req.ipv6 !== undefined && req.ipv6 !== false && kind !== 'nat') throw bad('--ipv6 works on nat networks', 'use --kind nat, or leave --ipv6 out');
  if (kind === 'macvlan') return macvlan(def, req, facts);
  def.bridge = req.bridge ?? bridgeName(name);
  const existing = link(def.bridge);
  if (existing && (kind === 'nat' || existing.kind !== 'bridge'))
    throw bad(`interface ${def.bridge} exists already`, kind === 'nat' ? 'a NAT network makes its own bridge: leave --bridge out or pick a new name' : 'give the name of a bridge, or a new name');
  if (facts.networks.some((n) => n.bridge === def.bridge)) throw bad(`bridge ${def.bridge} belongs to another network`, 'pick another bridge');
  def.existingBridge = existing !== undefined;
  if (kind === 'nat' || req.subnet || req.address) {
    const subnet = parseSubnet4(req.subnet ?? proposeSubnet(facts));
    checkSubnetFree(subnet, facts, name);
    def.subnet = formatCidr(subnet);
    const d = defaultsFor(subnet);
    def.address = d.address;
    if (req.address) {
      if (!ipv4In(subnet, req.address)) throw bad(`host address ${req.address} is not in ${def.subnet}`, 'give an address inside the subnet');
      def.address = `${req.address}/${subnet.prefix}`;
    }
    if (kind === 'nat') def.dhcp = req.dhcpRange ? parseRange(req.dhcpRange, def.subnet) : d.dhcp;
    def.domain = kind === 'nat' ? (req.domain ?? name) : null;
  } else if (req.dhcpRange) throw bad('--dhcp-range needs a subnet', 'give --subnet as well, or use --kind nat');
  defineIpv6(def, req.ipv6, facts);
  if (req.uplink) uplink(def, req, facts);
  for (const f of req.forwards ?? []) addForward(def, parseForward(f), facts);
  return def;
}

function macvlan(def: NetworkDef, req: NetRequest, facts: HostFacts): NetworkDef {
  if (!req.parent) throw bad('a macvlan network needs a parent interface', 'give --parent, e.g. --parent eth0');
  const parent = facts.links.find((l) => l.name === req.parent);
  if (!parent) throw bad(`parent interface ${req.parent} does not exist`, `pick one of ${facts.links.filter((l) => l.name !== 'lo').map((l) => l.name).slice(0, 8).join(', ')}`);
  if (parent.kind === 'bridge') throw bad(`parent ${req.parent} is a bridge`, 'macvlan needs a physical (or veth) parent; use --kind bridge to join a bridge');
  const mode = req.mode ?? 'bridge';
  if (!(MACVLAN_MODES as readonly string[]).includes(mode)) throw bad(`unknown macvlan mode ${JSON.stringify(mode)}`, `use one of ${MACVLAN_MODES.join(', ')}`);
  def.parent = req.parent;
  def.mode = mode as MacvlanMode;
  if (req.subnet) {
    const s = parseSubnet4(req.subnet);
    def.subnet = formatCidr(s);
  }
  if (req.shim) {
    if (!parseIPv4(req.shim)) throw bad(`invalid shim address ${JSON.stringify(req.shim)}`, 'give an IPv4 address for the host shim, e.g. --shim 192.168.1.250');
    if (!def.subnet) throw bad('a host shim needs --subnet (the containers\' addresses it routes to)', 'give --subnet as well');
    if (def.mode !== 'bridge') throw bad(`a host shim only reaches containers in macvlan mode bridge, not ${def.mode}`, 'use --mode bridge');
    def.shim = req.shim;
  }
  if (req.forwards?.length) throw bad('port forwards need a NAT network', 'use --kind nat');
  return def;
}

function uplink(def: NetworkDef, req: NetRequest, facts: HostFacts): void {
  const up = facts.links.find((l) => l.name === req.uplink);
  if (!up) throw bad(`uplink ${req.uplink} does not exist`, 'give an existing interface with --uplink');
  if (up.name === def.bridge) throw bad(`uplink ${up.name} is the bridge itself`, 'give the physical interface to attach');
  if (def.kind !== 'bridge') throw bad('--uplink works on bridge networks', 'use --kind bridge');
  if (up.master) throw bad(`uplink ${up.name} is already a port of ${up.master}`, `detach it first: ip link set ${up.name} nomaster`);
  const carriesDefault = facts.routes.some((r) => r.dst === 'default' && r.dev === up.name);
  if (carriesDefault && up.addresses.length && !req.iKnow)
    throw bad(`${up.name} carries the default route: moving its address to ${def.bridge} cuts this host off if anything goes wrong`, 'add --i-know to do it anyway (from a console, not over that link)');
  def.uplink = up.name;
  def.moveAddresses = up.addresses.filter((a) => !a.includes(':'));
}

function parseRange(text: string, subnet: string): { start: string; end: string } {
  const [start, end] = text.split(/[,-]/).map((s) => s.trim());
  const s = parseSubnet4(subnet);
  if (!start || !end || !parseIPv4(start) || !parseIPv4(end)) throw bad(`invalid DHCP range ${JSON.stringify(text)}`, 'write START,END, e.g. 10.20.0.100,10.20.0.199');
  if (!ipv4In(s, start) || !ipv4In(s, end)) throw bad(`DHCP range ${text} is outside ${subnet}`, `give addresses inside ${subnet}`);
  if (ipv4ToInt(parseIPv4(start) ?? []) > ipv4ToInt(parseIPv4(end) ?? [])) throw bad(`DHCP range ${text} ends before it starts`, 'give the lower address first');
  return { start, end };
}

/** Adds a forward (reserving the container's fixed address); a host port can be forwarded once. */
export function addForward(def: NetworkDef, f: Forward, facts?: Pick<HostFacts, 'listening'>): void {
  if (def.kind !== 'nat') throw bad('port forwards need a NAT network', `network ${def.name} is ${def.kind}`);
  if (facts?.listening?.some((l) => l.proto === f.proto && l.port === f.hostPort))
    throw bad(`host port ${f.hostPort}/${f.proto} is in use on this host`, `pick another host port (see ss -lntu), or stop what listens on ${f.hostPort}`);
  const clash = def.forwards.find((x) => x.hostPort === f.hostPort && x.proto === f.proto);
  if (clash) throw bad(`host port ${f.hostPort}/${f.proto} is already forwarded (${forwardText(clash)})`, `remove it first: lxcdeck net forward rm ${def.name} ${f.hostPort}/${f.proto}`);
  reserveMember(def, f.container);
  def.forwards = [...def.forwards, f];
}

export function removeForward(def: NetworkDef, spec: string): Forward {
  const m = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(spec.trim());
  const proto = m?.[2] ?? 'tcp';
  const f = def.forwards.find((x) => String(x.hostPort) === m?.[1] && x.proto === proto);
  if (!f) throw bad(`no forward of host port ${spec} in network ${def.name}`, `see lxcdeck net show ${def.name}`);
  def.forwards = def.forwards.filter((x) => x !== f);
  return f;
}
