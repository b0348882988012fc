import * as path from 'node:path';
import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import type { MetricsTarget } from '../metrics/sampler.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import type { StatsRow } from './prometheus.js';

/**
 * `lxcdeck stats [--json|--prometheus] [--interval S] [NAME...]`: the TUI
 * sampler's figures for running containers and jobs. Rates need two
 * readings, so the first output comes one interval after the start; without
 * --interval it prints that once and ends, with it every S seconds.
 */

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n < 0.25 || n > 3600) throw new LxcdeckError('invalid-argument', `invalid interval ${JSON.stringify(v)}`, 'use seconds from 0.25 to 3600');
  return n;
}

/** A cell's colour: CPU, memory and pids against their limits, pressure; jobs in cyan. */
function cellColor(row: StatsRow, col: number, levelColor: (v: number | null, warn: number, high: number) => string | null): string | null {
  const s = row.sample;
  const share = (v: number | null, max: number | null) => (v === null || !max ? null : (100 * v) / max);
  switch (col) {
    case 1:
      return row.kind === 'job' ? '36' : null;
    case 2:
      return levelColor(s.cpuPercent, 50, 90);
    case 3:
      return levelColor(share(s.memoryBytes, s.memoryLimitBytes), 75, 90);
    case 4:
      return levelColor(share(s.pids, s.pidsMax), 75, 90);
    case 9:
      return levelColor(Math.max(...[s.psiCpu, s.psiMemory, s.psiIo].map((p) => p ?? 0)), 10, 40);
    default:
      return null;
  }
}

export function formatText(rows: StatsRow[], color: boolean): Promise<string> {
  return Promise.all([import('../presentation/format.js'), import('./color.js')]).then(([{ formatBytes, sanitize }, { formatPaintedTable, levelColor }]) => {
    const rate = (v: number | null) => (v === null ? '-' : `${formatBytes(v)}/s`);
    const pct = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}%`);
    return formatPaintedTable(
      ['NAME', 'KIND', 'CPU', 'MEMORY', 'PIDS', 'IO R', 'IO W', 'NET RX', 'NET TX', 'PSI CPU/MEM/IO'],
      rows.map(({ name, kind, sample: s }) => [
        sanitize(name),
        kind,
        pct(s.cpuPercent),
        formatBytes(s.memoryBytes),
        s.pids === null ? '-' : String(s.pids),
        rate(s.ioReadBps),
        rate(s.ioWriteBps),
        rate(s.netRxBps),
        rate(s.netTxBps),
        [s.psiCpu, s.psiMemory, s.psiIo].map((p) => (p === null ? '-' : p.toFixed(1))).join('/'),
      ]),
      (r, c) => cellColor(rows[r] as StatsRow, c, levelColor),
      color,
    );
  });
}

/** `contexts`: one per lxcpath (the first the primary one): a container outside the first is named by its directory (/srv/lxc/web), as in the TUI. */
export function registerStatsCommands(program: Command, io: CliIo, contexts: (cmd: Command) => CliContext[]): void {
  program
    .command('stats')
    .description('CPU, memory, pids, IO, network and pressure of running containers and jobs (all, or the NAMEs given)')
    .argument('[name...]', 'containers or jobs (default: all running)')
    .option('--json', 'print JSON (one array per reading)')
    .option('--prometheus', 'print the Prometheus text format (for node_exporter textfile collector)')
    .option('--interval <seconds>', 'keep printing every this many seconds', parseSeconds)
    .action(async (names: string[], opts: { json?: boolean; prometheus?: boolean; interval?: number }, cmd: Command) => {
      if (opts.json && opts.prometheus) throw new LxcdeckError('invalid-argument', '--json and --prometheus cannot be used together', 'give one of them');
      const all = contexts(cmd);
      const ctx = all[0] as CliContext;
      const [{ MetricsSampler }, { systemClock }, { JobManager }, { jobDirMap }, { prometheusText }, { untilStopped }] = await Promise.all([
        import('../metrics/sampler.js'),
        import('../base/clock.js'),
        import('../jobs/manager.js'),
        import('../jobs/cgroup.js'),
        import('./prometheus.js'),
        import('./stream.js'),
      ]);
      const wanted = new Set(names);
      const kinds = new Map<string, { name: string; kind: 'container' | 'job' }>();
      const targets: MetricsTarget[] = [];
      for (const { backend } of all)
        for (const c of backend.list({ active: true, totals: false })) {
          const ref = backend === ctx.backend ? c.name : path.join(backend.lxcpath, c.name);
          const rt = backend.runtimeOf(c.name);
          if (!rt || (wanted.size && !wanted.has(ref))) continue;
          let hostInterfaces: string[] = [];
          try {
            hostInterfaces = backend.hostInterfaces(c.name);
          } catch {
            /* no network figures */
          }
          targets.push({ id: `container:${ref}`, dirs: rt.dirs, hostInterfaces });
          kinds.set(`container:${ref}`, { name: ref, kind: 'container' });
        }
      for (const j of new JobManager({ host: ctx.cgroups, identity: ctx.identity, fs: ctx.fs }).list()) {
        if (j.state === 'finished' || (wanted.size && !wanted.has(j.record.name))) continue;
        targets.push({ id: `job:${j.record.name}`, dirs: jobDirMap(ctx.cgroups, j.record.cgroups), hostInterfaces: [] });
        kinds.set(`job:${j.record.name}`, { name: j.record.name, kind: 'job' });
      }
      const missing = names.filter((n) => !kinds.has(`container:${n}`) && !kinds.has(`job:${n}`));
      if (missing.length) throw new LxcdeckError('not-defined', `no running container or job ${missing.map((n) => JSON.stringify(n)).join(', ')}`, "see 'lxcdeck ls' and 'lxcdeck job ls'");

      const color = (await import('./color.js')).useColor(cmd);
      const intervalMs = Math.round((opts.interval ?? 1) * 1000);
      const sampler = new MetricsSampler({ cgroups: ctx.cgroups, clock: systemClock, intervalMs: Math.min(intervalMs, 10_000) });
      sampler.setTargets(targets);
      const life = untilStopped();
      const print = async (): Promise<void> => {
        const rows: StatsRow[] = [...kinds].flatMap(([id, k]) => {
          const sample = sampler.latest(id);
          return sample ? [{ ...k, sample }] : [];
        });
        if (opts.prometheus) io.out(prometheusText(rows));
        else if (opts.json) io.out(JSON.stringify(rows.map((r) => ({ name: r.name, kind: r.kind, ...r.sample, t: undefined }))));
        else io.out(await formatText(rows, color));
      };
      // two readings make the rates: print from the second tick on (the sampler reads at start, then each interval)
      let ticks = 0;
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const keepAlive = setInterval(() => {}, 1 << 30); // the sampler's timer does not hold the process
      sampler.onSample(() => {
        if (++ticks < 2 || life.isStopped()) return;
        void print().then(() => opts.interval === undefined && finish());
      });
      sampler.start();
      try {
        await Promise.race([finished, life.stopped]);
      } finally {
        clearInterval(keepAlive);
        sampler.dispose();
        for (const c of all) c.backend.dispose();
      }
    });
}
