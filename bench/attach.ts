/**
 * `lxcdeck attach` on a terminal: throughput of `cat` of a 100 MiB coloured
 * log through the escape filter against the unfiltered (--raw) path, both
 * through the same helper, pty and pipes; and the filter alone against a
 * plain copy of the same bytes. Target: filtered >= 90 % of --raw.
 *
 * Standalone: node dist/bench/attach.js (root; makes one container in its own lxcpath).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from 'node-pty';
import { runStandaloneIfMain } from './standalone.js';
import { EscapeFilter } from '../src/presentation/escapeFilter.js';
import { writeFlood } from './panes.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin', 'lxcdeck.js');
const FLOOD_MIB = Number(process.env.LXCDECK_BENCH_FLOOD_MIB ?? 100);
const RUNS = Number(process.env.LXCDECK_BENCH_ATTACH_RUNS ?? 5);

/** Wall seconds from the first byte to the marker after `cat` of the log, read from a pty as a terminal would, and lxcdeck's CPU seconds. */
function catThroughAttach(lxcpath: string, name: string, raw: boolean): Promise<{ wall: number; cpu: number }> {
  const timing = path.join(os.tmpdir(), `lxcdeck-bench-attach-${process.pid}.time`);
  return new Promise((resolve, reject) => {
    const args = ['-o', timing, '-f', '%U %S', process.execPath, BIN, '-P', lxcpath, 'attach', ...(raw ? ['--raw'] : []), name, '--', 'sh', '-c', 'cat /root/flood.log; echo "FLOOD-DONE-$((1+1))"'];
    // Buffers, not strings: the reader decodes nothing, so it takes as little CPU from the path measured as it can
    const p = pty.spawn('/usr/bin/time', args, { name: 'xterm-256color', cols: 160, rows: 50, cwd: '/', encoding: null, env: { ...(process.env as Record<string, string>), TERM: 'xterm-256color' } });
    let t0 = 0;
    let tail = '';
    let done = 0;
    p.onData((d: string | Buffer) => {
      if (!t0) t0 = performance.now();
      tail = (tail + (typeof d === 'string' ? d : d.subarray(-64).toString('latin1'))).slice(-64);
      if (!done && tail.includes('FLOOD-DONE-2')) done = performance.now();
    });
    p.onExit(({ exitCode }) => {
      const [user, sys] = fs.readFileSync(timing, 'utf8').trim().split(/\s+/).map(Number) as [number, number];
      fs.rmSync(timing, { force: true });
      if (done && exitCode === 0) resolve({ wall: (done - t0) / 1000, cpu: user + sys });
      else reject(new Error(`attach exited ${exitCode} before the marker`));
    });
  });
}

function filterAlone(): { filter: number; copy: number } {
  let line = '';
  for (let i = 0; i < 8; i++) line += `\x1b[3${i}mword${i} \x1b[1mbold\x1b[0m `;
  line += '\n';
  const chunk = Buffer.from(line.repeat(Math.ceil(65536 / line.length))).subarray(0, 65536);
  const n = (FLOOD_MIB * 1048576) / chunk.length;
  const best = (fn: () => void) => {
    let b = Infinity;
    // CPU time, not wall time: other work on the machine does not count against the filter
    for (let r = 0; r < 3; r++) {
      const c0 = process.cpuUsage();
      fn();
      const c = process.cpuUsage(c0);
      b = Math.min(b, (c.user + c.system) / 1000);
    }
    return FLOOD_MIB / (b / 1000);
  };
  let sink = 0;
  const filter = best(() => {
    const f = new EscapeFilter();
    for (let i = 0; i < n; i++) sink += f.push(chunk).length;
  });
  const copy = best(() => {
    for (let i = 0; i < n; i++) sink += Buffer.from(chunk).length;
  });
  if (sink < 0) console.log(sink);
  return { filter, copy };
}

export async function attachFilterBench(lxcpath: string, name: string): Promise<string[][]> {
  const flood = path.join(lxcpath, name, 'rootfs', 'root', 'flood.log');
  fs.mkdirSync(path.dirname(flood), { recursive: true });
  writeFlood(flood, FLOOD_MIB);
  try {
    const filtered: { wall: number; cpu: number }[] = [];
    const raw: { wall: number; cpu: number }[] = [];
    // alternate, so a busy moment of the machine hits both alike
    for (let i = 0; i < RUNS; i++) {
      filtered.push(await catThroughAttach(lxcpath, name, false));
      raw.push(await catThroughAttach(lxcpath, name, true));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const f = median(filtered.map((x) => x.wall));
    const r = median(raw.map((x) => x.wall));
    const fc = median(filtered.map((x) => x.cpu));
    const rc = median(raw.map((x) => x.cpu));
    const alone = filterAlone();
    const mibs = (s: number) => `${(FLOOD_MIB / s).toFixed(0)} MiB/s`;
    return [
      [
        `attach: cat ${FLOOD_MIB} MiB coloured log to a pty (median of ${RUNS})`,
        `filtered ${f.toFixed(2)} s (${mibs(f)})`,
        `--raw ${r.toFixed(2)} s (${mibs(r)})`,
        `lxcdeck CPU ${fc.toFixed(2)} s vs ${rc.toFixed(2)} s`,
        `${((r / f) * 100).toFixed(0)} % of --raw throughput`,
        `target >= 90 %: ${r / f >= 0.9 ? 'met' : 'MISSED'}`,
      ],
      ['escape filter alone, same bytes in 64 KiB chunks, per CPU second', `filter ${alone.filter.toFixed(0)} MiB/s`, `plain copy ${alone.copy.toFixed(0)} MiB/s`, '', '', ''],
    ];
  } finally {
    fs.rmSync(flood, { force: true });
  }
}

runStandaloneIfMain(import.meta.url, '/var/lib/lxcdeck-bench-attach', attachFilterBench);
