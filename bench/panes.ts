/**
 * Pane throughput: `cat` of a coloured log inside a pane, from the keypress to
 * the last line drawn, against the same `cat` in a tmux pane of the same size
 * (the same helper attach runs in both). During a second flood, a key typed
 * in another pane must echo fast and the sampler must keep ticking. Then RSS
 * with 4 panes open.
 *
 * Standalone: node dist/bench/panes.js (root; makes one container in its own lxcpath).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import { runStandaloneIfMain } from './standalone.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin', 'lxcdeck.js');
const HELPER = path.join(REPO, 'native', 'build', 'lxcdeck-helper');
const FLOOD_MIB = Number(process.env.LXCDECK_BENCH_FLOOD_MIB ?? 100);
const PREFIX = '\x02';
const DONE = 'FLOOD-DONE-$((1+1))';
const DONE_SEEN = 'FLOOD-DONE-2';

/** A pty read back through a terminal emulator, as a user sees it. */
class Watched {
  marks = 0;
  readonly proc: pty.IPty;
  private readonly term: InstanceType<typeof xterm.Terminal>;

  constructor(file: string, args: string[], cols: number, rows: number, env: Record<string, string> = {}) {
    this.term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
    this.proc = pty.spawn(file, args, { name: 'xterm-256color', cols, rows, cwd: '/', env: { ...(process.env as Record<string, string>), TERM: 'xterm-256color', ...env } });
    this.proc.onData((d) => {
      this.term.write(d);
      for (let i = d.indexOf('§'); i >= 0; i = d.indexOf('§', i + 1)) this.marks++;
    });
  }

  private screen(): string {
    const b = this.term.buffer.active;
    return Array.from({ length: this.term.rows }, (_, y) => b.getLine(b.viewportY + y)?.translateToString(true) ?? '').join('\n');
  }

  /** Resolves with the time (ms) at which `s` is on the screen. */
  async waitFor(s: string, timeoutMs = 600_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      await new Promise<void>((r) => this.term.write('', r));
      if (this.screen().includes(s)) return performance.now();
      if (performance.now() > deadline) throw new Error(`never saw ${JSON.stringify(s)}; the screen shows:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  type(s: string): void {
    this.proc.write(s);
  }
}

export function writeFlood(file: string, mib: number): void {
  let line = '';
  for (let i = 0; i < 8; i++) line += `\x1b[3${i}mword${i} \x1b[1mbold\x1b[0m `;
  line += '\n';
  const chunk = line.repeat(Math.ceil(65536 / line.length));
  const fd = fs.openSync(file, 'w');
  for (let n = 0; n < mib * 1048576; n += chunk.length) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function paneFloodBench(lxcpath: string, name: string): Promise<string[][]> {
  if (spawnSync('tmux', ['-V']).status !== 0) throw new Error('the pane benchmark compares with tmux: apt-get install tmux');
  const flood = path.join(lxcpath, name, 'rootfs', 'root', 'flood.log');
  fs.mkdirSync(path.dirname(flood), { recursive: true });
  writeFlood(flood, FLOOD_MIB);
  const cols = 160;
  const rows = 50;
  // the first pane takes the right half: 80 x 48 with its border, 78 x 46 inside
  const paneCols = 78;
  const paneRows = 46;
  const configHome = fs.mkdtempSync('/tmp/lxcdeck-bench-panes-');
  const ticks = path.join(configHome, 'ticks');
  try {
    // ---- lxcdeck ----
    const deck = new Watched('/bin/sh', ['-c', `exec "${process.execPath}" ${process.env.LXCDECK_BENCH_NODE_FLAGS ?? ''} "${BIN}" -P "${lxcpath}" 2>"${ticks}"`], cols, rows, {
      XDG_CONFIG_HOME: configHome,
      LXCDECK_TRACE_TICKS: '1',
    });
    await deck.waitFor(name, 30_000);
    deck.type(`/${name}\r`);
    await sleep(300);
    deck.type('a');
    await deck.waitFor('/ #', 30_000);
    await sleep(500);
    let t0 = performance.now();
    deck.type(`cat /root/flood.log; echo ${DONE}\r`);
    const deckMs = (await deck.waitFor(DONE_SEEN)) - t0;

    // second flood in the same pane while a shell below it takes keys
    deck.type(`${PREFIX}a`);
    await sleep(1500);
    deck.type(`${PREFIX}\x1b[A`); // focus the flooding pane above
    await sleep(300);
    const ticksBefore = fs.readFileSync(ticks, 'utf8').split('\n').filter(Boolean).length;
    t0 = performance.now();
    deck.type(`cat /root/flood.log; echo ${DONE}\r`);
    await sleep(200);
    deck.type(`${PREFIX}\x1b[B`); // back to the quiet pane
    await sleep(300);
    const echoes: number[] = [];
    let finished = false;
    const done = deck.waitFor(DONE_SEEN).then((t) => {
      finished = true;
      return t;
    });
    while (!finished && echoes.length < 200) {
      const before = deck.marks;
      const t = performance.now();
      deck.type('§');
      while (deck.marks === before && performance.now() - t < 2000) await sleep(1);
      echoes.push(performance.now() - t);
      await sleep(100);
    }
    const flood2Ms = (await done) - t0;
    const tickCount = fs.readFileSync(ticks, 'utf8').split('\n').filter(Boolean).length - ticksBefore;
    deck.type('\x15'); // clear the typed marks
    // four panes, then RSS
    deck.type(`${PREFIX}a`);
    await sleep(1000);
    deck.type(`${PREFIX}a`);
    await sleep(3000);
    const rss = rssMiB(deck.proc.pid);
    deck.type(`${PREFIX}q`);
    await sleep(500);
    deck.proc.kill();

    // ---- tmux, same pane size, same helper ----
    const sock = `lxcdeck-bench-${process.pid}`;
    const tmux = new Watched('tmux', ['-L', sock, '-f', '/dev/null', 'new-session', '-x', String(paneCols), '-y', String(paneRows), HELPER, 'attach', name, lxcpath, ';', 'set', '-g', 'status', 'off'], paneCols, paneRows);
    await tmux.waitFor('/ #', 30_000);
    await sleep(500);
    t0 = performance.now();
    tmux.type(`cat /root/flood.log; echo ${DONE}\r`);
    const tmuxMs = (await tmux.waitFor(DONE_SEEN)) - t0;
    spawnSync('tmux', ['-L', sock, 'kill-server']);
    tmux.proc.kill();

    const mbps = (msTaken: number) => (FLOOD_MIB / (msTaken / 1000)).toFixed(1);
    const e = [...echoes].sort((x, y) => x - y);
    const p = (q: number) => e[Math.min(e.length - 1, Math.ceil(q * e.length) - 1)] ?? NaN;
    return [
      [
        `pane flood: cat ${FLOOD_MIB} MiB coloured log, ${paneCols}x${paneRows} pane`,
        `lxcdeck ${(deckMs / 1000).toFixed(2)} s (${mbps(deckMs)} MiB/s)`,
        '',
        `tmux ${(tmuxMs / 1000).toFixed(2)} s (${mbps(tmuxMs)} MiB/s)`,
        `${(tmuxMs / deckMs).toFixed(2)}x tmux throughput`,
        `target >= 1.5x: ${tmuxMs / deckMs >= 1.5 ? 'met' : 'MISSED'}`,
      ],
      [
        `keypress echo in another pane during a flood (${echoes.length} keys)`,
        `median ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${e.at(-1)?.toFixed(1)} ms`,
        '',
        `sampler ticks during the ${(flood2Ms / 1000).toFixed(1)} s flood: ${tickCount}`,
        '',
        `target < 50 ms: ${(e.at(-1) ?? Infinity) < 50 ? 'met' : p(0.99) < 50 ? 'met at p99' : 'MISSED'}`,
      ],
      ['RSS with 4 panes after the floods', `${rss.toFixed(0)} MiB`, '', '', '', `target <= 150 MB: ${rss <= 150 ? 'met' : 'MISSED'}`],
    ];
  } finally {
    fs.rmSync(flood, { force: true });
    fs.rmSync(configHome, { recursive: true, force: true });
  }
}

runStandaloneIfMain(import.meta.url, '/var/lib/lxcdeck-bench-panes', paneFloodBench);
