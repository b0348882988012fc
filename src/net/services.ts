import { LxcdeckError } from '../core/errors.js';
import { runDir, type NetworkDef } from './definition.js';
import { rulesetText, type NftTable } from './nftRules.js';
import { must, type NetHost, type NetStep, type RunResult } from './steps.js';

/** The nftables step (checked with `nft -c` first, applied with `nft -f -` as one transaction) and the dnsmasq step. */

async function tableComment(host: NetHost, t: NftTable): Promise<string | null | undefined> {
  // nft 1.0.6's JSON leaves table comments out: read the text form's first comment line
  const r = await host.run(['nft', 'list', 'table', t.family, t.name]);
  if (r.code !== 0) return undefined; // no such table
  const m = /^table [^\n]*\{\n\s*comment "([^"\n]*)"/.exec(r.stdout);
  return m?.[1] ?? null;
}

export function nftStep(host: NetHost, def: NetworkDef, tables: readonly NftTable[]): NetStep {
  const text = rulesetText(tables);
  const names = tables.map((t) => `${t.family} ${t.name}`).join(' and ');
  const present = async () => {
    const out: NftTable[] = [];
    for (const t of tables) if ((await tableComment(host, t)) !== undefined) out.push(t);
    return out;
  };
  // nft -c waits ~30 ms on the kernel (its aborted transaction): started by prefetch, it overlaps the steps before
  let checked: Promise<RunResult> | null = null;
  const check = () => (checked ??= host.runAside(['nft', '-c', '-f', '-'], text));
  return {
    description: `load nftables table${tables.length > 1 ? 's' : ''} ${names} (checked with nft -c, applied as one transaction)`,
    prefetch: () => void check(),
    shows: [
      { kind: 'command', argv: ['nft', '-c', '-f', '-'] },
      { kind: 'command', argv: ['nft', '-f', '-'] },
      { kind: 'diff', path: 'ruleset', diff: text },
    ],
    undoShows: [{ kind: 'command', argv: ['nft', '-f', '-'] }, { kind: 'diff', path: 'ruleset', diff: tables.map((t) => `table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n`).join('') }],
    check: async () => {
      for (const t of tables) if ((await tableComment(host, t)) !== t.comment) return false;
      return true;
    },
    gone: async () => (await present()).length === 0,
    apply: async () => {
      const c = await check();
      checked = null;
      if (c.code !== 0)
        throw new LxcdeckError('internal', `nft rejects the ruleset of network ${def.name}: ${c.stderr.trim().split('\n')[0] ?? ''}`, 'nothing was loaded; see lxcdeck net create --dry-run for the ruleset');
      // one transaction: all of it is loaded, or none
      await must(host, ['nft', '-f', '-'], text);
    },
    // "table X; delete table X" deletes X whether it is there or not: one nft run, one transaction
    undo: () => must(host, ['nft', '-f', '-'], tables.map((t) => `table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n`).join('')).then(() => undefined),
  };
}

export const DNSMASQ_FILES = ['dnsmasq.pid', 'leases', 'hosts', 'ip_forward', 'ip6_forward'] as const;

/** dnsmasq's hosts file: one `MAC,IP,name` line per member with a fixed address. */
export function dhcpHostsText(def: NetworkDef): string {
  return def.members.filter((m) => m.ip).map((m) => `${m.mac},${m.ip},${m.container}\n`).join('');
}

export function dnsmasqArgv(def: NetworkDef): string[] {
  const dir = runDir(def.name);
  const addr = def.address?.split('/')[0] ?? '';
  const dhcp = def.dhcp ? [`--dhcp-range=${def.dhcp.start},${def.dhcp.end},1h`, '--dhcp-no-override', '--dhcp-authoritative'] : [];
  // IPv6: router advertisements with the ULA prefix (SLAAC: each member's address is the EUI-64 of its fixed MAC) and stateless DHCPv6 for DNS
  const v6 = def.ipv6 && def.address6
    ? [`--listen-address=${def.address6.split('/')[0] ?? ''}`, '--enable-ra', `--dhcp-range=${def.ipv6.split('/')[0] ?? ''},ra-stateless,64,1h`, `--ra-param=${def.bridge ?? ''},10`]
    : [];
  const dns = def.domain ? [`--domain=${def.domain}`, `--local=/${def.domain}/`, '--expand-hosts'] : [];
  return [
    'dnsmasq', '--conf-file=/dev/null', '--strict-order', '--bind-interfaces', `--interface=${def.bridge ?? ''}`, '--except-interface=lo',
    `--listen-address=${addr}`, ...v6, ...dhcp, `--dhcp-leasefile=${dir}/leases`, `--dhcp-hostsfile=${dir}/hosts`, `--pid-file=${dir}/dnsmasq.pid`, ...dns,
  ];
}

/** The pid of this network's dnsmasq, when it runs (its command line names our pid file). */
export async function dnsmasqPid(host: NetHost, def: NetworkDef): Promise<number | null> {
  const pidFile = `${runDir(def.name)}/dnsmasq.pid`;
  const pid = Number((await host.read(pidFile))?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const cmd = (await host.read(`/proc/${pid}/cmdline`)) ?? '';
  const stat = (await host.read(`/proc/${pid}/stat`)) ?? '';
  // a zombie (no init reaps it here) is gone too
  if (/\) Z /.test(stat)) return null;
  return cmd.split('\0').includes(`--pid-file=${pidFile}`) ? pid : null;
}

export function dnsmasqStep(host: NetHost, def: NetworkDef): NetStep {
  const argv = dnsmasqArgv(def);
  const pidFile = `${runDir(def.name)}/dnsmasq.pid`;
  const stop = async () => {
    const pid = await dnsmasqPid(host, def);
    if (pid === null) return;
    host.kill(pid, 'SIGTERM');
    for (let i = 0; i < 400 && (await dnsmasqPid(host, def)) !== null; i++) await host.sleep(5);
    if ((await dnsmasqPid(host, def)) !== null) host.kill(pid, 'SIGKILL');
    await host.remove(pidFile);
  };
  return {
    description: `start dnsmasq on ${def.bridge ?? ''} only (DHCP ${def.dhcp ? `${def.dhcp.start}-${def.dhcp.end}` : 'off'}${def.domain ? `, names <container>.${def.domain}` : ''})`,
    shows: [{ kind: 'command', argv }],
    undoShows: [{ kind: 'note', text: `kill -TERM $(cat ${pidFile})` }],
    check: async () => (await dnsmasqPid(host, def)) !== null,
    gone: async () => (await dnsmasqPid(host, def)) === null,
    // dnsmasq reports a bind or file error before its parent exits, so a zero status means it runs
    apply: async () => {
      try {
        await must(host, argv);
      } catch (e) {
        await stop();
        throw e;
      }
    },
    undo: stop,
  };
}

/** Tells a running dnsmasq to re-read its hosts file (after a join). */
export async function reloadDnsmasq(host: NetHost, def: NetworkDef): Promise<boolean> {
  const pid = await dnsmasqPid(host, def);
  return pid !== null && host.kill(pid, 'SIGHUP');
}
