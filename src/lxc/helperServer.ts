import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { LxcdeckError } from '../core/errors.js';
import { fileSize, lastLxcError } from '../host/paths.js';
import { helperErrorToLxcdeck, parseHelperError } from './helper.js';
import { findNativeFile } from './native.js';
import { interrupted } from './tools.js';

/**
 * One `lxcdeck-helper serve` per lxcdeck process, started at the first clone
 * and kept: a clone is then a request on its stdin (the helper forks a
 * child for it) instead of a new exec of the helper and a new load of
 * liblxc. Requests run one at a time. It holds the event loop only while a
 * request runs, and ends when lxcdeck goes (EOF on its stdin). An aborted
 * request ends the whole server (its process group); the next one starts
 * a fresh server.
 */
type Unrefable = { ref?(): void; unref?(): void };

class HelperServer {
  private child: ChildProcessWithoutNullStreams | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private out = '';
  private onLine: ((line: string) => void) | null = null;
  private onGone: ((why: string) => void) | null = null;

  constructor(private readonly logFile: string | null) {}

  private hold(on: boolean): void {
    const c = this.child;
    if (!c) return;
    for (const h of [c, c.stdout, c.stdin, c.stderr] as Unrefable[]) on ? h.ref?.() : h.unref?.();
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const file = findNativeFile('lxcdeck-helper');
    const child = spawn(file, ['serve'], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...(this.logFile ? { LXCDECK_LXC_LOG: this.logFile } : {}) } });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
      let nl: number;
      while ((nl = this.out.indexOf('\n')) >= 0) {
        const line = this.out.slice(0, nl);
        this.out = this.out.slice(nl + 1);
        this.onLine?.(line);
      }
    });
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = null;
      this.out = '';
      this.onGone?.(why);
    };
    child.on('error', (e) => gone(`cannot run ${file}: ${e.message}`));
    child.on('exit', (code, sig) => gone(`the helper ended (${sig ?? `exit status ${code}`})`));
    this.child = child;
    return child;
  }

  private kill(): void {
    const c = this.child;
    if (!c?.pid) return;
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }

  /** Runs one request (the clone's arguments after the verb); resolves on success, rejects with the helper's line. */
  request(args: readonly string[], signal?: AbortSignal): Promise<void> {
    this.pending++;
    const run = this.tail.then(() => this.once(args, signal));
    this.tail = run.catch(() => undefined);
    return run.finally(() => {
      if (--this.pending === 0) this.hold(false);
    });
  }

  private once(args: readonly string[], signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(interrupted('the clone'));
    const offset = fileSize(this.logFile);
    const child = this.start();
    this.hold(true);
    return new Promise<void>((resolve, reject) => {
      let error: string | null = null;
      const done = (err: LxcdeckError | null) => {
        this.onLine = null;
        this.onGone = null;
        signal?.removeEventListener('abort', abort);
        err ? reject(err) : resolve();
      };
      const abort = () => this.kill();
      signal?.addEventListener('abort', abort, { once: true });
      this.onGone = (why) => done(signal?.aborted ? interrupted('the clone') : new LxcdeckError('internal', `the clone failed: ${why}`, 'run it again'));
      this.onLine = (line) => {
        const end = /^\{"done":(\d+)\}$/.exec(line);
        if (!end) {
          if (line.startsWith('{"error"')) error = line;
          return;
        }
        if (end[1] === '0') return done(null);
        const parsed = error ? parseHelperError(error) : null;
        done(parsed ? helperErrorToLxcdeck(parsed, lastLxcError(this.logFile, offset)) : new LxcdeckError('liblxc-failed', `the clone failed (helper status ${end[1]})`, 'see the liblxc log'));
      };
      child.stdin.write(`${args.map((a) => `${a}\0`).join('')}\0`);
    });
  }
}

const servers = new Map<string, HelperServer>();

/** This process's clone server for a liblxc log file. */
export function helperServer(logFile: string | null): HelperServer {
  const key = logFile ?? '';
  let s = servers.get(key);
  if (!s) servers.set(key, (s = new HelperServer(logFile)));
  return s;
}
