/**
 * CLI start-up against bare Node, in the same run: `node -e 0`, then each
 * lxcdeck command, interleaved round by round so load on the machine hits
 * all alike; medians of wall time, and each as a ratio of `node -e 0`'s.
 * Targets (issue 16): --help, freeze, thaw <= 1.2x; ls --json <= 1.3x at 10.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface StartupResult {
  node: number;
  byLabel: Map<string, number>;
  /** Mean CPU ms (user + system, the command and what it waited for) of each label, `node -e 0` included. */
  cpuByLabel: Map<string, number>;
}

interface Probe {
  label: string;
  cmd: string;
  args: string[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** CPU ms this process's waited-for children have used (cutime + cstime of /proc/self/stat, 10 ms ticks). */
function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): cutime and cstime are fields 16 and 17
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function timed(cmd: string, args: string[]): { wall: number; cpu: number } {
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString().trim()}`);
  return { wall: t, cpu: childrenCpuMs() - c0 };
}

/** Median wall ms and mean CPU ms of each probe and of `node -e 0`, `rounds` interleaved rounds. */
export function measureStartup(probes: Probe[], rounds: number): StartupResult {
  const samples = new Map<string, { wall: number; cpu: number }[]>([['node -e 0', []]]);
  for (const p of probes) samples.set(p.label, []);
  for (let i = 0; i < rounds; i++) {
    samples.get('node -e 0')!.push(timed(process.execPath, ['-e', '0']));
    for (const p of probes) {
      samples.get(p.label)!.push(timed(p.cmd, p.args));
    }
  }
  const byLabel = new Map([...samples].map(([k, v]) => [k, median(v.map((x) => x.wall))]));
  // CPU in 10 ms ticks: only the mean over the rounds has a useful resolution
  const cpuByLabel = new Map([...samples].map(([k, v]) => [k, v.reduce((a, x) => a + x.cpu, 0) / v.length]));
  return { node: byLabel.get('node -e 0')!, byLabel, cpuByLabel };
}

/** The probes of the start-up targets, for a running container `name` in `lxcpath`. */
export function startupProbes(bin: string, lxcpath: string, name: string): Probe[] {
  const node = process.execPath;
  const ld = (...a: string[]) => [bin, '-P', lxcpath, ...a];
  return [
    { label: 'lxcdeck --help', cmd: node, args: [bin, '--help'] },
    { label: 'lxcdeck --version', cmd: node, args: [bin, '--version'] },
    // freeze then thaw: each round leaves the container running
    { label: 'lxcdeck freeze NAME', cmd: node, args: ld('freeze', name) },
    { label: 'lxcdeck thaw NAME', cmd: node, args: ld('thaw', name) },
    { label: 'lxcdeck ls --json', cmd: node, args: ld('ls', '--json') },
    { label: 'lxc-ls -f', cmd: 'lxc-ls', args: ['-P', lxcpath, '-f'] },
  ];
}

const TARGETS: Record<string, number> = { 'lxcdeck --help': 1.2, 'lxcdeck freeze NAME': 1.2, 'lxcdeck thaw NAME': 1.2 };

/** Bench rows: each command's median and its ratio to bare Node, with the target where there is one. */
export function startupRows(r: StartupResult, n: number, lsTarget: number | null): string[][] {
  const rows: string[][] = [];
  for (const [label, t] of r.byLabel) {
    if (label === 'node -e 0') continue;
    const x = t / r.node;
    const target = label === 'lxcdeck ls --json' ? lsTarget : TARGETS[label];
    const cpu = r.cpuByLabel.get(label) ?? NaN;
    const nodeCpu = r.cpuByLabel.get('node -e 0') ?? NaN;
    rows.push([
      `start-up, ${n} running`,
      label,
      `${t.toFixed(0)} ms`,
      `node -e 0 ${r.node.toFixed(0)} ms`,
      `${x.toFixed(2)}x bare Node`,
      target ? `target <= ${target}x: ${x <= target ? 'met' : 'MISSED'}` : '',
      `CPU ${cpu.toFixed(0)} ms, ${(cpu / nodeCpu).toFixed(2)}x node's ${nodeCpu.toFixed(0)} ms`,
    ]);
  }
  return rows;
}
