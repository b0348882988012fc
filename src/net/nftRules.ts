import { nftTable, type NetworkDef } from './definition.js';
import { ipv6Hex, memberAddresses6 } from './ipv6.js';

/**
 * The nftables rulesets of a network, as the exact text `nft -f -` reads.
 * Each table is replaced in one transaction ("table X; delete table X;
 * table X {...}" works whether X exists or not), and carries a comment with
 * a hash of its body so check() can tell our current ruleset from an old one.
 */

const q = (s: string) => JSON.stringify(s);

/** NAT: masquerade of the subnet to any other interface, forward accept, DNAT with hairpin. */
export function natTableBody(def: NetworkDef): string[] {
  if (def.kind !== 'nat' || !def.bridge || !def.subnet) return [];
  const br = q(def.bridge);
  const dnat = def.forwards.flatMap((f) => {
    const ip = def.members.find((m) => m.container === f.container)?.ip;
    return ip ? [`fib daddr type local ${f.proto} dport ${f.hostPort} dnat ip to ${ip}:${f.port}`] : [];
  });
  const lines = [
    'chain forward {',
    '  type filter hook forward priority filter; policy accept;',
    `  iifname ${br} accept`,
    `  oifname ${br} ct state established,related accept`,
    `  oifname ${br} ct status dnat accept`,
    '}',
    'chain postrouting {',
    '  type nat hook postrouting priority srcnat; policy accept;',
    `  ip saddr ${def.subnet} oifname != ${br} masquerade`,
    // NAT66: the ULA leaves the host as the host's own IPv6 address
    ...(def.ipv6 ? [`  ip6 saddr ${def.ipv6} oifname != ${br} masquerade`] : []),
    // hairpin from a container to another on the same bridge through a host port: the reply must come back through us
    ...(dnat.length ? [`  oifname ${br} ip saddr ${def.subnet} ct status dnat masquerade`] : []),
    '}',
  ];
  if (dnat.length)
    lines.push(
      'chain prerouting {',
      '  type nat hook prerouting priority dstnat; policy accept;',
      ...dnat.map((r) => `  ${r}`),
      '}',
      // connections from the host itself to one of its own addresses
      'chain output {',
      '  type nat hook output priority -100; policy accept;',
      ...dnat.map((r) => `  ${r}`),
      '}',
    );
  return lines;
}

/**
 * Anti-spoofing: each member's veth port may only send its own MAC and
 * addresses. IPv4 through ARP, IPv6 through neighbour discovery: a neighbour
 * advertisement (and a DAD solicitation, source ::) may only name the
 * member's own addresses as target, and carry its own MAC as link-layer
 * option; router advertisements and redirects never come from a member.
 */
export function antiSpoofBody(def: NetworkDef): string[] {
  if (!def.antiSpoof) return [];
  const rules = def.members.flatMap((m) => {
    if (!m.veth) return [];
    const p = `iifname ${q(m.veth)}`;
    const v4 = m.ip ? `{ ${m.ip}, 0.0.0.0 }` : null;
    const own6 = memberAddresses6(def, m.mac);
    const targets = `{ ${own6.map(ipv6Hex).join(', ')} }`;
    return [
      `${p} ether saddr != ${m.mac} drop`,
      `${p} ether type arp arp saddr ether != ${m.mac} drop`,
      ...(v4 ? [`${p} ether type arp arp saddr ip != ${v4} drop`] : []),
      // 0.0.0.0 only for a DHCP request
      `${p} ip saddr 0.0.0.0 udp dport != 67 drop`,
      ...(v4 ? [`${p} ip saddr != ${v4} drop`] : []),
      `${p} ip6 saddr != { ::, ${own6.join(', ')} } drop`,
      // :: only for DAD and MLD (ICMPv6, protocol 58: by number, as nft resolves a name
      // through /etc/protocols, which a minimal install such as the v2 VM lacks)
      `${p} ip6 saddr :: meta l4proto != 58 drop`,
      `${p} icmpv6 type { nd-router-advert, nd-redirect } drop`,
      // ND target (offset 8 of ICMPv6): an advertisement, or DAD, may only claim the member's own addresses
      `${p} icmpv6 type nd-neighbor-advert @th,64,128 != ${targets} drop`,
      `${p} ip6 saddr :: icmpv6 type nd-neighbor-solicit @th,64,128 != ${targets} drop`,
      // the first ND option (offset 24): source (1) or target (2) link-layer address, length 1, must be the member's MAC
      `${p} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } @th,192,16 { 0x0101, 0x0201 } @th,208,48 != 0x${m.mac.replace(/:/g, '')} drop`,
    ];
  });
  return ['chain prerouting {', '  type filter hook prerouting priority -200; policy accept;', ...rules.map((r) => `  ${r}`), '}'];
}

/** FNV-1a of a text as 8 hex digits (pure: no crypto module in net). */
export function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export interface NftTable {
  family: 'inet' | 'bridge';
  name: string;
  body: string[];
  /** The comment that marks this exact body. */
  comment: string;
}

export function networkTables(def: NetworkDef): NftTable[] {
  const name = nftTable(def.name);
  const out: NftTable[] = [];
  for (const [family, body] of [
    ['inet', natTableBody(def)],
    ['bridge', antiSpoofBody(def)],
  ] as const) {
    if (!body.length) continue;
    out.push({ family, name, body, comment: `lxcdeck ${def.name} ${textHash(body.join('\n'))}` });
  }
  return out;
}

/** The ruleset text that replaces the tables in one transaction. */
export function rulesetText(tables: readonly NftTable[]): string {
  const out: string[] = [];
  for (const t of tables) {
    out.push(`table ${t.family} ${t.name}`, `delete table ${t.family} ${t.name}`, `table ${t.family} ${t.name} {`, `  comment ${q(t.comment)}`);
    out.push(...t.body.map((l) => `  ${l}`), '}');
  }
  return `${out.join('\n')}\n`;
}
