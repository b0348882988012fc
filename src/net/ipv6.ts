import { cidrOverlaps, formatAddress, formatCidr, parseCidr, parseIPv6, type Cidr } from '../core/cidr.js';
import { LxcdeckError } from '../core/errors.js';
import { errorText } from '../core/plan.js';
import type { HostFacts, NetworkDef } from './definition.js';

/**
 * The IPv6 side of a NAT network: a ULA /64 (RFC 4193) on the bridge, router
 * advertisements from dnsmasq so members autoconfigure (SLAAC, EUI-64 of
 * their fixed MAC, so each member's address is known in advance and can be
 * pinned by anti-spoofing), and NAT66 masquerade towards other interfaces.
 */
const bad = (what: string, fix: string) => new LxcdeckError('invalid-argument', what, fix);

/** A ULA /64 from the user ("fd12:3456:789a:1::/64"): inside fc00::/7, exactly /64 (SLAAC needs it). */
export function parseUla(text: string): Cidr {
  const r = parseCidr(text, { family: 6 });
  if (!r.ok) throw bad(`invalid IPv6 prefix: ${r.error}`, 'give a ULA /64 with --ipv6, e.g. fd12:3456:789a:1::/64, or --ipv6 alone for a random one');
  if (r.cidr.prefix !== 64) throw bad(`IPv6 prefix ${text} is not a /64`, 'router advertisements (SLAAC) need a /64, e.g. fd12:3456:789a:1::/64');
  if (((r.cidr.bytes[0] ?? 0) & 0xfe) !== 0xfc) throw bad(`IPv6 prefix ${text} is not a unique local address (fc00::/7)`, 'give an fd00::/8 prefix, or --ipv6 alone for a random one');
  return r.cidr;
}

/** fdXX:XXXX:XXXX::/64 from 40 random bits (hex, from the host layer): RFC 4193's global ID, subnet 0. */
export function ulaFromSeed(seedHex: string): string {
  const s = seedHex.replace(/[^0-9a-f]/gi, '').padEnd(10, '0').slice(0, 10).toLowerCase();
  const bytes = [0xfd, ...[0, 2, 4, 6, 8].map((i) => parseInt(s.slice(i, i + 2), 16)), ...Array<number>(10).fill(0)];
  return formatCidr({ family: 6, bytes, prefix: 64 });
}

/** The modified EUI-64 interface identifier of a MAC (8 bytes). */
export function eui64(mac: string): number[] {
  const m = mac.split(':').map((h) => parseInt(h, 16));
  return [(m[0] ?? 0) ^ 0x02, m[1] ?? 0, m[2] ?? 0, 0xff, 0xfe, m[3] ?? 0, m[4] ?? 0, m[5] ?? 0];
}

/** prefix (a /64) + EUI-64 of mac: the address SLAAC gives that MAC. */
export function slaacAddress(prefix: string, mac: string): string {
  const p = parseIPv6(prefix.split('/')[0] ?? '') ?? Array<number>(16).fill(0);
  return formatAddress(6, [...p.slice(0, 8), ...eui64(mac)]);
}

export const linkLocal = (mac: string) => slaacAddress('fe80::/64', mac);

/** The host's address on the bridge: prefix::1/64. */
export function hostAddress6(prefix: string): string {
  const p = parseIPv6(prefix.split('/')[0] ?? '') ?? [];
  return `${formatAddress(6, [...p.slice(0, 15), 1])}/64`;
}

/** An IPv6 address as the 128-bit hex number nft compares raw payload with (nft 1.0.6 has no ND target keyword). */
export function ipv6Hex(address: string): string {
  const b = parseIPv6(address) ?? [];
  return `0x${b.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

/** The prefix must not touch a host IPv6 address or another network's prefix. */
export function checkUlaFree(prefix: Cidr, facts: Pick<HostFacts, 'links' | 'networks'>, self: string): void {
  const text = formatCidr(prefix);
  for (const l of facts.links)
    for (const a of l.addresses) {
      const r = parseCidr(a, { form: 'address' });
      if (r.ok && r.cidr.family === 6 && cidrOverlaps(r.cidr, prefix)) throw bad(`IPv6 prefix ${text} overlaps ${a} on ${l.name}`, 'pick another ULA /64, or --ipv6 alone for a random one');
    }
  for (const n of facts.networks)
    if (n.name !== self && n.ipv6 && cidrOverlaps(parseUla(n.ipv6), prefix)) throw bad(`IPv6 prefix ${text} overlaps network ${n.name} (${n.ipv6})`, 'pick another ULA /64');
}

/** A typed prefix as --ipv6 checks it: a ULA /64 that is free on this host. The TUI wizard runs it on every key. */
export function checkUla(text: string, facts: Pick<HostFacts, 'links' | 'networks'>, self: string): Cidr {
  const prefix = parseUla(text);
  checkUlaFree(prefix, facts, self);
  return prefix;
}

/** checkUla's one line (what `net create --ipv6 PREFIX` prints), or null when the prefix is good. */
export function ulaError(text: string, facts: Pick<HostFacts, 'links' | 'networks'>, self: string): string | null {
  try {
    checkUla(text, facts, self);
    return null;
  } catch (e) {
    return errorText(e);
  }
}

/** Fills def.ipv6 / def.address6 from --ipv6 (true: random; a string: that prefix). */
export function defineIpv6(def: NetworkDef, request: boolean | string | undefined, facts: HostFacts): void {
  if (request === undefined || request === false) return;
  if (def.kind !== 'nat') throw bad('--ipv6 works on nat networks', 'use --kind nat');
  const prefix = checkUla(request === true ? ulaFromSeed(facts.ulaSeed ?? '') : request, facts, def.name);
  def.ipv6 = formatCidr(prefix);
  def.address6 = hostAddress6(def.ipv6);
}

/** A member's IPv6 addresses: its SLAAC ULA (when the network has one) and its link-local. */
export function memberAddresses6(def: NetworkDef, mac: string): string[] {
  return [...(def.ipv6 ? [slaacAddress(def.ipv6, mac)] : []), linkLocal(mac)];
}
