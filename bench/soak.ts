/**
 * npm run soak — N containers x M start/freeze/thaw/stop cycles through the
 * lxcdeck CLI, all containers in parallel, with the TUI open in a pty on the
 * same private lxcpath. Counts failures (a CLI step that exits non-zero or
 * hangs) and stuck states (after a step, lxc-info's state and the freezer
 * cgroup disagree, or the expected state is not reached within a timeout),
 * and samples the TUI's RSS (VmRSS) after its first full frame and at the end.
 * Root only (it creates root containers); cleans up what it created.
 *
 *   LXCDECK_SOAK_N=20  LXCDECK_SOAK_CYCLES=500  LXCDECK_SOAK_LXCPATH=/var/lib/lxcdeck-soak
 *   LXCDECK_SOAK_STOP_TIMEOUT=10 (seconds `lxcdeck stop -t` waits for a clean shutdown)
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin', 'lxcdeck.js');
const LXCPATH = process.env.LXCDECK_SOAK_LXCPATH ?? '/var/lib/lxcdeck-soak';
const N = Number(process.env.LXCDECK_SOAK_N ?? 20);
const CYCLES = Number(process.env.LXCDECK_SOAK_CYCLES ?? 500);
const STOP_TIMEOUT_S = Number(process.env.LXCDECK_SOAK_STOP_TIMEOUT ?? 10);
/** How long a step may take before it counts as hung, and how long the state may take to show after it returned. */
const STEP_TIMEOUT_MS = 120_000;
const SETTLE_MS = 10_000;
const names = Array.from({ length: N }, (_, i) => `soak${String(i).padStart(2, '0')}`);

type Step = 'start' | 'freeze' | 'thaw' | 'stop';
/** What lxc-info and the freezer cgroup must say after each step. */
const EXPECT: Record<Step, { lxc: string; freezer: string | null }> = {
  start: { lxc: 'RUNNING', freezer: 'THAWED' },
  freeze: { lxc: 'FROZEN', freezer: 'FROZEN' },
  thaw: { lxc: 'RUNNING', freezer: 'THAWED' },
  stop: { lxc: 'STOPPED', freezer: null },
};

interface Tally {
  steps: number;
  failures: string[];
  stuck: string[];
  stepMs: Record<Step, number[]>;
}

function exec(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number | string }).code ?? (err.killed ? 'timeout' : 1)) : 0;
      resolve({ code: err?.killed ? 'timeout' : code, stdout, stderr });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** liblxc's state as the lxc-info tool reports it, and the init pid. */
async function lxcInfo(name: string): Promise<{ state: string; pid: number | null }> {
  const r = await exec('lxc-info', ['-P', LXCPATH, '-n', name, '-s', '-p'], 30_000);
  const state = /^State:\s*(\S+)/m.exec(r.stdout)?.[1] ?? '';
  const pid = /^PID:\s*(\d+)/m.exec(r.stdout)?.[1];
  return { state, pid: pid === undefined ? null : Number(pid) };
}

/** The kernel's word on the container's freezer, from its init's cgroup (v1 freezer.state, else v2 cgroup.events). */
function freezerState(pid: number): string | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  } catch {
    return null;
  }
  const v1 = lines.map((l) => l.split(':')).find((f) => f[1]?.split(',').includes('freezer'));
  try {
    if (v1) return fs.readFileSync(path.join('/sys/fs/cgroup/freezer', v1[2] ?? '', 'freezer.state'), 'utf8').trim();
    const v2 = lines.map((l) => l.split(':')).find((f) => f[0] === '0');
    if (!v2) return null;
    return /^frozen 1$/m.test(fs.readFileSync(path.join('/sys/fs/cgroup', v2[2] ?? '', 'cgroup.events'), 'utf8')) ? 'FROZEN' : 'THAWED';
  } catch {
    return null;
  }
}

/** Waits until lxc-info and the freezer say what `step` should leave; returns the disagreement if they never do. */
async function settled(name: string, step: Step): Promise<string | null> {
  const want = EXPECT[step];
  const deadline = Date.now() + SETTLE_MS;
  let seen = '';
  for (;;) {
    const info = await lxcInfo(name);
    const fz = info.pid === null ? null : freezerState(info.pid);
    seen = `lxc-info ${info.state || '?'}, freezer ${fz ?? 'none'}`;
    const lxcOk = info.state === want.lxc;
    const fzOk = want.freezer === null ? true : fz === want.freezer;
    if (lxcOk && fzOk) return null;
    if (Date.now() > deadline) return `${name} after ${step}: ${seen} (expected ${want.lxc}${want.freezer ? `/${want.freezer}` : ''})`;
    await sleep(200);
  }
}

async function cycle(name: string, t: Tally): Promise<void> {
  const steps: [Step, string[]][] = [
    ['start', ['start', name]],
    ['freeze', ['freeze', name]],
    ['thaw', ['thaw', name]],
    ['stop', ['stop', '-t', String(STOP_TIMEOUT_S), name]],
  ];
  for (const [step, args] of steps) {
    const t0 = performance.now();
    const r = await exec(process.execPath, [BIN, '-P', LXCPATH, ...args], STEP_TIMEOUT_MS);
    t.stepMs[step].push(performance.now() - t0);
    t.steps++;
    if (r.code !== 0) t.failures.push(`${name} ${step}: exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    const stuck = await settled(name, step);
    if (stuck) {
      t.stuck.push(stuck);
      // put it back on track so one stuck state is counted once, not every cycle after
      await exec(process.execPath, [BIN, '-P', LXCPATH, 'thaw', name], STEP_TIMEOUT_MS);
      await exec(process.execPath, [BIN, '-P', LXCPATH, 'kill', name], STEP_TIMEOUT_MS);
      return;
    }
  }
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function cleanup(): void {
  for (const n of names) {
    spawnSync('lxc-stop', ['-k', '-P', LXCPATH, '-n', n]);
    spawnSync('lxc-destroy', ['-f', '-P', LXCPATH, '-n', n]);
  }
  fs.rmSync(LXCPATH, { recursive: true, force: true });
}

const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * xs.length) - 1)] ?? NaN;

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) throw new Error(`run the soak as root (it creates root containers in ${LXCPATH})`);
  cleanup();
  fs.mkdirSync(LXCPATH, { recursive: true });
  process.stdout.write(`creating ${N} busybox containers in ${LXCPATH} ... `);
  for (const n of names) {
    const r = spawnSync('lxc-create', ['-P', LXCPATH, '-t', 'busybox', '-n', n], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lxc-create ${n} failed: ${r.stderr}`);
  }
  console.log('done');

  // the TUI, on the same lxcpath, in a pty read by a headless terminal
  const cols = 160;
  const rows = Math.max(40, N + 20);
  const configHome = fs.mkdtempSync('/tmp/lxcdeck-soak-config-');
  const env = { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: configHome, TERM: 'xterm-256color' };
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  const tui = pty.spawn(process.execPath, [BIN, '-P', LXCPATH], { name: 'xterm-256color', cols, rows, env });
  let tuiExit: number | null = null;
  tui.onData((d) => term.write(d));
  tui.onExit(({ exitCode }) => (tuiExit = exitCode));
  const screen = async () => {
    await new Promise<void>((r) => term.write('', r));
    const b = term.buffer.active;
    return Array.from({ length: rows }, (_, y) => b.getLine(y)?.translateToString(true) ?? '').join('\n');
  };
  const allShown = async () => {
    const text = await screen();
    return names.every((n) => text.includes(n));
  };
  for (let i = 0; i < 300 && !(await allShown()); i++) await sleep(50);
  if (!(await allShown())) throw new Error(`the TUI did not show the ${N} containers:\n${await screen()}`);
  await sleep(2000); // let it reach its steady state before the first sample
  const rss0 = rssKiB(tui.pid);

  const t: Tally = { steps: 0, failures: [], stuck: [], stepMs: { start: [], freeze: [], thaw: [], stop: [] } };
  const t0 = Date.now();
  let done = 0;
  const progress = setInterval(() => {
    console.log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${done}/${N * CYCLES} cycles, ${t.failures.length} failures, ${t.stuck.length} stuck, TUI RSS ${(rssKiB(tui.pid) / 1024).toFixed(0)} MiB`);
  }, 30_000);
  let peak = rss0;
  /** RSS when half the cycles are done: growth from there shows a leak apart from the metric rings filling up. */
  let rssMid = NaN;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(tui.pid))), 1000);
  await Promise.all(
    names.map(async (n) => {
      for (let c = 0; c < CYCLES; c++) {
        await cycle(n, t);
        if (++done === Math.ceil((N * CYCLES) / 2)) rssMid = rssKiB(tui.pid);
      }
    }),
  );
  clearInterval(progress);
  clearInterval(sampler);
  const seconds = (Date.now() - t0) / 1000;
  await sleep(3000); // the TUI's view settles on the final state
  const alive = tuiExit === null;
  const rss1 = alive ? rssKiB(tui.pid) : NaN;
  const text = alive ? await screen() : '';
  const shown = names.filter((n) => text.includes(n)).length;
  tui.write('q');
  for (let i = 0; i < 100 && tuiExit === null; i++) await sleep(50);
  const quit = tuiExit;
  if (tuiExit === null) tui.kill();
  fs.rmSync(configHome, { recursive: true, force: true });

  const growth = (100 * (rss1 - rss0)) / rss0;
  const ms = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(0)} ms, p99 ${quantile(xs, 0.99).toFixed(0)} ms`;
  console.log(`\nlxcdeck soak — ${new Date().toISOString()}, ${spawnSync('nproc').stdout.toString().trim()} cores`);
  console.log(`${N} containers x ${CYCLES} cycles (start/freeze/thaw/stop -t ${STOP_TIMEOUT_S}) in ${seconds.toFixed(0)} s, ${t.steps} CLI steps`);
  console.log(`failures: ${t.failures.length}`);
  for (const f of t.failures.slice(0, 10)) console.log(`  ${f}`);
  console.log(`stuck states: ${t.stuck.length}`);
  for (const s of t.stuck.slice(0, 10)) console.log(`  ${s}`);
  for (const s of Object.keys(t.stepMs) as Step[]) console.log(`${s}: ${ms(t.stepMs[s])}`);
  console.log(`TUI: ${alive ? 'alive' : `exited (${tuiExit})`} during the soak, ${shown}/${N} rows on screen at the end, quit with q: ${quit === 0 ? 'exit 0' : String(quit)}`);
  const pct = (a: number, b: number) => `${b >= a ? '+' : ''}${((100 * (b - a)) / a).toFixed(1)} %`;
  console.log(`TUI RSS: ${(rss0 / 1024).toFixed(1)} MiB at start, ${(rssMid / 1024).toFixed(1)} MiB at half-way, ${(rss1 / 1024).toFixed(1)} MiB at end (${pct(rss0, rss1)}; ${pct(rssMid, rss1)} over the second half), peak ${(peak / 1024).toFixed(1)} MiB; target growth < 10 %: ${growth < 10 ? 'met' : 'MISSED'}`);
  return t.failures.length === 0 && t.stuck.length === 0 && alive && growth < 10 ? 0 : 1;
}

main()
  .then((code) => (process.exitCode = code))
  .catch((e) => {
    console.error(`soak failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  })
  .finally(() => {
    process.stdout.write('cleaning up ... ');
    cleanup();
    console.log('done');
  });
