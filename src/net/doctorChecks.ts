import { cidrOverlaps, parseCidr } from '../core/cidr.js';
import type { NetworkDef } from './definition.js';

/**
 * `lxcdeck doctor` on networks: the traps that make a working setup fail
 * quietly (another firewall's forward drop, ip_forward off, no dnsmasq,
 * a subnet another route shadows, a bridge gone, veths left behind).
 * Pure: the CLI gathers the facts.
 */
export interface NetCheck {
  id: string;
  title: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

export interface NetDoctorInput {
  networks: { def: NetworkDef; up: boolean; dnsmasqRunning: boolean }[];
  ipForward: boolean;
  /** net.ipv6.conf.all.forwarding (absent: not read). */
  ip6Forward?: boolean;
  /** Forward chains with policy drop outside lxcdeck's tables: {tool: 'nft', chain: 'inet filter forward'} or iptables-legacy's FORWARD. */
  forwardDrops: { tool: 'nft' | 'iptables-legacy'; family: string; table: string; chain: string }[];
  routes: { dst: string; dev: string | null }[];
  links: string[];
  containers: { name: string; running: boolean; links: string[] }[];
}

function dropFix(d: NetDoctorInput['forwardDrops'][number], br: string): string {
  if (d.tool === 'iptables-legacy') return `iptables-legacy -I FORWARD -i ${br} -j ACCEPT; iptables-legacy -I FORWARD -o ${br} -j ACCEPT`;
  return `nft insert rule ${d.family} ${d.table} ${d.chain} iifname "${br}" accept; nft insert rule ${d.family} ${d.table} ${d.chain} oifname "${br}" accept`;
}

export function netDoctorChecks(input: NetDoctorInput): NetCheck[] {
  const out: NetCheck[] = [];
  const upNat = input.networks.filter((n) => n.up && n.def.kind === 'nat' && !n.def.readOnly);
  for (const n of upNat) {
    const br = n.def.bridge ?? '';
    for (const d of input.forwardDrops)
      out.push({ id: 'net-forward-drop', title: `forwarding of network ${n.def.name}`, status: 'fail', detail: `${d.tool} chain ${d.family} ${d.table} ${d.chain} has policy drop: it drops the traffic of ${br}`, fix: dropFix(d, br) });
    if (!input.ipForward)
      out.push({ id: 'net-ip-forward', title: `forwarding of network ${n.def.name}`, status: 'fail', detail: 'net.ipv4.ip_forward is 0 while this NAT network is up', fix: 'sysctl -w net.ipv4.ip_forward=1' });
    if (n.def.ipv6 && input.ip6Forward === false)
      out.push({ id: 'net-ip6-forward', title: `IPv6 forwarding of network ${n.def.name}`, status: 'fail', detail: `net.ipv6.conf.all.forwarding is 0 while ${n.def.ipv6} of this NAT network is up`, fix: 'sysctl -w net.ipv6.conf.all.forwarding=1' });
    if (!n.dnsmasqRunning)
      out.push({ id: 'net-dnsmasq', title: `DHCP of network ${n.def.name}`, status: 'fail', detail: `no dnsmasq runs for ${br}: containers get no address`, fix: `lxcdeck net up ${n.def.name}` });
  }
  for (const n of input.networks) {
    const s = n.def.subnet ? parseCidr(n.def.subnet) : null;
    if (!s?.ok || n.def.kind === 'macvlan') continue;
    for (const r of input.routes) {
      if (r.dst === 'default' || r.dev === n.def.bridge) continue;
      const rc = parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`, { form: 'address' });
      if (rc.ok && cidrOverlaps(rc.cidr, s.cidr))
        out.push({ id: 'net-subnet-route', title: `subnet of network ${n.def.name}`, status: 'warn', detail: `${n.def.subnet} overlaps the route to ${r.dst}${r.dev ? ` via ${r.dev}` : ''}`, fix: `move the network: lxcdeck net rm ${n.def.name}, then create it on a free subnet` });
    }
  }
  const links = new Set(input.links);
  for (const c of input.containers)
    for (const l of c.links) {
      if (links.has(l)) continue;
      const ours = input.networks.find((n) => n.def.bridge === l || n.def.parent === l);
      out.push({ id: 'net-missing-link', title: `network of ${c.name}`, status: c.running ? 'fail' : 'warn', detail: `${c.name} joins ${l}, which does not exist${c.running ? '' : ': it will not start'}`, fix: ours ? `lxcdeck net up ${ours.def.name}` : `lxcdeck net leave ${c.name} ${l}` });
    }
  const stopped = new Set(input.containers.filter((c) => !c.running).map((c) => c.name));
  for (const n of input.networks)
    for (const m of n.def.members)
      if (m.veth && stopped.has(m.container) && links.has(m.veth))
        out.push({ id: 'net-leftover-veth', title: `veth of ${m.container}`, status: 'warn', detail: `${m.veth} is still on the host though ${m.container} is stopped`, fix: `ip link del ${m.veth}` });
  if (!out.length) out.push({ id: 'net', title: 'networks', status: 'ok', detail: `${input.networks.length} network${input.networks.length === 1 ? '' : 's'}, ${upNat.length} NAT up; no forward drop, bridge or veth problems` });
  return out;
}

/** Forward chains with policy drop in `nft -j list ruleset`, outside lxcdeck's own tables. */
export function nftForwardDrops(json: string): NetDoctorInput['forwardDrops'] {
  let items: { chain?: { family: string; table: string; name: string; hook?: string; policy?: string } }[] = [];
  try {
    items = (JSON.parse(json) as { nftables?: typeof items }).nftables ?? [];
  } catch {
    return [];
  }
  return items.flatMap((i) => {
    const c = i.chain;
    return c && c.hook === 'forward' && c.policy === 'drop' && !c.table.startsWith('lxcdeck-') ? [{ tool: 'nft' as const, family: c.family, table: c.table, chain: c.name }] : [];
  });
}

/** iptables-legacy -S FORWARD: "-P FORWARD DROP". */
export function iptablesForwardDrops(text: string): NetDoctorInput['forwardDrops'] {
  return /^-P FORWARD DROP$/m.test(text) ? [{ tool: 'iptables-legacy', family: 'ip', table: 'filter', chain: 'FORWARD' }] : [];
}
