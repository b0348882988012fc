import type { Json, Plan, PlanStep } from '../core/plan.js';
import type { PlanRegistry } from '../plan/registry.js';
import { gatherFacts, realNetHost } from '../host/netHost.js';
import { NetStore } from '../host/netStore.js';
import { defineNetwork } from '../net/define.js';
import { proposeSubnet, type HostFacts, type NetworkDef } from '../net/definition.js';
import { ulaError, ulaFromSeed } from '../net/ipv6.js';
import { defFromParams, netUpPlan } from '../net/plans.js';
import type { NetworkWizard } from '../net/wizard.js';
import { forwardText, runDir } from '../net/definition.js';
import { realHostFs } from '../host/hostfs.js';
import { currentIdentity } from '../host/identity.js';
import { allNetworks, netState, readLeases } from './net.js';
import { usernetQuotas } from './netJoin.js';

/** Stores a new definition as a plan step: undone (removed) when a later step fails. */
export function storeStep(store: NetStore, def: NetworkDef): PlanStep {
  const text = `${JSON.stringify(def, null, 2)}\n`;
  const file = `${store.dir}/${def.name}.json`;
  return {
    description: `store the definition of network ${def.name} in ${file}`,
    shows: [{ kind: 'file', path: file, before: null, after: text }],
    check: async () => store.list().some((d) => d.name === def.name && JSON.stringify(d) === JSON.stringify(def)),
    apply: async () => {
      if (!store.create(def)) throw new Error(`network ${def.name} exists already`);
    },
    undo: async () => store.remove(def.name),
  };
}

export function cliNetworkWizard(store = new NetStore()): NetworkWizard {
  // the facts of the last prepare(): the wizard checks a typed IPv6 prefix against them on every key, without I/O
  let last: Pick<HostFacts, 'links' | 'networks'> = { links: [], networks: [] };
  return {
    prepare: async () => {
      const facts = await gatherFacts(allNetworks(store));
      last = facts;
      const identity = currentIdentity(realHostFs);
      const usernet = facts.root ? [] : usernetQuotas({ fs: realHostFs, identity });
      return { subnet: proposeSubnet(facts), ula: ulaFromSeed(facts.ulaSeed ?? ''), root: facts.root, parents: facts.links.filter((l) => l.name !== 'lo' && l.kind !== 'bridge').map((l) => l.name), usernet, user: identity.user };
    },
    list: async () =>
      Promise.all(
        allNetworks(store).map(async (d) => ({
          name: d.name,
          kind: d.kind,
          state: await netState(d),
          link: (d.kind === 'macvlan' ? `${d.parent ?? ''} (${d.mode ?? ''}${d.shim ? `, shim ${d.shim}` : ''})` : d.bridge) ?? '-',
          subnet: d.subnet ?? '-',
          members: d.members.map((m) => `${m.container}${m.ip ? ` ${m.ip}` : ''}`),
          forwards: d.forwards.map(forwardText),
          leases: readLeases((await realNetHost.read(`${runDir(d.name)}/leases`)) ?? '').map((l) => `${l.name} ${l.ip}`),
        })),
      ),
    checkIpv6: (prefix) => ulaError(prefix, last, ''),
    createPlan: async (req) => createPlan(store, defineNetwork(req, await gatherFacts(allNetworks(store)))),
  };
}

export const NET_CREATE_KIND = 'net.create';

export function createPlan(store: NetStore, def: NetworkDef): Plan {
  const up = netUpPlan(realNetHost, def);
  return { ...up, kind: NET_CREATE_KIND, title: `New network ${def.name} (${def.kind}${def.subnet ? ` ${def.subnet}` : ''}${def.ipv6 ? `, IPv6 ${def.ipv6}` : ''})`, steps: [storeStep(store, def), ...up.steps] };
}

/** Journalled creations rebuild after a crash. */
export function registerNetCreatePlan(registry: PlanRegistry, store = new NetStore()): void {
  registry.register(NET_CREATE_KIND, (p: Json) => createPlan(store, defFromParams(p)));
}
