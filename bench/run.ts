/**
 * npm run bench — lxcdeck against the LXC tools, side by side in one run.
 *
 * Creates its own busybox containers in a private lxcpath, measures, prints
 * ratios and cleans up. Root only (it creates root containers).
 *
 *   listing:  in-process backend.list() and `lxcdeck ls --json` vs `lxc-ls -f`, N = 10 and 50
 *   freeze:   in-process freeze-to-FROZEN-confirmed vs `lxc-freeze`, 100 runs, busy container
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext } from '../src/cli/context.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin', 'lxcdeck.js');
const LXCPATH = process.env.LXCDECK_BENCH_LXCPATH ?? '/var/lib/lxcdeck-bench';
const N_MAX = Number(process.env.LXCDECK_BENCH_N ?? 50);
const FREEZE_RUNS = Number(process.env.LXCDECK_BENCH_FREEZE_RUNS ?? 100);
const names = Array.from({ length: N_MAX }, (_, i) => `bench${String(i).padStart(2, '0')}`);

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

function wall(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return t;
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN;
  return { median: q(0.5), p99: q(0.99), min: s[0] ?? NaN, max: s.at(-1) ?? NaN };
}

const ms = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}x`;

function cleanup(): void {
  for (const n of names) {
    spawnSync('lxc-stop', ['-k', '-P', LXCPATH, '-n', n]);
    spawnSync('lxc-destroy', ['-f', '-P', LXCPATH, '-n', n]);
  }
  fs.rmSync(LXCPATH, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run the benchmark as root (it creates root containers in ' + LXCPATH + ')');
  cleanup();
  fs.mkdirSync(LXCPATH, { recursive: true });
  const t0 = performance.now();
  process.stdout.write(`creating ${N_MAX} busybox containers in ${LXCPATH} ... `);
  for (const n of names) sh('lxc-create', ['-P', LXCPATH, '-t', 'busybox', '-n', n]);
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const ctx = createContext({ lxcpath: LXCPATH });
  const results: string[][] = [];
  const perAdded: Record<string, number[]> = { lxcdeck: [], lxcls: [] };
  let started = 0;

  for (const n of [10, N_MAX]) {
    for (; started < n; started++) await ctx.backend.start(names[started] as string);
    // let DHCP settle so every tool sees addresses
    await new Promise((r) => setTimeout(r, 3000));

    // a fresh lister (first TUI frame) and a warm one (every later refresh)
    const cold: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fresh = createContext({ lxcpath: LXCPATH });
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
      if (rows.length !== N_MAX) throw new Error(`list saw ${rows.length} containers`);
    }
    const cli: number[] = [];
    const lxcls: number[] = [];
    for (let i = 0; i < 7; i++) {
      cli.push(wall(process.execPath, [BIN, '-P', LXCPATH, 'ls', '--json']));
      lxcls.push(wall('lxc-ls', ['-P', LXCPATH, '-f']));
    }
    const a = stats(inProc).median;
    const b = stats(cli).median;
    const c = stats(lxcls).median;
    perAdded.lxcdeck?.push(b);
    perAdded.lxcls?.push(c);
    const a0 = stats(cold).median;
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
  const span = N_MAX - 10;
  results.push([
    'cost per added running container',
    '',
    `lxcdeck ls --json ${ms((d50 - d10) / span)}`,
    `lxc-ls -f ${ms((l50 - l10) / span)}`,
    '',
    `ratio ${((d50 - d10) / (l50 - l10)).toFixed(3)} (target <= 0.05)`,
  ]);

  // freeze latency on a busy container: 4 busy loops make FREEZING visible
  const target = names[0] as string;
  for (let i = 0; i < 4; i++) sh('lxc-attach', ['-P', LXCPATH, '-n', target, '--', 'sh', '-c', 'while :; do :; done >/dev/null 2>&1 & true']);
  const ours: number[] = [];
  for (let i = 0; i < FREEZE_RUNS; i++) {
    const t = performance.now();
    await ctx.backend.freeze(target);
    ours.push(performance.now() - t);
    await ctx.backend.thaw(target);
  }
  const theirs: number[] = [];
  for (let i = 0; i < FREEZE_RUNS; i++) {
    theirs.push(wall('lxc-freeze', ['-P', LXCPATH, '-n', target]));
    sh('lxc-unfreeze', ['-P', LXCPATH, '-n', target]);
  }
  const so = stats(ours);
  const st = stats(theirs);
  results.push([
    `freeze to FROZEN, ${FREEZE_RUNS} runs`,
    `in-process median ${ms(so.median)} p99 ${ms(so.p99)}`,
    '',
    `lxc-freeze median ${ms(st.median)} p99 ${ms(st.p99)}`,
    `p99 ${ratio(st.p99, so.p99)} lower`,
    `target p99 <= 20 ms: ${so.p99 <= 20 ? 'met' : 'MISSED'}`,
  ]);

  console.log(`\nlxcdeck bench — ${new Date().toISOString()}, liblxc ${ctx.lib.lxcdeck_lxc_version()}, ${execFileSync('nproc').toString().trim()} cores\n`);
  for (const r of results) console.log(r.filter(Boolean).join(' | '));
}

main()
  .catch((e) => {
    console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  })
  .finally(() => {
    process.stdout.write('cleaning up ... ');
    cleanup();
    console.log('done');
  });
