import * as fs from 'node:fs';
import { configValues, lineKey, type ConfigEdit } from '../core/configText.js';
import { LxcdeckError } from '../core/errors.js';
import type { Json, Plan, PlanStep } from '../core/plan.js';
import { realNetHost } from '../host/netHost.js';
import { NetStore } from '../host/netStore.js';
import { buildCreatePlan, type CreateDeps, type CreateParams } from '../lxc/createPlan.js';
import { memberMac, reserveMember, type Member, type NetworkDef } from '../net/definition.js';
import { defFromParams, joinEdits, upSteps } from '../net/plans.js';
import { reloadDnsmasq } from '../net/services.js';
import type { PlanRegistry } from '../plan/registry.js';
import type { CliContext } from './context.js';
import { allNetworks, netState } from './net.js';
import { usernetBridge } from './netJoin.js';

/**
 * `lxcdeck create NAME --net NETWORK`: the new container's lxc.net keys are
 * the network's (in place of the default link of default.conf), and the
 * create plan's first step reserves it in the network — its fixed lease and,
 * when the network is up, its anti-spoofing rules — undone with the rest
 * when a later step fails.
 */
export const CREATE_NET_KIND = 'lxc.create.net';

export interface CreateNet {
  /** The definition with the new member, as it is stored by the join step. */
  def: NetworkDef;
  member: Member;
  /** Root: an lxcdeck network (stored, host rules); otherwise an lxc-usernet bridge (keys only). */
  owned: boolean;
}

/**
 * The network a new container goes on, refused in one line before anything
 * is made: an unknown network, macvlan unprivileged, or (unprivileged) a
 * bridge /etc/lxc/lxc-usernet does not give the user or whose quota is used
 * up — the check `net join` makes.
 */
export function createNetTarget(c: Pick<CliContext, 'fs' | 'identity'>, name: string, network: string, store = new NetStore()): NetworkDef {
  const stored = allNetworks(store).find((n) => n.name === network || n.bridge === network) ?? (fs.existsSync(`/sys/class/net/${network}/bridge`) ? plainBridge(network) : null);
  if (!stored) throw new LxcdeckError('not-defined', `no network ${network}`, "see 'lxcdeck net ls', or create it: lxcdeck net create");
  if (c.identity.uid === 0) return stored;
  if (stored.kind === 'macvlan') throw new LxcdeckError('permission', 'macvlan networks need root', `run: sudo lxcdeck create ${name} --net ${network}`);
  usernetBridge(c, stored.bridge ?? network);
  return stored;
}

/** Makes the keys of the network (from createNetTarget) for the caller's create params. Nothing is written. */
export function prepareCreateNet(uid: number, name: string, stored: NetworkDef, params: CreateParams): CreateNet {
  const owned = uid === 0 && !stored.readOnly;
  const def = structuredClone(stored);
  const member: Member = owned ? reserveMember(def, name) : { container: name, slot: 0, mac: memberMac(def.bridge ?? stored.name, name), ip: null, veth: null };
  // the default link of default.conf goes: the container's first interface is the network's
  const base = params.baseConfig.split('\n').flatMap((l) => lineKey(l) ?? []).filter((k) => k.startsWith('lxc.net.'));
  const clear: ConfigEdit[] = [...new Set(base)].map((key) => ({ key, values: [] }));
  const join = joinEdits(def, member, 0, uid !== 0).filter((e) => e.values.length || configValues(params.baseConfig, e.key).length);
  params.edits = [...params.edits.filter((e) => !e.key.startsWith('lxc.net.')), ...clear.filter((c) => !join.some((j) => j.key === c.key)), ...join];
  return { def, member, owned };
}

/** A host bridge that is no lxcdeck network (an lxc-usernet bridge): only keys, nothing stored. */
function plainBridge(bridge: string): NetworkDef {
  return {
    version: 1, name: bridge, kind: 'bridge', bridge, existingBridge: true, subnet: null, address: null, dhcp: null, domain: null, antiSpoof: false,
    uplink: null, moveAddresses: [], parent: null, mode: null, shim: null, forwards: [], members: [], readOnly: true,
  };
}

/** The step that puts the member into the stored network (and its host rules when the network is up). */
function joinStep(net: CreateNet, store: NetStore): PlanStep {
  const { def, member } = net;
  const inStore = () => store.list().find((n) => n.name === def.name) ?? null;
  let before: NetworkDef | null = null;
  const sync = async (d: NetworkDef) => {
    if ((await netState(d)) === 'down') return;
    for (const s of upSteps(realNetHost, d)) if (!(await s.check())) await s.apply(() => undefined);
    await reloadDnsmasq(realNetHost, d);
  };
  return {
    description: `add ${member.container} to network ${def.name} (${member.mac}${member.ip ? `, fixed lease ${member.ip}` : ''})`,
    shows: [{ kind: 'note', text: `store ${member.container} as a member of ${def.name}; when ${def.name} is up, its fixed lease and rules follow` }],
    check: async () => inStore()?.members.some((m) => m.container === member.container && m.mac === member.mac) ?? false,
    apply: async () => {
      before = inStore();
      if (!before) throw new LxcdeckError('not-defined', `network ${def.name} is gone`, "see 'lxcdeck net ls'");
      const next = { ...before, members: [...before.members.filter((m) => m.container !== member.container), member].sort((a, b) => a.slot - b.slot) };
      store.save(next);
      await sync(next);
    },
    undo: async () => {
      const now = inStore();
      if (!now) return;
      const back = before ?? { ...now, members: now.members.filter((m) => m.container !== member.container) };
      store.save(back);
      await sync(back);
    },
  };
}

/** The create plan with the join step first (root, lxcdeck network) — a kind of its own, so a journal rebuilds it. */
export function withNetwork(plan: Plan, params: CreateParams, net: CreateNet | null, store = new NetStore()): Plan {
  if (!net?.owned) return plan;
  return { ...plan, kind: CREATE_NET_KIND, params: { create: params as unknown as Json, net: net as unknown as Json }, steps: [joinStep(net, store), ...plan.steps] };
}

export function registerCreateNetPlan(registry: PlanRegistry, deps: CreateDeps, store = new NetStore()): void {
  registry.register(CREATE_NET_KIND, (j) => {
    const o = (j ?? {}) as { create?: Json; net?: { def?: Json; member?: Member; owned?: boolean } };
    const params = o.create as unknown as CreateParams;
    if (!params || typeof params.name !== 'string' || !o.net?.member) throw new LxcdeckError('internal', 'create plan journal is unreadable', 'remove the half-made container by hand, then delete the journal');
    const net: CreateNet = { def: defFromParams({ def: o.net.def ?? null }), member: o.net.member, owned: o.net.owned === true };
    return withNetwork(buildCreatePlan(params, deps), params, net, store);
  });
}
