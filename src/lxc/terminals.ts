import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProgramLaunch, TerminalLauncher } from '../core/backend.js';
import { isLxcdeckError } from '../core/errors.js';
import { helperExitReason, type HelperRunner } from './helper.js';
import { sessionEndFromFile } from './session.js';
import { randomHex } from '../host/atomicWrite.js';

/**
 * attach and console sessions as the helper runs them, for panes (a pty
 * each). `placement` is the argv prefix an unprivileged attach needs to land
 * in a delegated cgroup (like a start). Each launch gets a status file of its
 * own (the helper's side channel, LXCDECK_STATUS_FILE), so why a session
 * ended never has to be guessed from an exit status the program could have
 * used itself.
 */
export function helperTerminals(helper: HelperRunner, lxcpath: string, placement: () => string[], statusDir: () => string): TerminalLauncher {
  const launch = (run: { file: string; args: string[]; env: Record<string, string> }, env: Record<string, string> = {}): ProgramLaunch => {
    const statusFile = newStatusFile(statusDir());
    return { file: run.file, args: run.args, env: { ...run.env, ...env, ...(statusFile ? { LXCDECK_STATUS_FILE: statusFile } : {}) }, cwd: '/', ...(statusFile ? { statusFile } : {}) };
  };
  return {
    attach(name, options) {
      const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      const command = options.command?.length ? ['--', ...options.command] : [];
      return launch(helper.interactiveArgv('attach', [name, lxcpath, ...env, ...command], placement()), options.env);
    },
    console(name, options) {
      return launch(helper.interactiveArgv('console', [name, lxcpath, String(options.tty), String(options.escape)]));
    },
    exitReason(code, launched) {
      const file = launched?.statusFile;
      if (!file) return helperExitReason(code);
      const end = sessionEndFromFile(file);
      fs.rmSync(file, { force: true });
      if (end === null) return helperExitReason(code);
      if (isLxcdeckError(end)) return end.line;
      // the program's own exit or signal: the pane says "exited N" itself
      return end.kind === 'end' ? `${end.how}` : null;
    },
  };
}

/** A fresh 0600 file for one session's status lines, or null when the state dir cannot hold one. */
function newStatusFile(dir: string): string | null {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${process.pid}-${randomHex(6)}.status`);
    fs.writeFileSync(file, '', { mode: 0o600, flag: 'wx' });
    return file;
  } catch {
    return null;
  }
}
