import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { lineKey } from '../core/configText.js';
import { NetStore } from '../host/netStore.js';
import { runDir, shimName, type NetworkDef } from '../net/definition.js';
import { iptablesForwardDrops, netDoctorChecks, nftForwardDrops, type NetCheck } from '../net/doctorChecks.js';
import type { CliContext } from './context.js';
import { allNetworks } from './net.js';

/** Gathers what the network doctor checks look at (doctor is a one-shot CLI command: sync reads are fine). */
const out = (argv: string[]) => {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', env: { ...process.env, PATH: `/usr/sbin:/sbin:${process.env.PATH ?? ''}` } });
  return r.status === 0 ? r.stdout : '';
};
const read = (p: string) => {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

function dnsmasqRunning(def: NetworkDef): boolean {
  const pidFile = `${runDir(def.name)}/dnsmasq.pid`;
  const pid = read(pidFile)?.trim();
  if (!pid) return false;
  const stat = read(`/proc/${pid}/stat`) ?? '';
  return !/\) Z /.test(stat) && (read(`/proc/${pid}/cmdline`) ?? '').split('\0').includes(`--pid-file=${pidFile}`);
}

export function netChecks(ctx: CliContext): NetCheck[] {
  const links = fs.readdirSync('/sys/class/net');
  const networks = allNetworks(new NetStore()).map((def) => ({
    def,
    up: links.includes(def.kind === 'macvlan' ? shimName(def.name) : (def.bridge ?? '')),
    dnsmasqRunning: dnsmasqRunning(def),
  }));
  const containers = (() => {
    try {
      return ctx.backend.list({ active: false }).map((c) => {
        const text = read(ctx.backend.info(c.name).configFile) ?? '';
        const netLinks = text.split('\n').flatMap((l) => (/^lxc\.net\.\d+\.link$/.test(lineKey(l) ?? '') ? [l.slice(l.indexOf('=') + 1).trim()] : []));
        return { name: c.name, running: c.state !== 'STOPPED', links: netLinks };
      });
    } catch {
      return [];
    }
  })();
  let routes: { dst: string; dev: string | null }[] = [];
  try {
    routes = (JSON.parse(out(['ip', '-j', '-4', 'route', 'show']) || '[]') as { dst: string; dev?: string }[]).map((r) => ({ dst: r.dst, dev: r.dev ?? null }));
  } catch {
    routes = [];
  }
  return netDoctorChecks({
    networks,
    ipForward: read('/proc/sys/net/ipv4/ip_forward')?.trim() === '1',
    ip6Forward: read('/proc/sys/net/ipv6/conf/all/forwarding')?.trim() === '1',
    forwardDrops: [...nftForwardDrops(out(['nft', '-j', 'list', 'ruleset'])), ...iptablesForwardDrops(out(['iptables-legacy', '-S', 'FORWARD']))],
    routes,
    links,
    containers,
  });
}
