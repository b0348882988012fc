import type { StdioOptions } from 'node:child_process';
import { childProcess } from './lazyBuiltins.js';
import type { Readable, Writable } from 'node:stream';
import * as os from 'node:os';
import { LxcdeckError } from '../core/errors.js';
import { fileSize, lastLxcError } from '../host/paths.js';
import { findNativeFile } from './native.js';
import { startSession } from './session.js';

/**
 * Runs native/lxcdeck-helper, the process that does every liblxc call that
 * forks (Node never forks itself). Its failures are one JSON line on stderr
 * plus a distinct exit status.
 */

export const HELPER_STATUS = { usage: 120, not_defined: 121, wrong_state: 122, failed: 123, internal: 124, bad_tty: 125, no_pty: 126 } as const;

const HELPER_EXIT_REASON: Record<number, string> = {
  [HELPER_STATUS.usage]: 'helper usage error',
  [HELPER_STATUS.not_defined]: 'container not defined',
  [HELPER_STATUS.wrong_state]: 'container not running',
  [HELPER_STATUS.failed]: 'attach failed',
  [HELPER_STATUS.internal]: 'helper failed',
  [HELPER_STATUS.bad_tty]: 'no such tty',
  [HELPER_STATUS.no_pty]: 'no free terminal in the container',
};

/** Why an interactive helper (attach, console) exited, for a status it sets itself; null for the program's own status. */
export function helperExitReason(code: number): string | null {
  return HELPER_EXIT_REASON[code] ?? null;
}

export interface HelperError {
  error: keyof typeof HELPER_STATUS;
  message: string;
}

export function parseHelperError(stderr: string): HelperError | null {
  for (const line of stderr.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as Partial<HelperError>;
      if (typeof v.error === 'string' && typeof v.message === 'string') return v as HelperError;
    } catch {
      /* not ours */
    }
  }
  return null;
}

export function helperErrorToLxcdeck(e: HelperError, detail: string | null): LxcdeckError {
  const message = detail ? `${e.message} (lxc: ${detail})` : e.message;
  switch (e.error) {
    case 'not_defined':
      return new LxcdeckError('not-defined', message, "see 'lxcdeck ls' for the containers in this lxcpath");
    case 'wrong_state':
      return new LxcdeckError('wrong-state', message);
    case 'usage':
      return new LxcdeckError('internal', `helper usage: ${message}`);
    case 'no_pty': {
      const name = /^every terminal of (\S+) /.exec(e.message)?.[1] ?? 'NAME';
      return new LxcdeckError('wrong-state', e.message, `close a shell of it, or raise the limit ('lxcdeck config set ${name} lxc.pty.max 16') and restart it`);
    }
    case 'bad_tty':
      return new LxcdeckError('invalid-argument', message, 'use -t 0 for the console or a tty from 1 to lxc.tty.max');
    default:
      return new LxcdeckError('liblxc-failed', message, 'see the liblxc log for details');
  }
}

/** How an attach or console session ended, as the helper reported it on its status fd. */
export type SessionEnd = { kind: 'exit'; code: number } | { kind: 'signal'; signal: number } | { kind: 'end'; how: 'detached' | 'closed' };

/** Exit status for the shell: the program's own, 128 + a signal, 0 for a detach. */
export function sessionStatus(end: SessionEnd): number {
  return end.kind === 'exit' ? end.code : end.kind === 'signal' ? 128 + end.signal : 0;
}

/**
 * A running attach or console helper whose stdio lxcdeck holds: keys go to
 * `input`, the container's output comes from `output` (a pty of the
 * container's own, proxied by the helper). Its reports come on a status
 * pipe, so a helper failure is never read as the program's exit status.
 */
export interface HelperSession {
  /** Keys for the program (null in stdio mode: the helper has this process's own fds). */
  readonly input: Writable | null;
  readonly output: Readable | null;
  /** The helper connected (console: the tty it got); null when it ended without connecting. */
  readonly ready: Promise<{ tty: number | null } | null>;
  /** Resolves with how the program ended; rejects with one LxcdeckError line when the helper failed. */
  readonly done: Promise<SessionEnd>;
  /** The terminal's new size, for the program's pty. */
  resize(rows: number, cols: number): void;
  /** Ends the session (the program gets SIGHUP from its pty). */
  hangup(): void;
}

export interface SessionOptions {
  prefix?: string[];
  /** proxy: the helper proxies a pty (the default); stdio: the program gets this process's fds 0-2 (none may be a terminal). */
  mode?: 'proxy' | 'stdio';
}

export interface HelperRunner {
  /** Runs a verb to completion and returns its stdout (JSON for start and get-ips). */
  run(verb: 'start' | 'get-ips', args: string[], options?: { prefix?: string[] }): Promise<string>;
  /** argv for an interactive verb (attach, console), to run in a pty or the user's terminal. */
  interactiveArgv(verb: 'attach' | 'console', args: string[], prefix?: string[]): { file: string; args: string[]; env: Record<string, string> };
  /**
   * Runs an interactive verb with this process's own stdio and resolves with its exit status. The helper
   * still gives the program a pty of the container's own (no host tty enters the container), but nothing
   * filters the output: the CLI uses session() and the escape filter instead.
   */
  runInteractive(verb: 'attach' | 'console', args: string[], prefix?: string[]): Promise<number>;
  /** Starts an attach or console whose stdio and reports this process holds. */
  session(verb: 'attach' | 'console', args: string[], options?: SessionOptions): HelperSession;
}

export function createHelperRunner(logFile: string | null): HelperRunner {
  const helperEnv = () => ({ ...process.env, ...(logFile ? { LXCDECK_LXC_LOG: logFile } : {}) });
  const argvFor = (verb: string, args: string[], prefix: string[] = []) => {
    const helper = findNativeFile('lxcdeck-helper');
    const full = [...prefix, helper, verb, ...args];
    return { file: full[0] as string, args: full.slice(1) };
  };
  return {
    run(verb, args, options) {
      const { file, args: argv } = argvFor(verb, args, options?.prefix);
      const offset = fileSize(logFile);
      return new Promise((resolve, reject) => {
        childProcess().execFile(file, argv, { env: helperEnv(), maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const parsed = parseHelperError(stderr);
          if (parsed) return reject(helperErrorToLxcdeck(parsed, lastLxcError(logFile, offset)));
          const first = stderr.trim().split('\n')[0] || err.message;
          reject(new LxcdeckError('liblxc-failed', `${verb} failed: ${first}`));
        });
      });
    },
    interactiveArgv: (verb, args, prefix) => ({ ...argvFor(verb, args, prefix), env: helperEnv() as Record<string, string> }),
    runInteractive(verb, args, prefix) {
      const { file, args: argv } = argvFor(verb, args, prefix);
      const stdio: StdioOptions = 'inherit';
      return new Promise((resolve, reject) => {
        const child = childProcess().spawn(file, argv, { env: helperEnv(), stdio });
        child.on('error', (e) => reject(new LxcdeckError('internal', `cannot run ${file}: ${e.message}`)));
        // a signal death reads as the shell reports it: 128 + the signal's number
        child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
      });
    },
    session(verb, args, options = {}) {
      const { file, args: argv } = argvFor(verb, args, options.prefix);
      return startSession(file, argv, helperEnv(), options.mode ?? 'proxy', logFile);
    },
  };
}
