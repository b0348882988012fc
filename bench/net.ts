/**
 * NAT network up/down: `lxcdeck net up|down` (the CLI process, and the plan
 * run in-process) vs Debian's `/usr/libexec/lxc/lxc-net start|stop` doing
 * the same (bridge, address, nft table, dnsmasq, ip_forward), side by side.
 * lxc-net runs in a private mount namespace whose /etc/default/lxc-net,
 * /run/lxc and /var/lib/misc are ours, so it builds its own bridge and
 * never touches the host's lxcbr0; only its own time is counted (not the
 * unshare and mounts around it). Then: from `lxcdeck start` of a container
 * on a NAT network to its first ping of a "wan" namespace peer.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { realNetHost } from '../src/host/netHost.js';
import { NetStore } from '../src/host/netStore.js';
import { netDownPlan, netUpPlan } from '../src/net/plans.js';
import { PlanExecutor } from '../src/plan/executor.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin', 'lxcdeck.js');

function run(argv: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', env, timeout: 60_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return { ms, out: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

/** One lxc-net start or stop in its own mount namespace; returns lxc-net's own time in ms. */
function lxcNet(verb: 'start' | 'stop', dir: string): number {
  const script = [
    `mount --bind ${dir}/lxc-net /etc/default/lxc-net`,
    `mount --bind ${dir}/lxc-net /etc/default/lxc`,
    `mount --bind ${dir}/run /run/lxc`,
    `mount --bind ${dir}/misc /var/lib/misc`,
    't0=$(date +%s%N)',
    `/usr/libexec/lxc/lxc-net ${verb} >/dev/null`,
    't1=$(date +%s%N)',
    'echo $(( (t1 - t0) / 1000 ))',
  ].join(' && ');
  return Number(run(['unshare', '-m', '--propagation', 'private', 'sh', '-c', script]).out.trim()) / 1000;
}

export async function netBench(runs = 10): Promise<string[][]> {
  const tag = `b${process.pid % 100000}`;
  const x = (process.pid % 200) + 30;
  const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-bench-net-'));
  const env = { ...process.env, LXCDECK_NET_DIR: netDir };
  const lxcDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-bench-lxcnet-'));
  const bridge = `lxbench${process.pid % 1000}`;
  fs.mkdirSync(`${lxcDir}/run`);
  fs.mkdirSync(`${lxcDir}/misc`);
  fs.writeFileSync(`${lxcDir}/lxc-net`, [
    'USE_LXC_BRIDGE="true"', `LXC_BRIDGE="${bridge}"`, `LXC_ADDR="10.252.${x}.1"`, 'LXC_NETMASK="255.255.255.0"',
    `LXC_NETWORK="10.252.${x}.0/24"`, `LXC_DHCP_RANGE="10.252.${x}.128,10.252.${x}.254"`, 'LXC_DHCP_MAX="127"', 'LXC_USE_NFT="true"', '',
  ].join('\n'));
  const ipForward = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  const rows: string[][] = [];
  const times = { up: [] as number[], down: [] as number[], upIn: [] as number[], downIn: [] as number[], start: [] as number[], stop: [] as number[], node: [] as number[] };
  try {
    run([process.execPath, BIN, 'net', 'create', tag, '--kind', 'nat', '--subnet', `10.251.${x}.0/24`], env);
    run([process.execPath, BIN, 'net', 'down', tag], env);
    const def = new NetStore(netDir).get(tag);
    const executor = new PlanExecutor({ journals: null });
    for (let i = 0; i < runs; i++) {
      // bare Node's start in the same rounds: the floor under any `lxcdeck` command
      times.node.push(run([process.execPath, '-e', '0']).ms);
      times.up.push(run([process.execPath, BIN, 'net', 'up', tag], env).ms);
      times.down.push(run([process.execPath, BIN, 'net', 'down', tag], env).ms);
      let t0 = performance.now();
      if ((await executor.run(netUpPlan(realNetHost, def))).outcome !== 'applied') throw new Error('in-process net up failed');
      times.upIn.push(performance.now() - t0);
      t0 = performance.now();
      if ((await executor.run(netDownPlan(realNetHost, def))).outcome !== 'applied') throw new Error('in-process net down failed');
      times.downIn.push(performance.now() - t0);
      times.start.push(lxcNet('start', lxcDir));
      // both sides must really have done the work: lxc-net's bridge and dnsmasq are there, then gone
      if (!fs.existsSync(`/sys/class/net/${bridge}`) || !fs.existsSync(`${lxcDir}/run/dnsmasq.pid`)) throw new Error('lxc-net start did not bring its bridge and dnsmasq up');
      times.stop.push(lxcNet('stop', lxcDir));
      if (fs.existsSync(`/sys/class/net/${bridge}`)) throw new Error('lxc-net stop left its bridge');
    }
    const verdict = (a: number, b: number) => (a < b ? 'target met (faster than lxc-net)' : 'TARGET MISSED');
    // the CLI pays Node's start (node -e 0) before its first step; the plan in-process is the like-for-like figure
    const floor = `node -e 0 alone ${ms(median(times.node))}`;
    rows.push([`net up (NAT: bridge, nft table, dnsmasq), ${runs} runs, median`, `lxcdeck net up ${ms(median(times.up))} (plan in-process ${ms(median(times.upIn))}; ${floor})`, `lxc-net start ${ms(median(times.start))}`, `CLI: ${verdict(median(times.up), median(times.start))}; in-process: ${verdict(median(times.upIn), median(times.start))}`]);
    rows.push([`net down, ${runs} runs, median`, `lxcdeck net down ${ms(median(times.down))} (plan in-process ${ms(median(times.downIn))}; ${floor})`, `lxc-net stop ${ms(median(times.stop))}`, `CLI: ${verdict(median(times.down), median(times.stop))}; in-process: ${verdict(median(times.downIn), median(times.stop))}`]);
    rows.push(await startToPing(tag, x, env));
  } finally {
    spawnSync(process.execPath, [BIN, 'net', 'rm', tag], { env });
    spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount --bind ${lxcDir}/lxc-net /etc/default/lxc-net && mount --bind ${lxcDir}/lxc-net /etc/default/lxc && mount --bind ${lxcDir}/run /run/lxc && /usr/libexec/lxc/lxc-net stop`]);
    spawnSync('ip', ['link', 'del', bridge]);
    fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', `${ipForward}\n`);
    fs.rmSync(netDir, { recursive: true, force: true });
    fs.rmSync(lxcDir, { recursive: true, force: true });
  }
  return rows;
}

/** From `lxcdeck start` to the first successful ping of a wan peer (a namespace behind a veth). */
async function startToPing(tag: string, x: number, env: NodeJS.ProcessEnv): Promise<string[]> {
  const ns = `ldb-${process.pid}-wan`;
  const hostIf = `${tag}w`;
  const c = `bench-net-${process.pid}`;
  try {
    run(['ip', 'netns', 'add', ns]);
    run(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'wan0']);
    run(['ip', 'link', 'set', 'wan0', 'netns', ns]);
    run(['ip', 'addr', 'add', `198.19.${x}.1/24`, 'dev', hostIf]);
    run(['ip', 'link', 'set', hostIf, 'up']);
    run(['ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `198.19.${x}.2/24`, 'dev', 'wan0']);
    run(['ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'wan0', 'up']);
    run(['lxc-create', '-t', 'busybox', '-n', c]);
    const config = `/var/lib/lxc/${c}/config`;
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').split('\n').filter((l) => !/^\s*lxc\.net\./.test(l)).join('\n'));
    run([process.execPath, BIN, 'net', 'up', tag], env);
    run([process.execPath, BIN, 'net', 'join', c, tag], env);
    const t0 = performance.now();
    run([process.execPath, BIN, 'start', c], env);
    let ok = false;
    // bounded: at most ~20 s of attempts
    for (let i = 0; i < 200 && !ok; i++) ok = spawnSync('lxc-attach', ['-n', c, '--', 'ping', '-c1', '-W1', `198.19.${x}.2`]).status === 0;
    const t = performance.now() - t0;
    return ['lxcdeck start -> first ping of the wan peer (DHCP lease + masquerade)', ok ? ms(t) : 'no ping within 20 s', '', ok ? 'reported' : 'FAILED'];
  } finally {
    spawnSync('lxc-stop', ['-k', '-n', c]);
    spawnSync('lxc-destroy', ['-f', '-n', c]);
    spawnSync('ip', ['link', 'del', hostIf]);
    spawnSync('ip', ['netns', 'del', ns]);
  }
}
