import * as fs from 'node:fs';
import type { Command } from 'commander';
import { configValues, lineKey, type ConfigEdit } from '../core/configText.js';
import { LxcdeckError } from '../core/errors.js';
import type { Json, Plan } from '../core/plan.js';
import { realNetHost } from '../host/netHost.js';
import type { NetStore } from '../host/netStore.js';
import { parseUsernet, usernetFor } from '../host/usernet.js';
import type { ConfigEditParams, LiblxcConfigEditor } from '../lxc/configEdit.js';
import { memberMac, reserveMember, validateMac, type NetworkDef } from '../net/definition.js';
import { defFromParams, joinEdits, leaveEdits, memberIndexes, nextNetIndex, upSteps } from '../net/plans.js';
import { reloadDnsmasq } from '../net/services.js';
import type { PlanRegistry } from '../plan/registry.js';
import { sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import { allNetworks, netState } from './net.js';
import { runNetPlan } from './netPlanRun.js';

/**
 * `net join` / `net leave`: a container's lxc.net.N.* keys written through
 * the config-edit plan (liblxc judges every value, the file is replaced
 * atomically, read back), plus — when the network is up — its fixed lease
 * and nft rules brought in line, in the same plan.
 */
export const NET_MEMBER_KIND = 'net.member';

const keysOf = (text: string) => text.split('\n').flatMap((l) => lineKey(l) ?? []);

function memberPlan(editor: LiblxcConfigEditor, config: ConfigEditParams, def: NetworkDef | null, hostSteps: boolean): Plan {
  const cfg = editor.build(config);
  const steps = [...(cfg.steps as Plan['steps'])];
  if (def && hostSteps) steps.push(...upSteps(realNetHost, def));
  return { kind: NET_MEMBER_KIND, title: config.title, params: { config: config as unknown as Json, def: def as unknown as Json, hostSteps }, steps };
}

/** Journalled joins and leaves rebuild after a crash. */
export function registerNetMemberPlans(registry: PlanRegistry, editor: LiblxcConfigEditor): void {
  registry.register(NET_MEMBER_KIND, (p) => {
    const o = (p ?? {}) as Record<string, Json>;
    const def = o.hostSteps === true && o.def ? defFromParams({ def: o.def }) : null;
    return memberPlan(editor, o.config as unknown as ConfigEditParams, def, o.hostSteps === true);
  });
}

/** The veth bridges /etc/lxc/lxc-usernet gives this user, with the quota left (lxc-user-nic counts in /run/lxc/nics). */
export function usernetQuotas(c: Pick<CliContext, 'fs' | 'identity'>): { bridge: string; quota: number; left: number }[] {
  const entries = usernetFor(parseUsernet(c.fs.read('/etc/lxc/lxc-usernet') ?? ''), c.identity.user, c.identity.groups).filter((e) => e.type === 'veth');
  const nics = (c.fs.read('/run/lxc/nics') ?? '').split('\n');
  return [...new Set(entries.map((e) => e.link))].map((bridge) => {
    const quota = entries.filter((e) => e.link === bridge).reduce((n, e) => n + e.count, 0);
    const used = nics.filter((l) => l.split(/\s+/).slice(0, 3).join(' ') === `${c.identity.user} veth ${bridge}`).length;
    return { bridge, quota, left: Math.max(0, quota - used) };
  });
}

/** For an unprivileged user: the bridge must be theirs in /etc/lxc/lxc-usernet, with quota left (net join, create --net). */
export function usernetBridge(c: Pick<CliContext, 'fs' | 'identity'>, bridge: string): string {
  const entries = usernetFor(parseUsernet(c.fs.read('/etc/lxc/lxc-usernet') ?? ''), c.identity.user, c.identity.groups).filter((e) => e.type === 'veth');
  const allowed = entries.filter((e) => e.link === bridge);
  const line = `${c.identity.user} veth ${bridge} 10`;
  if (!allowed.length) {
    const others = entries.map((e) => e.link).join(', ');
    throw new LxcdeckError('permission', `bridge ${bridge} is not allowed for ${c.identity.user} in /etc/lxc/lxc-usernet${others ? ` (allowed: ${others})` : ''}`, `as root, add the line '${line}' to /etc/lxc/lxc-usernet (echo '${line}' | sudo tee -a /etc/lxc/lxc-usernet)`);
  }
  const quota = allowed.reduce((n, e) => n + e.count, 0);
  const used = (c.fs.read('/run/lxc/nics') ?? '').split('\n').filter((l) => l.split(/\s+/).slice(0, 3).join(' ') === `${c.identity.user} veth ${bridge}`).length;
  if (used >= quota)
    throw new LxcdeckError('permission', `${c.identity.user} uses all ${quota} veths allowed on ${bridge} (/run/lxc/nics)`, `stop a container on ${bridge}, or as root raise the count in /etc/lxc/lxc-usernet`);
  return `${quota - used} of ${quota}`;
}

interface JoinOpts {
  ip?: string;
  mac?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerNetJoinCommands(net: Command, io: CliIo, context: (cmd: Command) => CliContext, store: NetStore): void {
  net
    .command('join')
    .description("put a container on a network (its lxc.net.N keys, written through liblxc; applies at its next start)")
    .argument('<container>')
    .argument('<network>', 'a network name, or (unprivileged) an lxc-usernet bridge')
    .option('--ip <address>', 'fixed IPv4 address (default: the next free one)')
    .option('--mac <mac>', 'MAC address (default: a stable one from the names)')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--json', 'one JSON line per event (with --dry-run: the plan)')
    .action(async (container: string, network: string, o: JoinOpts, cmd: Command) => {
      const c = context(cmd);
      const root = c.identity.uid === 0;
      const stored = allNetworks(store).find((n) => n.name === network || n.bridge === network) ?? null;
      let def: NetworkDef;
      let quota = '';
      if (!root) {
        if (stored && stored.kind === 'macvlan') throw new LxcdeckError('permission', 'macvlan networks need root', `run: sudo lxcdeck net join ${container} ${network}`);
        const bridge = stored?.bridge ?? network;
        quota = usernetBridge(c, bridge);
        def = { ...(stored ?? pseudoBridge(bridge)), antiSpoof: false, members: [] };
        if (o.ip) throw new LxcdeckError('invalid-argument', '--ip needs root (the address comes from the bridge\'s DHCP)', 'leave it out');
      } else {
        if (!stored) throw new LxcdeckError('not-defined', `no network ${network}`, "see 'lxcdeck net ls', or create it: lxcdeck net create");
        def = structuredClone(stored);
      }
      const member = def.readOnly || !root
        ? { container, slot: 0, mac: o.mac ? validateMac(o.mac) : memberMac(def.bridge ?? network, container), ip: null, veth: null }
        : reserveMember(def, container, { ...(o.ip ? { ip: o.ip } : {}), ...(o.mac ? { mac: o.mac } : {}) });
      const title = `Join ${container} to network ${def.name}${member.ip ? ` as ${member.ip}` : ''}`;
      const params = c.backend.configEditor.prepareFrom(container, title, (before) => {
        const keys = keysOf(before);
        const at = memberIndexes((k) => configValues(before, k), keys, def)[0] ?? nextNetIndex(keys);
        return joinEdits(def, member, at, !root).filter((e: ConfigEdit) => e.values.length || configValues(before, e.key).length);
      });
      const hostSteps = root && !def.readOnly && (await netState(stored ?? def)) !== 'down';
      if (!(await runNetPlan(c, memberPlan(c.backend.configEditor, params, def, hostSteps), o))) return;
      if (root && !def.readOnly) store.save(def);
      if (hostSteps) await reloadDnsmasq(realNetHost, def);
      if (o.json) return;
      const running = c.backend.state(container) !== 'STOPPED';
      io.out(sanitize(`${container} joins ${def.name} (${member.mac}${member.ip ? `, ${member.ip}` : ''})${quota ? `; veths left on ${def.bridge ?? ''}: ${quota}` : ''}${running ? `; ${container} is running: the change applies at its next start` : ''}`));
    });

  net
    .command('leave')
    .description("take a container off a network (removes its lxc.net.N keys)")
    .argument('<container>')
    .argument('<network>')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--json', 'one JSON line per event (with --dry-run: the plan)')
    .action(async (container: string, network: string, o: JoinOpts, cmd: Command) => {
      const c = context(cmd);
      const root = c.identity.uid === 0;
      const stored = allNetworks(store).find((n) => n.name === network || n.bridge === network) ?? null;
      const def = structuredClone(stored ?? pseudoBridge(network));
      const f = def.forwards.find((x) => x.container === container);
      if (f) throw new LxcdeckError('wrong-state', `host port ${f.hostPort}/${f.proto} of ${def.name} forwards to ${container}`, `remove it first: lxcdeck net forward rm ${def.name} ${f.hostPort}/${f.proto}`);
      let found = 0;
      const params = c.backend.configEditor.prepareFrom(container, `${container} leaves network ${def.name}`, (before) => {
        const keys = keysOf(before);
        const idx = memberIndexes((k) => configValues(before, k), keys, def);
        found = idx.length;
        return leaveEdits(keys, idx);
      });
      if (!found) throw new LxcdeckError('not-defined', `${container} has no interface on ${def.name}`, `see lxcdeck info ${container}`);
      const owned = root && stored !== null && !stored.readOnly;
      if (owned) def.members = def.members.filter((m) => m.container !== container);
      const hostSteps = owned && (await netState(def)) !== 'down';
      if (!(await runNetPlan(c, memberPlan(c.backend.configEditor, params, def, hostSteps), o))) return;
      if (owned) store.save(def);
      if (hostSteps) await reloadDnsmasq(realNetHost, def);
      if (!o.json) io.out(sanitize(`${container} left ${def.name}`));
    });
}

function pseudoBridge(bridge: string): NetworkDef {
  if (!fs.existsSync(`/sys/class/net/${bridge}/bridge`)) throw new LxcdeckError('not-defined', `no network or bridge ${bridge}`, "see 'lxcdeck net ls'");
  return {
    version: 1, name: bridge, kind: 'bridge', bridge, existingBridge: true, subnet: null, address: null, dhcp: null, domain: null, antiSpoof: false,
    uplink: null, moveAddresses: [], parent: null, mode: null, shim: null, forwards: [], members: [], readOnly: true,
  };
}
