import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import { Emitter } from '../base/event.js';
import type { Disposable } from '../base/disposable.js';

/**
 * One pane's program: a pty of its own (node-pty running the helper) feeding
 * an @xterm/headless terminal. Container output only ever lands in that
 * emulator's cell buffer (DESIGN rule 5): the UI draws cells, never bytes.
 */

/** shell: attach; console: the container console; log: a job's output file, followed. */
export type PaneKind = 'shell' | 'console' | 'log';

export interface PaneSpec {
  kind: PaneKind;
  container: string;
  /** Console: the tty number (0: the console). */
  tty?: number;
  /** Shell: a command instead of the default shell. */
  command?: string[];
  /** Log: the file to follow. */
  file?: string;
}

/** How to run a pane's program (the UI asks main for it: it knows the helper). */
export interface PaneLaunch {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface PaneExit {
  code: number;
  signal: number;
}

export const SCROLLBACK_LINES = 10_000;
// flow control: stop reading the pty while the emulator is this far behind
const HIGH_WATER = 1 << 20;
const LOW_WATER = 1 << 17;

type Term = InstanceType<typeof xterm.Terminal>;

interface TermInternals {
  _core?: { coreService?: { isCursorHidden?: boolean }; coreMouseService?: { activeEncoding?: string } };
}

export class PaneSession implements Disposable {
  readonly term: Term;
  private proc: pty.IPty | null = null;
  private pending = 0;
  private paused = false;
  title = '';
  exit: PaneExit | null = null;
  private readonly updated = new Emitter<void>();
  /** The screen changed (fires per write; the UI coalesces renders). */
  readonly onUpdate = this.updated.event;
  private readonly exited = new Emitter<PaneExit>();
  readonly onExit = this.exited.event;
  private readonly disposables: Disposable[] = [];

  constructor(
    readonly spec: PaneSpec,
    cols: number,
    rows: number,
  ) {
    this.term = new xterm.Terminal({ cols, rows, scrollback: SCROLLBACK_LINES, allowProposedApi: true });
    // the emulator answers the program's queries (DA, DSR): into its own pty, never the host terminal
    this.disposables.push(
      this.term.onData((d) => this.proc?.write(d)),
      this.term.onBinary((d) => this.proc?.write(Buffer.from(d, 'binary'))),
      this.term.onTitleChange((t) => {
        this.title = t;
        this.updated.fire();
      }),
    );
  }

  get running(): boolean {
    return this.proc !== null && this.exit === null;
  }

  /** Shows `prelude` (the console ring buffer) first, then runs the program. */
  start(launch: PaneLaunch, prelude?: Uint8Array | null): void {
    this.exit = null;
    if (prelude?.length) this.feed(prelude);
    const proc = pty.spawn(launch.file, launch.args, {
      name: 'xterm-256color',
      cols: this.term.cols,
      rows: this.term.rows,
      cwd: launch.cwd,
      env: launch.env,
    });
    this.proc = proc;
    const onData = proc.onData((d) => this.feed(d));
    const onExit = proc.onExit(({ exitCode, signal }) => {
      onData.dispose();
      onExit.dispose();
      if (this.proc !== proc) return;
      this.exit = { code: exitCode, signal: signal ?? 0 };
      // flush what the emulator still parses before telling the UI
      this.term.write('', () => this.exited.fire(this.exit as PaneExit));
    });
  }

  private feed(data: string | Uint8Array): void {
    const n = data.length;
    this.pending += n;
    this.term.write(data, () => {
      this.pending -= n;
      this.updated.fire();
      if (this.paused && this.pending < LOW_WATER) {
        this.paused = false;
        this.proc?.resume();
      }
    });
    if (!this.paused && this.pending > HIGH_WATER && this.proc) {
      this.paused = true;
      this.proc.pause();
    }
  }

  /** Keys and pastes from the user. */
  write(data: string): void {
    if (this.running) this.proc?.write(data);
  }

  resize(cols: number, rows: number): void {
    cols = Math.max(2, cols);
    rows = Math.max(1, rows);
    if (cols === this.term.cols && rows === this.term.rows) return;
    this.term.resize(cols, rows);
    // the program sees the new size (SIGWINCH through its own pty)
    if (this.running) this.proc?.resize(cols, rows);
  }

  get cursorHidden(): boolean {
    return (this.term as unknown as TermInternals)._core?.coreService?.isCursorHidden === true;
  }

  /** 'SGR' or 'DEFAULT' (X10 bytes): how the program wants mouse reports encoded. */
  get mouseEncoding(): string {
    return (this.term as unknown as TermInternals)._core?.coreMouseService?.activeEncoding ?? 'DEFAULT';
  }

  /** Ends the program (not the container): the pane is closing. */
  kill(): void {
    try {
      this.proc?.kill('SIGHUP');
    } catch {
      /* already gone */
    }
  }

  dispose(): void {
    this.kill();
    this.proc = null;
    for (const d of this.disposables) d.dispose();
    this.updated.dispose();
    this.exited.dispose();
    this.term.dispose();
  }
}
