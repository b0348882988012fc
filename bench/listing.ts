/**
 * The listing and start-up phases of `npm run bench` (bench/run.ts): with 10
 * and then all running, the in-process listing (first and steady refresh),
 * `lxcdeck ls --json` against `lxc-ls -f`, the start-up ratios against bare
 * Node (bench/cli.ts), and what each added running container costs, next to
 * liblxc's own calls for it (the probe alone).
 */
import type { CliContext } from '../src/cli/context.js';
import { createContext } from '../src/cli/context.js';
import { loadNative } from '../src/lxc/native.js';
import { measureStartup, startupProbes, startupRows } from './cli.js';
import { ms, wall } from './timing.js';

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.min(s.length - 1, Math.ceil(0.5 * s.length) - 1)] ?? NaN };
}

const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}x`;

export async function listingBench(ctx: CliContext, o: { lxcpath: string; bin: string; names: string[]; nMax: number; startupRounds: number }): Promise<string[][]> {
  const { lxcpath, bin, names, nMax, startupRounds } = o;
  const results: string[][] = [];
  const perAdded: Record<string, number[]> = { lxcdeck: [], lxcls: [] };
  // liblxc's own share of a cold listing: lxc_container_new + state + init_pid of each running container, on the probe's threads
  const floor: number[] = [];
  const overNode = { wall: [] as number[], cpu: [] as number[], lxclsCpu: [] as number[] };
  let started = 0;

  for (const n of [10, nMax]) {
    for (; started < n; started++) await ctx.backend.start(names[started] as string);
    // let DHCP settle so every tool sees addresses
    await new Promise((r) => setTimeout(r, 3000));

    // a fresh lister (first TUI frame) and a warm one (every later refresh)
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fresh = createContext({ lxcpath: lxcpath });
      const t = performance.now();
      fresh.backend.list();
      cold.push(performance.now() - t);
      fresh.backend.dispose();
    }
    const inProc: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      const rows = ctx.backend.list();
      inProc.push(performance.now() - t);
      if (rows.length !== nMax) throw new Error(`list saw ${rows.length} containers`);
    }
    const cli: number[] = [];
    const lxcls: number[] = [];
    for (let i = 0; i < 7; i++) {
      cli.push(wall(process.execPath, [bin, '-P', lxcpath, 'ls', '--json']));
      lxcls.push(wall('lxc-ls', ['-P', lxcpath, '-f']));
    }
    // start-up ratios against bare Node in the same rounds; ls is the probe that grows with n
    const startup = measureStartup(startupProbes(bin, lxcpath, names[0] as string), startupRounds);
    results.push(...startupRows(startup, n, n === 10 ? 1.3 : null));
    cli.push(startup.byLabel.get('lxcdeck ls --json') as number);
    lxcls.push(startup.byLabel.get('lxc-ls -f') as number);
    // what ls adds to bare Node in the same rounds: the machine's drift between the two phases cancels out
    overNode.wall.push((startup.byLabel.get('lxcdeck ls --json') as number) - startup.node);
    overNode.cpu.push((startup.cpuByLabel.get('lxcdeck ls --json') as number) - (startup.cpuByLabel.get('node -e 0') as number));
    overNode.lxclsCpu.push(startup.cpuByLabel.get('lxc-ls -f') as number);
    const a = stats(inProc).median;
    const b = stats(cli).median;
    const c = stats(lxcls).median;
    perAdded.lxcdeck?.push(b);
    perAdded.lxcls?.push(c);
    const a0 = stats(cold).median;
    const lib = loadNative(null);
    const running = names.slice(0, n).join('\n');
    const probes: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      lib.lxcdeck_probe(lxcpath, running, '1'.repeat(n));
      probes.push(performance.now() - t);
    }
    floor.push(stats(probes).median);
    results.push([
      `list, ${n} running`,
      `in-process refresh ${ms(a)} (first ${ms(a0)})`,
      `lxcdeck ls --json ${ms(b)}`,
      `lxc-ls -f ${ms(c)}`,
      `refresh ${ratio(c, a)} cheaper (first ${ratio(c, a0)})`,
      `CLI ${(c / b).toFixed(2)}x lxc-ls speed`,
    ]);
  }
  const [d10, d50] = perAdded.lxcdeck as [number, number];
  const [l10, l50] = perAdded.lxcls as [number, number];
  const span = nMax - 10;
  results.push([
    'cost per added running container',
    '',
    `lxcdeck ls --json ${ms((d50 - d10) / span)}`,
    `lxc-ls -f ${ms((l50 - l10) / span)}`,
    '',
    `ratio ${((d50 - d10) / (l50 - l10)).toFixed(3)} (target <= 0.05)`,
  ]);
  // the same growth without the machine's drift: lxcdeck's time over bare Node's in each phase, and CPU time
  const [w10, w50] = overNode.wall as [number, number];
  const [p10, p50] = overNode.cpu as [number, number];
  const [q10, q50] = overNode.lxclsCpu as [number, number];
  results.push([
    'cost per added running container, over bare Node',
    `wall ${ms((w50 - w10) / span)} (ratio ${((w50 - w10) / (l50 - l10)).toFixed(3)})`,
    `CPU ${ms((p50 - p10) / span)} vs lxc-ls -f CPU ${ms((q50 - q10) / span)} (ratio ${((p50 - p10) / (q50 - q10)).toFixed(3)})`,
    'target <= 0.05',
  ]);
  // what the target leaves no room for: liblxc's calls alone, before any file is read
  const [f10, f50] = floor as [number, number];
  results.push([
    "liblxc's calls per added running container (lxc_container_new + state + init_pid, probe threads)",
    ms((f50 - f10) / span),
    `ratio ${((f50 - f10) / (l50 - l10)).toFixed(3)} of lxc-ls -f's growth`,
    (f50 - f10) / (l50 - l10) > 0.05 ? 'alone above the 0.05 target' : 'within the 0.05 target',
  ]);
  return results;
}
