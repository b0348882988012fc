import { execFile, spawn, type StdioOptions } from 'node:child_process';
import * as os from 'node:os';
import { LxcdeckError } from '../core/errors.js';
import { fileSize, lastLxcError } from '../host/paths.js';
import { findNativeFile } from './native.js';

/**
 * Runs native/lxcdeck-helper, the process that does every liblxc call that
 * forks (Node never forks itself). Its failures are one JSON line on stderr
 * plus a distinct exit status.
 */

export const HELPER_STATUS = { usage: 120, not_defined: 121, wrong_state: 122, failed: 123, internal: 124 } as const;

const HELPER_EXIT_REASON: Record<number, string> = {
  [HELPER_STATUS.usage]: 'helper usage error',
  [HELPER_STATUS.not_defined]: 'container not defined',
  [HELPER_STATUS.wrong_state]: 'container not running',
  [HELPER_STATUS.failed]: 'attach failed',
  [HELPER_STATUS.internal]: 'helper failed',
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
    default:
      return new LxcdeckError('liblxc-failed', message, 'see the liblxc log for details');
  }
}

export interface HelperRunner {
  /** Runs a verb to completion and returns its stdout (JSON for start and get-ips). */
  run(verb: 'start' | 'get-ips', args: string[], options?: { prefix?: string[] }): Promise<string>;
  /** argv for an interactive verb (attach, console), to run in a pty or the user's terminal. */
  interactiveArgv(verb: 'attach' | 'console', args: string[], prefix?: string[]): { file: string; args: string[]; env: Record<string, string> };
  /** Runs an interactive verb on this process's own terminal and resolves with its exit status. */
  runInteractive(verb: 'attach' | 'console', args: string[], prefix?: string[]): Promise<number>;
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
        execFile(file, argv, { env: helperEnv(), maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
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
        const child = spawn(file, argv, { env: helperEnv(), stdio });
        child.on('error', (e) => reject(new LxcdeckError('internal', `cannot run ${file}: ${e.message}`)));
        // a signal death reads as the shell reports it: 128 + the signal's number
        child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
      });
    },
  };
}
