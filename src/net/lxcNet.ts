import { formatCidr, ipv4In } from '../core/cidr.js';
import { LxcdeckError } from '../core/errors.js';
import { checkSubnetFree, parseSubnet4, validateMac, validateNetName, type HostFacts, type NetworkDef } from './definition.js';
import { checkUla, hostAddress6, parseUla } from './ipv6.js';

/**
 * Debian's lxc-net (/usr/libexec/lxc/lxc-net, configured in
 * /etc/default/lxc-net) as lxcdeck sees it: its settings, the read-only
 * network shown while lxc-net owns the bridge, and the definition lxcdeck
 * takes over on `net import` (same bridge, its MAC, subnet, host address,
 * DHCP range and domain, so containers on lxcbr0 keep working unchanged).
 */
export const LXC_NET_SCRIPT = '/usr/libexec/lxc/lxc-net';
export const LXC_NET_DEFAULTS = '/etc/default/lxc-net';
export const LXC_NET_UP_FLAG = '/run/lxc/network_up';
export const LXC_NET_NAME = 'lxcnet';

/** lxc-net's own defaults (the top of /usr/libexec/lxc/lxc-net). */
const DEFAULTS: Record<string, string> = {
  USE_LXC_BRIDGE: 'true', LXC_BRIDGE: 'lxcbr0', LXC_ADDR: '10.0.3.1', LXC_NETWORK: '10.0.3.0/24', LXC_DHCP_RANGE: '10.0.3.2,10.0.3.254',
  LXC_DOMAIN: '', LXC_IPV6_NETWORK: '', LXC_IPV6_NAT: 'false', LXC_DHCP_CONFILE: '', LXC_BRIDGE_MAC: '00:16:3e:00:00:00',
};

/** KEY="value" assignments of a shell defaults file (no expansion: lxc-net's files are plain assignments). */
export function parseLxcNetConf(text: string): Record<string, string> {
  const out = { ...DEFAULTS };
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(?:"([^"]*)"|'([^']*)'|([^\s#]*))/.exec(line);
    if (m?.[1]) out[m[1]] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return out;
}

/** The network lxc-net runs, as lxcdeck would run it (readOnly: shown, not changed). */
export function lxcNetDefinition(conf: Record<string, string>, name = LXC_NET_NAME, readOnly = true): NetworkDef {
  const subnet = parseSubnet4(conf.LXC_NETWORK ?? '');
  const [start, end] = (conf.LXC_DHCP_RANGE ?? '').split(',').map((s) => s.trim());
  const ula = conf.LXC_IPV6_NETWORK && conf.LXC_IPV6_NAT === 'true' ? conf.LXC_IPV6_NETWORK : '';
  const def: NetworkDef = {
    version: 1, name, kind: 'nat', bridge: conf.LXC_BRIDGE ?? 'lxcbr0', existingBridge: readOnly, subnet: formatCidr(subnet),
    address: `${conf.LXC_ADDR ?? ''}/${subnet.prefix}`,
    dhcp: start && end && ipv4In(subnet, start) && ipv4In(subnet, end) ? { start, end } : null,
    domain: conf.LXC_DOMAIN || null, antiSpoof: false, uplink: null, moveAddresses: [], parent: null, mode: null, shim: null, forwards: [], members: [],
  };
  const mac = bridgeMac(conf);
  if (mac) def.mac = mac;
  if (ula) {
    def.ipv6 = formatCidr(parseUla(ula));
    def.address6 = hostAddress6(def.ipv6);
  }
  if (readOnly) def.readOnly = true;
  return def;
}

/** LXC_BRIDGE_MAC, which lxc-net sets on every start (_ifup); null when empty or no unicast MAC (importDefinition refuses that). */
function bridgeMac(conf: Record<string, string>): string | null {
  try {
    return conf.LXC_BRIDGE_MAC ? validateMac(conf.LXC_BRIDGE_MAC) : null;
  } catch {
    return null;
  }
}

/** The definition `net import` stores: checked against lxcdeck's other networks. */
export function importDefinition(conf: Record<string, string>, name: string, facts: Pick<HostFacts, 'networks'>): NetworkDef {
  validateNetName(name);
  if (conf.USE_LXC_BRIDGE !== 'true') throw new LxcdeckError('wrong-state', `lxc-net does not manage a bridge (USE_LXC_BRIDGE is not "true" in ${LXC_NET_DEFAULTS})`, 'nothing to import; create a network with lxcdeck net create');
  if (conf.LXC_DHCP_CONFILE) throw new LxcdeckError('invalid-argument', `lxc-net uses its own dnsmasq configuration ${conf.LXC_DHCP_CONFILE}`, `lxcdeck cannot carry it over: clear LXC_DHCP_CONFILE in ${LXC_NET_DEFAULTS}, or keep lxc-net`);
  const mine = facts.networks.filter((n) => !n.readOnly);
  if (mine.some((n) => n.name === name)) throw new LxcdeckError('invalid-argument', `network ${name} exists already`, 'import under another name with --as NAME');
  if (conf.LXC_BRIDGE_MAC && !bridgeMac(conf))
    throw new LxcdeckError('invalid-argument', `LXC_BRIDGE_MAC ${JSON.stringify(conf.LXC_BRIDGE_MAC)} in ${LXC_NET_DEFAULTS} is not a unicast MAC`, "fix it (lxc-net's default is 00:16:3e:00:00:00), or remove the line");
  const def = lxcNetDefinition(conf, name, false);
  if (mine.some((n) => n.bridge === def.bridge)) throw new LxcdeckError('invalid-argument', `bridge ${def.bridge ?? ''} belongs to lxcdeck network ${mine.find((n) => n.bridge === def.bridge)?.name ?? ''} already`, 'nothing to import');
  // only against lxcdeck's own networks: lxc-net's addresses on the host are the ones being taken over
  checkSubnetFree(parseSubnet4(def.subnet ?? ''), { links: [], routes: [], networks: mine, root: true, tools: { nft: true, dnsmasq: true } }, name);
  if (def.ipv6) checkUla(def.ipv6, { links: [], networks: mine }, name);
  return def;
}

/** /etc/default/lxc-net with USE_LXC_BRIDGE="false", so lxc-net never brings its bridge back at boot against lxcdeck. */
export function disabledLxcNetText(text: string, name: string): string {
  const note = `# lxcdeck net import: lxcdeck runs this bridge as network ${name} (lxcdeck net show ${name})`;
  const lines = text.split('\n').filter((l) => !l.startsWith('# lxcdeck net import:'));
  const at = lines.findIndex((l) => /^\s*(export\s+)?USE_LXC_BRIDGE=/.test(l));
  if (at >= 0) lines.splice(at, 1, note, 'USE_LXC_BRIDGE="false"');
  else lines.unshift(note, 'USE_LXC_BRIDGE="false"');
  return lines.join('\n');
}
