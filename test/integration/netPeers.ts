import * as fs from 'node:fs';
import { BIN, run, ROOT, type Result } from './host.js';

/**
 * Kernel objects the network tests make (network namespaces, veth pairs)
 * and the host state they compare before and after. Other helpers run
 * tests on this machine at the same time, so a snapshot keeps only what
 * this run could have touched: objects named after its tag, every nft table
 * of lxcdeck's, ip_forward, and dnsmasq processes.
 */
export const sh = (argv: string[], timeoutMs = 30_000): Promise<Result> => run(ROOT, argv, { timeoutMs });

export async function must(argv: string[]): Promise<string> {
  const r = await sh(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** A namespace with one end of a veth pair; the other end stays on the host. */
export async function makePeer(ns: string, hostIf: string, nsIf: string, nsAddr: string | null, hostAddr: string | null): Promise<void> {
  await must(['ip', 'netns', 'add', ns]);
  await must(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
  await must(['ip', 'link', 'set', nsIf, 'netns', ns]);
  if (hostAddr) await must(['ip', 'addr', 'add', hostAddr, 'dev', hostIf]);
  await must(['ip', 'link', 'set', hostIf, 'up']);
  await must(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  if (nsAddr) await must(['ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', nsAddr, 'dev', nsIf]);
  await must(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up']);
}

export async function removePeer(ns: string, hostIf: string): Promise<void> {
  await sh(['ip', 'link', 'del', hostIf]);
  await sh(['ip', 'netns', 'del', ns]);
}

/** Tries a check up to `times` times, `gapMs` apart (traffic tests: bounded, never endless). */
export async function within(times: number, gapMs: number, fn: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < times; i++) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return false;
}

export const attach = (name: string, cmd: string[], timeoutMs = 15_000) => run(ROOT, ['lxc-attach', '-n', name, '--', ...cmd], { timeoutMs });

/** Live (not zombie) processes of `name` serving an interface of this run (`--interface=IF`). */
const livePids = (name: string, mine: RegExp): number[] =>
  fs.readdirSync('/proc').flatMap((p) => {
    if (!/^\d+$/.test(p)) return [];
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      if (!stat.includes(`(${name})`) || /\) Z /.test(stat)) return [];
      const argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (!argv.some((a) => a.startsWith('--interface=') && mine.test(a.slice('--interface='.length)))) return [];
      return [Number(p)];
    } catch {
      return [];
    }
  });

export interface HostSnapshot {
  links: unknown[];
  addrs: unknown[];
  nft: unknown[];
  ipForward: string;
  ip6Forward: string;
  dnsmasq: number[];
  runDirs: string[];
}

/** Every object of lxcdeck's nft tables; nft 1.0.6 prints broken JSON for a table with `flags owner`: then the text of those tables. */
async function lxcdeckTables(): Promise<unknown[]> {
  const json = await must(['nft', '-j', 'list', 'ruleset']);
  try {
    const ruleset = JSON.parse(json) as { nftables: Record<string, { table?: string; name?: string }>[] };
    return ruleset.nftables.filter((o) => !o.metainfo).filter((o) => Object.values(o).some((v) => (v.table ?? v.name ?? '').startsWith('lxcdeck-')));
  } catch {
    const text = await must(['nft', 'list', 'ruleset']);
    return text.split(/^(?=table )/m).filter((t) => /^table \w+ lxcdeck-/.test(t)).map((t) => t.replace(/handle \d+/g, '').trim());
  }
}

/** What this run could change on the host; `mine` matches interface names of this run. */
export async function snapshot(mine: RegExp): Promise<HostSnapshot> {
  // what identifies a link and an address (not timers, DAD state or carrier)
  const links = (JSON.parse(await must(['ip', '-j', 'link', 'show'])) as { ifname: string; master?: string; address?: string; flags: string[] }[])
    .filter((l) => mine.test(l.ifname))
    .map((l) => ({ ifname: l.ifname, master: l.master ?? null, address: l.address ?? null, up: l.flags.includes('UP') }));
  const addrs = (JSON.parse(await must(['ip', '-j', 'addr', 'show'])) as { ifname: string; addr_info: { family: string; local: string; prefixlen: number }[] }[])
    .filter((l) => mine.test(l.ifname))
    .map((l) => [l.ifname, l.addr_info.map((a) => `${a.local}/${a.prefixlen}`).sort()]);
  const nft = await lxcdeckTables();
  let runDirs: string[] = [];
  try {
    runDirs = fs.readdirSync('/run/lxcdeck');
  } catch {
    runDirs = [];
  }
  return { links, addrs, nft, ipForward: fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(),
    ip6Forward: fs.readFileSync('/proc/sys/net/ipv6/conf/all/forwarding', 'utf8').trim(), dnsmasq: livePids('dnsmasq', mine).sort(), runDirs: runDirs.sort() };
}

/** Drops the lines of a container config that put it on a network (the template's lxc.net.0 on lxcbr0). */
export function dropNetKeys(configFile: string): void {
  const st = fs.statSync(configFile);
  const text = fs.readFileSync(configFile, 'utf8').split('\n').filter((l) => !/^\s*lxc\.net\./.test(l)).join('\n');
  fs.writeFileSync(configFile, text);
  fs.chownSync(configFile, st.uid, st.gid);
}

/**
 * Sends one forged unsolicited neighbour advertisement (override flag, to
 * ff02::1) from inside a container's network namespace through an AF_PACKET
 * socket: source MAC and link-local `src`, claiming `target` for `mac`.
 * The host's python runs in the container's netns only (nsenter -n).
 */
const FORGE_NA = `
import socket, struct, sys
ifc, mac, src, target = sys.argv[1:5]
a = lambda x: socket.inet_pton(socket.AF_INET6, x)
hw = bytes.fromhex(mac.replace(':', ''))
dst = a('ff02::1')
body = struct.pack('!BBHI', 136, 0, 0, 0x20000000) + a(target) + bytes([2, 1]) + hw
ph = a(src) + dst + struct.pack('!I3xB', len(body), 58) + body
s = sum(struct.unpack('!%dH' % (len(ph) // 2), ph))
while s >> 16: s = (s & 0xffff) + (s >> 16)
body = body[:2] + struct.pack('!H', ~s & 0xffff) + body[4:]
ip6 = struct.pack('!IHBB', 0x60000000, len(body), 58, 255) + a(src) + dst
k = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
k.bind((ifc, 0))
k.send(bytes.fromhex('333300000001') + hw + b'\\x86\\xdd' + ip6 + body)
`;

export async function forgeNeighbourAdvert(container: string, ifc: string, mac: string, src: string, target: string): Promise<void> {
  const pid = (await must(['lxc-info', '-n', container, '-p', '-H'])).trim();
  await must(['nsenter', '-t', pid, '-n', 'python3', '-c', FORGE_NA, ifc, mac, src, target]);
}

/**
 * Runs a shell script in a fresh network namespace and a private mount
 * namespace whose /run/lxcdeck (and /run/lxc) are empty tmpfs: per-netns
 * sysctls (ip_forward), /sys, bridges, nft tables and dnsmasq of the script never
 * meet the host's or another helper's. `$LXCDECK` runs this worktree's lxcdeck.
 */
export function inPrivateNet(script: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Result> {
  fs.mkdirSync('/run/lxcdeck', { recursive: true });
  fs.mkdirSync('/run/lxc', { recursive: true });
  const prelude = [
    'set -e',
    'mount -t tmpfs lxcdeck /run/lxcdeck',
    'mount -t tmpfs lxc /run/lxc',
    'mount -t sysfs sysfs /sys',
    'ip link set lo up',
    // a dnsmasq outlives the script (and keeps the namespace alive) unless killed: every pid file here is this script's
    `trap 'for f in /run/lxc/dnsmasq.pid /run/lxcdeck/*/dnsmasq.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; true' EXIT`,
  ].join('\n');
  const vars = Object.entries({ LXCDECK: `${process.execPath} ${BIN}`, ...env }).map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`).join(' ');
  return sh(['unshare', '-m', '-n', '--propagation', 'private', 'sh', '-c', `${prelude}\nexport ${vars}\n${script}`], timeoutMs);
}
