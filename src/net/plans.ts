import { LxcdeckError } from '../core/errors.js';
import type { ConfigEdit } from '../core/configText.js';
import type { Json, Plan } from '../core/plan.js';
import { bridgeMacStep } from './bridgeMac.js';
import { RUN_ROOT, runDir, shimName, validateNetName, type Member, type NetworkDef } from './definition.js';
import { networkTables } from './nftRules.js';
import { dhcpHostsText, DNSMASQ_FILES, dnsmasqStep, nftStep } from './services.js';
import { addressRemoveStep, addressStep, bridgeStep, commandStep, dirStep, downSteps, fileStep, forwardStep, IPV4_FORWARD, IPV6_FORWARD, linkExists, linkUpStep, masterStep, type NetHost, type NetStep } from './steps.js';

/**
 * A network definition -> the plans that bring it up and take it down, and
 * the lxc.net.N.* keys of a member. The down plan is the up plan reversed,
 * so `net down` takes back exactly what `net up` would add.
 */
export const NET_UP_KIND = 'net.up';
export const NET_DOWN_KIND = 'net.down';

export function upSteps(host: NetHost, def: NetworkDef): NetStep[] {
  if (def.readOnly) throw new LxcdeckError('wrong-state', `network ${def.name} is managed by lxc-net`, 'lxcdeck only shows it; use /usr/libexec/lxc/lxc-net or import it');
  const steps: NetStep[] = [];
  if (def.kind === 'macvlan') {
    if (!def.shim || !def.parent) return steps;
    const shim = shimName(def.name);
    steps.push(
      commandStep(host, {
        description: `create host shim ${shim} (macvlan bridge on ${def.parent}) so the host reaches its macvlan containers`,
        argv: ['ip', 'link', 'add', 'link', def.parent, 'name', shim, 'type', 'macvlan', 'mode', 'bridge'],
        undo: ['ip', 'link', 'del', 'dev', shim],
        check: () => linkExists(host, shim),
      }),
      addressStep(host, shim, `${def.shim}/32`),
      linkUpStep(host, shim),
    );
    if (def.subnet)
      steps.push(
        commandStep(host, {
          description: `route ${def.subnet} through ${shim}`,
          argv: ['ip', 'route', 'add', def.subnet, 'dev', shim],
          undo: ['ip', 'route', 'del', def.subnet, 'dev', shim],
          check: async () => (await host.run(['ip', 'route', 'show', 'exact', def.subnet ?? '', 'dev', shim])).stdout.trim() !== '',
        }),
      );
    return steps;
  }
  const br = def.bridge ?? '';
  const dir = runDir(def.name);
  if (def.kind === 'nat') steps.push(dirStep(host, dir, DNSMASQ_FILES));
  if (!def.existingBridge) steps.push(bridgeStep(host, br));
  if (def.uplink) {
    steps.push(masterStep(host, def.uplink, br));
    for (const a of def.moveAddresses) steps.push(addressRemoveStep(host, def.uplink, a), addressStep(host, br, a));
  }
  // lxc-net's LXC_BRIDGE_MAC (net import): set on every bring-up, as lxc-net does
  if (def.mac) steps.push(bridgeMacStep(host, br, def.mac));
  if (def.address) steps.push(addressStep(host, br, def.address));
  // nodad: dnsmasq binds it at once (a fresh bridge would keep it tentative)
  if (def.address6) steps.push(addressStep(host, br, def.address6, ['nodad']));
  steps.push(linkUpStep(host, br));
  if (def.kind === 'nat') steps.push(forwardStep(host, RUN_ROOT, def.name, IPV4_FORWARD));
  if (def.kind === 'nat' && def.ipv6) steps.push(forwardStep(host, RUN_ROOT, def.name, IPV6_FORWARD));
  const tables = networkTables(def);
  if (tables.length) steps.push(nftStep(host, def, tables));
  if (def.kind === 'nat') {
    steps.push(fileStep(host, `write dnsmasq's fixed leases (${def.members.filter((m) => m.ip).length}) to ${dir}/hosts`, `${dir}/hosts`, dhcpHostsText(def)));
    steps.push(dnsmasqStep(host, def));
  }
  return steps;
}

export function netUpPlan(host: NetHost, def: NetworkDef): Plan {
  const steps = upSteps(host, def);
  return { kind: NET_UP_KIND, title: `Network ${def.name} (${def.kind}${def.subnet ? ` ${def.subnet}` : ''}) up`, params: { def: def as unknown as Json }, steps };
}

export function netDownPlan(host: NetHost, def: NetworkDef): Plan {
  return { kind: NET_DOWN_KIND, title: `Network ${def.name} down`, params: { def: def as unknown as Json }, steps: downSteps(upSteps(host, def)) };
}

/** A journal's params back to a definition (a journal is a file: check what matters). */
export function defFromParams(p: Json): NetworkDef {
  const def = (typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Record<string, Json>).def : null) as unknown as NetworkDef | null;
  if (!def || typeof def !== 'object' || typeof def.name !== 'string' || !['nat', 'bridge', 'macvlan'].includes(def.kind))
    throw new LxcdeckError('internal', 'network plan journal lacks its definition', 'check the host by hand, then lxcdeck plan forget');
  validateNetName(def.name);
  return def;
}

/** Makes journalled network plans rebuildable after a crash. */
export function registerNetPlans(registry: { register(kind: string, b: (p: Json) => Plan): unknown }, host: NetHost): void {
  registry.register(NET_UP_KIND, (p) => netUpPlan(host, defFromParams(p)));
  registry.register(NET_DOWN_KIND, (p) => netDownPlan(host, defFromParams(p)));
}

/** The index of the next free lxc.net.N in a config's keys. */
export function nextNetIndex(keys: readonly string[]): number {
  const used = keys.flatMap((k) => {
    const m = /^lxc\.net\.(\d+)\./.exec(k);
    return m ? [Number(m[1])] : [];
  });
  return used.length ? Math.max(...used) + 1 : 0;
}

/** The indexes whose link (or macvlan parent) is this network's. */
export function memberIndexes(values: (key: string) => string[], keys: readonly string[], def: NetworkDef): number[] {
  const link = def.kind === 'macvlan' ? def.parent : def.bridge;
  const idx = new Set(keys.flatMap((k) => /^lxc\.net\.(\d+)\.link$/.exec(k)?.[1] ?? []));
  return [...idx].map(Number).filter((i) => values(`lxc.net.${i}.link`)[0] === link && values(`lxc.net.${i}.type`)[0] === (def.kind === 'macvlan' ? 'macvlan' : 'veth'));
}

/** The lxc.net.N.* keys that put a member on the network. */
export function joinEdits(def: NetworkDef, m: Member, index: number, unprivileged: boolean): ConfigEdit[] {
  const k = (s: string, v: string | null): ConfigEdit => ({ key: `lxc.net.${index}.${s}`, values: v === null ? [] : [v] });
  const prefix = def.subnet?.split('/')[1] ?? '24';
  if (def.kind === 'macvlan')
    return [k('type', 'macvlan'), k('link', def.parent), k('macvlan.mode', def.mode ?? 'bridge'), k('flags', 'up'), k('hwaddr', m.mac), k('name', `eth${index}`), k('ipv4.address', m.ip ? `${m.ip}/${prefix}` : null)];
  return [
    k('type', 'veth'),
    k('link', def.bridge),
    k('flags', 'up'),
    k('hwaddr', m.mac),
    k('name', `eth${index}`),
    // lxc-user-nic names the host side for unprivileged containers
    k('veth.pair', unprivileged ? null : m.veth),
    // NAT members take their fixed address from dnsmasq; a plain bridge has no DHCP of ours
    k('ipv4.address', def.kind === 'bridge' && m.ip && def.subnet ? `${m.ip}/${prefix}` : null),
    k('ipv4.gateway', def.kind === 'bridge' && m.ip && def.address ? def.address.split('/')[0] ?? null : null),
  ];
}

/** Keys that remove every lxc.net.N.* of the given indexes. */
export function leaveEdits(keys: readonly string[], indexes: readonly number[]): ConfigEdit[] {
  const keep = new Set(indexes.map((i) => `lxc.net.${i}.`));
  return [...new Set(keys.filter((k) => [...keep].some((p) => k.startsWith(p))))].map((key) => ({ key, values: [] }));
}
