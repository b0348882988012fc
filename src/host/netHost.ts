import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import type { HostFacts, HostLink, NetworkDef } from '../net/definition.js';
import type { NetHost, RunResult } from '../net/steps.js';
import { randomHex, writeFileAtomic } from './atomicWrite.js';
import { ShellRunner } from './shellRunner.js';

/**
 * The real NetHost: commands through execFile (a child process, never a fork
 * of Node, never blocking the event loop) and small file reads; plus the
 * facts a network plan is checked against (`ip -j` links, addresses, routes).
 */
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

export function runCommand(argv: readonly string[], input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(argv[0] as string, argv.slice(1), { env: { ...process.env, PATH: `${PATH}:${process.env.PATH ?? ''}`, LC_ALL: 'C' }, timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code === 127 ? err.message : '') });
    });
    // a command that exits without reading its stdin must not crash us with EPIPE
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

const shell = new ShellRunner();

export const realNetHost: NetHost = {
  // one long-lived sh runs the plan's commands (a fork of sh, not a spawn from Node, per command)
  run: (argv, input) => shell.run(argv, input),
  runAside: (argv, input) => runCommand(argv, input),
  read: async (p) => {
    try {
      return await fs.promises.readFile(p, 'utf8');
    } catch {
      return null;
    }
  },
  isDir: async (p) => {
    try {
      return (await fs.promises.stat(p)).isDirectory();
    } catch {
      return false;
    }
  },
  list: async (p) => {
    try {
      return await fs.promises.readdir(p);
    } catch {
      return [];
    }
  },
  put: (p, text) => fs.promises.writeFile(p, text),
  // files under /run go with a reboot (dnsmasq's hosts, forwarding holds): atomic, without fsync
  write: async (p, text) => void writeFileAtomic(p, text, { mode: 0o644, durable: !p.startsWith('/run/') }),
  remove: (p) => fs.promises.rm(p, { force: true }),
  mkdir: async (p) => void (await fs.promises.mkdir(p, { recursive: true, mode: 0o755 })),
  rmdir: (p) => fs.promises.rmdir(p),
  kill: (pid, signal) => {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  },
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

interface IpLink {
  ifname: string;
  master?: string;
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export function parseIpAddr(json: string): HostLink[] {
  const links = JSON.parse(json || '[]') as IpLink[];
  return links.map((l) => ({
    name: l.ifname,
    kind: l.linkinfo?.info_kind ?? null,
    master: l.master ?? null,
    addresses: (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`),
  }));
}

const which = async (tool: string) => (await runCommand(['sh', '-c', `command -v ${tool}`])).code === 0;

/** Links (with kind and addresses), IPv4 routes, the tools, and the other networks. */
export async function gatherFacts(networks: NetworkDef[]): Promise<HostFacts> {
  const [addr, detail, routes, nft, dnsmasq] = await Promise.all([
    runCommand(['ip', '-j', 'addr', 'show']),
    runCommand(['ip', '-j', '-d', 'link', 'show']),
    runCommand(['ip', '-j', '-4', 'route', 'show', 'table', 'all']),
    which('nft'),
    which('dnsmasq'),
  ]);
  const kinds = new Map(parseIpAddr(detail.stdout).map((l) => [l.name, l.kind]));
  const links = parseIpAddr(addr.stdout).map((l) => ({ ...l, kind: kinds.get(l.name) ?? l.kind }));
  const rs = (JSON.parse(routes.stdout || '[]') as { dst: string; dev?: string; type?: string; table?: string }[])
    // local and broadcast routes mirror addresses, which are checked already
    .filter((r) => !r.type || r.type === 'unicast')
    .map((r) => ({ dst: r.dst, dev: r.dev ?? null }));
  const ulaSeed = randomHex(5);
  return { links, routes: rs, networks, root: process.getuid?.() === 0, tools: { nft, dnsmasq }, listening: await listeningPorts(), ulaSeed };
}

/** Ports in LISTEN (tcp) or bound (udp), from /proc/net/{tcp,udp}{,6}: local address is hex "ADDR:PORT". */
export async function listeningPorts(): Promise<{ proto: 'tcp' | 'udp'; port: number }[]> {
  const out: { proto: 'tcp' | 'udp'; port: number }[] = [];
  for (const [proto, file] of [['tcp', 'tcp'], ['tcp', 'tcp6'], ['udp', 'udp'], ['udp', 'udp6']] as const) {
    const text = (await realNetHost.read(`/proc/net/${file}`)) ?? '';
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const port = parseInt(f[1]?.split(':')[1] ?? '', 16);
      // tcp: 0A is LISTEN; udp: 07 is a bound socket
      if (Number.isInteger(port) && f[3] === (proto === 'tcp' ? '0A' : '07')) out.push({ proto, port });
    }
  }
  return out;
}
