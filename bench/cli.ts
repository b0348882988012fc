/**
 * CLI start-up against bare Node, in the same run: `node -e 0`, then each
 * lxcdeck command, interleaved round by round so load on the machine hits
 * all alike; medians of wall time, and each as a ratio of `node -e 0`'s.
 * Targets (issue 16): --help, freeze, thaw <= 1.2x; ls --json <= 1.3x at 10.
 */
import { spawnSync } from 'node:child_process';

export interface StartupResult {
  node: number;
  byLabel: Map<string, number>;
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

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString().trim()}`);
  return t;
}

/** Median wall ms of each probe and of `node -e 0`, `rounds` interleaved rounds. */
export function measureStartup(probes: Probe[], rounds: number): StartupResult {
  const samples = new Map<string, number[]>([['node -e 0', []]]);
  for (const p of probes) samples.set(p.label, []);
  for (let i = 0; i < rounds; i++) {
    samples.get('node -e 0')!.push(timed(process.execPath, ['-e', '0']));
    for (const p of probes) {
      samples.get(p.label)!.push(timed(p.cmd, p.args));
    }
  }
  const byLabel = new Map([...samples].map(([k, v]) => [k, median(v)]));
  return { node: byLabel.get('node -e 0')!, byLabel };
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
    rows.push([`start-up, ${n} running`, label, `${t.toFixed(0)} ms`, `node -e 0 ${r.node.toFixed(0)} ms`, `${x.toFixed(2)}x bare Node`, target ? `target <= ${target}x: ${x <= target ? 'met' : 'MISSED'}` : '']);
  }
  return rows;
}
