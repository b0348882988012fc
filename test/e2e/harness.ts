import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import { BIN, type Runner } from '../integration/host.js';

const { Terminal } = xterm;

/**
 * Runs the real `lxcdeck` in a pty and reads its screen back through
 * @xterm/headless: tests assert on visible lines, never on raw bytes (raw
 * output is kept too, for the terminal-hygiene checks).
 */
export class Tui {
  readonly term: InstanceType<typeof Terminal>;
  private readonly proc: pty.IPty;
  raw = '';
  exitCode: number | null = null;
  readonly exited: Promise<number>;

  constructor(runner: Runner, args: string[] = [], opts: { cols?: number; rows?: number; env?: Record<string, string>; shell?: boolean } = {}) {
    const cols = opts.cols ?? 120;
    const rows = opts.rows ?? 36;
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
    // shell: an interactive bash with job control, where lxcdeck is then typed (Ctrl-Z, fg)
    const argv = opts.shell ? [...runner.prefix, '/bin/bash', '--norc', '--noprofile', '-i'] : [...runner.prefix, process.execPath, BIN, ...args];
    this.proc = pty.spawn(argv[0] as string, argv.slice(1), {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: process.cwd(),
      env: { ...(process.env as Record<string, string>), TERM: 'xterm-256color', COLORTERM: '', NO_COLOR: '', ...opts.env },
    });
    this.proc.onData((d) => {
      this.raw += d;
      this.term.write(d);
    });
    this.exited = new Promise((resolve) =>
      this.proc.onExit(({ exitCode }) => {
        this.exitCode = exitCode;
        resolve(exitCode);
      }),
    );
  }

  /** The visible screen, one string per row, trailing spaces trimmed. */
  lines(): string[] {
    const buf = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** Waits until the screen matches (xterm parses asynchronously: flush first). */
  async waitFor(pattern: string | RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const test = typeof pattern === 'function' ? pattern : (s: string) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise<void>((r) => this.term.write('', r));
      const screen = this.text();
      if (test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`screen never matched ${String(pattern)}; it shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Filters the list to `name` (/ Ctrl-U name Enter), which then is the selected row, and waits until `hidden` is gone. */
  async filterTo(name: string, hidden: string): Promise<void> {
    this.type('/\x15');
    this.type(name);
    this.type(KEY.enter);
    await this.waitFor((s) => s.includes(name) && !s.includes(hidden));
  }

  /** The process in the pty: lxcdeck itself, or as-user for the test user (it execs into lxcdeck). */
  get pid(): number {
    return this.proc.pid;
  }

  /**
   * Ends the workstation after a test: its quit keys, yes to the question
   * running pane programs raise, then SIGKILL if it is still there after 3 s.
   */
  async close(quitKeys = 'q'): Promise<void> {
    if (this.exitCode !== null) return;
    this.type(quitKeys);
    this.type('y');
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 3000))]);
    this.kill('SIGKILL');
  }

  type(keys: string): void {
    this.proc.write(keys);
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
    this.proc.resize(cols, rows);
  }

  kill(signal = 'SIGTERM'): void {
    try {
      this.proc.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

export const KEY = { enter: '\r', escape: '\x1b', up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D', pageDown: '\x1b[6~', space: ' ', ctrlC: '\x03' } as const;
