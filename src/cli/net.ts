import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Plan } from '../core/plan.js';
import { LxcdeckError } from '../core/errors.js';
import { gatherFacts, listeningPorts, realNetHost } from '../host/netHost.js';
import { lxcNetNetwork, NetStore } from '../host/netStore.js';
import { addForward, defineNetwork, removeForward, type NetRequest } from '../net/define.js';
import { forwardText, parseForward, runDir, type NetworkDef } from '../net/definition.js';
import { slaacAddress } from '../net/ipv6.js';
import { netDownPlan, netUpPlan, upSteps } from '../net/plans.js';
import { reloadDnsmasq } from '../net/services.js';
import { must } from '../net/steps.js';
import { BOOT_UNIT, BOOT_UNIT_PATH, bootUnitText } from '../net/bootUnit.js';
import { formatTable, sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import { hostPlanRunner, runNetDef, runNetPlan, writable, type PlanOpts } from './netPlanRun.js';
import { printPlan, processTerminal } from './planOutput.js';
import { registerNetImportCommand } from './netImport.js';
import { registerNetJoinCommands } from './netJoin.js';
import { createPlan } from './netWizard.js';

/** `lxcdeck net ...`: networks as plans (shown with --dry-run, applied step by step, rolled back on failure). */

export type NetState = 'up' | 'down' | 'partial' | 'lxc-net';

export async function netState(def: NetworkDef): Promise<NetState> {
  if (def.readOnly) return 'lxc-net';
  const steps = upSteps(realNetHost, def);
  if (!steps.length) return 'up';
  const done = await Promise.all(steps.map((s) => s.check().catch(() => false)));
  if (done.every(Boolean)) return 'up';
  const gone = await Promise.all(steps.map((s) => s.gone().catch(() => false)));
  return gone.every(Boolean) ? 'down' : 'partial';
}

/** dnsmasq's lease file: expiry mac ip name clientid. */
export function readLeases(text: string): { mac: string; ip: string; name: string; expires: number }[] {
  return text.split('\n').flatMap((l) => {
    const [exp, mac, ip, name] = l.trim().split(/\s+/);
    return exp && mac && ip ? [{ mac, ip, name: name ?? '*', expires: Number(exp) }] : [];
  });
}

export function allNetworks(store: NetStore): NetworkDef[] {
  const lxcnet = lxcNetNetwork();
  return [...store.list(), ...(lxcnet ? [lxcnet] : [])];
}

function findNetwork(store: NetStore, name: string): NetworkDef {
  const def = allNetworks(store).find((n) => n.name === name);
  return def ?? store.get(name);
}

const BOOT_LINE = 'lxcdeck net up --all';

/** With systemd as PID 1: installs and enables the unit that runs `net up --all` at boot; otherwise the line to add. */
async function installBoot(): Promise<string> {
  if (!fs.existsSync('/run/systemd/system')) return `to run this at boot, add this line to the host's boot (e.g. /etc/rc.local): ${BOOT_LINE}`;
  const text = bootUnitText(process.execPath, path.resolve(process.argv[1] ?? 'lxcdeck'));
  if ((await realNetHost.read(BOOT_UNIT_PATH)) !== text) {
    await realNetHost.write(BOOT_UNIT_PATH, text);
    await must(realNetHost, ['systemctl', 'daemon-reload']);
  }
  await must(realNetHost, ['systemctl', 'enable', BOOT_UNIT]);
  return `${BOOT_UNIT} is installed and enabled (${BOOT_UNIT_PATH}): the networks come back at boot`;
}

export function registerNetCommands(program: Command, io: CliIo, context: (cmd: Command) => CliContext): void {
  const store = new NetStore();
  const net = program.command('net').description('networks: NAT (bridge, nftables, dnsmasq), bridge and macvlan, shown before they run');
  const planOpts = (cmd: Command) => cmd.option('--dry-run', 'print the plan, change nothing').option('--json', 'one JSON line per event (with --dry-run: the plan)');

  planOpts(
    net
      .command('create')
      .description('define a network and bring it up')
      .argument('<name>')
      .requiredOption('--kind <kind>', 'nat, bridge or macvlan')
      .option('--subnet <cidr>', 'IPv4 subnet (default for nat: a free 10.x.0.0/24)')
      .option('--bridge <name>', 'bridge name (default ldk-<name>; an existing bridge for --kind bridge)')
      .option('--address <ip>', 'host address on the bridge (default: the first of the subnet)')
      .option('--dhcp-range <start,end>', 'DHCP range (nat; default: the upper half)')
      .option('--ipv6 [prefix]', 'nat: an IPv6 ULA /64 with router advertisements and NAT66 (default: a random fd00::/8 /64)')
      .option('--domain <domain>', 'DNS domain of the containers (nat; default: the network name)')
      .option('--forward <spec...>', 'port forward host-port[/tcp|udp]:container:port (nat)')
      .option('--anti-spoof', 'pin each container port to its MAC and addresses (bridge, nat)')
      .option('--uplink <if>', 'attach a host interface to the bridge (its addresses move to the bridge)')
      .option('--i-know', 'allow --uplink on the interface of the default route')
      .option('--parent <if>', 'macvlan parent interface')
      .option('--mode <mode>', 'macvlan mode: bridge, vepa, private, passthru', 'bridge')
      .option('--shim <ip>', 'macvlan: host shim address so the host reaches its containers'),
  ).action(async (name: string, o: Omit<NetRequest, 'name' | 'forwards'> & PlanOpts & { forward?: string[] }, cmd: Command) => {
    const facts = await gatherFacts(allNetworks(store));
    const def = defineNetwork({ ...o, name, forwards: o.forward ?? [] }, facts);
    // the same plan as the TUI wizard's: storing the definition is its first step, undone on failure
    if (!(await runNetPlan(hostPlanRunner(), createPlan(store, def), o))) return;
    if (!o.json) io.out(sanitize(`network ${name} is up; to bring it back after a reboot, add to the host's boot: ${BOOT_LINE}`));
  });

  net
    .command('ls')
    .description('list networks (lxc-net\'s bridge too, read-only)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const nets = allNetworks(store);
      const rows = await Promise.all(nets.map(async (d) => ({ ...d, state: await netState(d) })));
      if (o.json) return io.out(JSON.stringify(rows, null, 2));
      if (!rows.length) return io.out('no networks: create one with lxcdeck net create NAME --kind nat');
      io.out(formatTable(['NAME', 'KIND', 'STATE', 'LINK', 'SUBNET', 'MEMBERS', 'FORWARDS'], rows.map((d) => [
        d.name, d.kind, d.state, (d.kind === 'macvlan' ? `${d.parent ?? ''} (${d.mode ?? ''})` : d.bridge) ?? '-', d.subnet ?? '-',
        d.members.map((m) => m.container).join(',') || '-', d.forwards.map(forwardText).join(', ') || '-',
      ].map((x) => sanitize(String(x))))));
    });

  net
    .command('show')
    .description('show a network: its definition, state, DHCP leases, members, forwards')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const def = findNetwork(store, name);
      const state = await netState(def);
      const leases = readLeases((await realNetHost.read(`${runDir(def.name)}/leases`)) ?? '');
      const members = def.members.map((m) => ({ ...m, ip6: def.ipv6 ? slaacAddress(def.ipv6, m.mac) : null }));
      if (o.json) return io.out(JSON.stringify({ ...def, members, state, leases }, null, 2));
      const lines: [string, string][] = [
        ['Name', def.name], ['Kind', def.kind + (def.readOnly ? " (Debian's lxc-net, read-only)" : '')], ['State', state],
        ['Link', (def.kind === 'macvlan' ? `${def.parent ?? ''} mode ${def.mode ?? ''}${def.shim ? `, host shim ${def.shim}` : ''}` : def.bridge && def.mac ? `${def.bridge} (MAC ${def.mac})` : def.bridge) ?? '-'],
        ['Subnet', def.subnet ?? '-'], ['Host address', def.address ?? '-'], ['IPv6', def.ipv6 ? `${def.ipv6} (host ${def.address6 ?? '-'}, SLAAC, NAT66)` : '-'], ['DHCP', def.dhcp ? `${def.dhcp.start} - ${def.dhcp.end}` : '-'],
        ['Domain', def.domain ?? '-'], ['Anti-spoof', def.antiSpoof ? 'yes' : 'no'],
        ['Members', members.map((m) => `${m.container} ${m.mac}${m.ip ? ` ${m.ip}` : ''}${m.ip6 ? ` ${m.ip6}` : ''}`).join('; ') || '-'],
        ['Forwards', def.forwards.map(forwardText).join('; ') || '-'],
        ['Leases', leases.map((l) => `${l.name} ${l.ip} ${l.mac}`).join('; ') || '-'],
      ];
      io.out(lines.map(([k, v]) => `${`${k}:`.padEnd(14)}${sanitize(v)}`).join('\n'));
    });

  planOpts(net.command('up').description('bring networks up from their definitions (after a reboot: --all)').argument('[name]').option('--all', 'every network')).action(
    async (name: string | undefined, o: PlanOpts & { all?: boolean }, cmd: Command) => {
      if (!name && !o.all) throw new LxcdeckError('invalid-argument', 'net up needs a network name or --all', 'e.g. lxcdeck net up lab');
      const defs = o.all ? store.list() : [store.get(name ?? '')];
      for (const def of defs) await runNetDef('up', def, o);
      if (o.all && !o.dryRun && !o.json) io.out(await installBoot());
    },
  );

  planOpts(net.command('down').description('take a network down: every rule, address, process and file it added').argument('<name>')).action(
    async (name: string, o: PlanOpts, cmd: Command) => void (await runNetDef('down', store.get(name), o)),
  );

  planOpts(net.command('rm').description('take a network down and forget it').argument('<name>')).action(async (name: string, o: PlanOpts, cmd: Command) => {
    const def = writable(store.get(name));
    if (!(await runNetPlan(hostPlanRunner(), netDownPlan(realNetHost, def), o))) return;
    store.remove(name);
    if (!o.json && def.members.length) io.out(sanitize(`network ${name} removed; ${def.members.map((m) => m.container).join(', ')} keep its lxc.net keys: lxcdeck net leave CONTAINER ${name}`));
  });

  const forward = net.command('forward').description('port forwards of a NAT network');
  planOpts(forward.command('add').description('forward host-port[/tcp|udp] to container:port').argument('<network>').argument('<spec>', 'e.g. 8080:web:80')).action(
    async (name: string, spec: string, o: PlanOpts, cmd: Command) => {
      const def = writable(store.get(name));
      addForward(def, parseForward(spec), { listening: await listeningPorts() });
      await changeRunning(hostPlanRunner(), store, def, o);
    },
  );
  planOpts(forward.command('rm').description('remove the forward of a host port').argument('<network>').argument('<port>', 'e.g. 8080 or 53/udp')).action(
    async (name: string, port: string, o: PlanOpts, cmd: Command) => {
      const def = writable(store.get(name));
      removeForward(def, port);
      await changeRunning(hostPlanRunner(), store, def, o);
    },
  );

  registerNetJoinCommands(net, io, context, store);
  registerNetImportCommand(net, io, store);
}

/** A changed definition: saved, and when the network is up its tables and leases are brought in line. */
export async function changeRunning(c: Pick<CliContext, 'planExecutor'>, store: NetStore, def: NetworkDef, o: PlanOpts): Promise<void> {
  const up = (await netState(store.get(def.name))) !== 'down';
  const plan = netUpPlan(realNetHost, def);
  if (o.dryRun) return printPlan(up ? plan : { ...plan, title: `${plan.title}: the network is down, only its definition changes`, steps: [] }, processTerminal(), o.json ? 'json' : 'text');
  if (up) await runNetPlan(c, plan, o);
  store.save(def);
  // dnsmasq re-reads its hosts file on SIGHUP
  if (up) await reloadDnsmasq(realNetHost, def);
}
