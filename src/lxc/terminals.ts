import type { ProgramLaunch, TerminalLauncher } from '../core/backend.js';
import { helperExitReason, type HelperRunner } from './helper.js';

/**
 * attach and console sessions as the helper runs them, for panes (a pty each)
 * and the CLI. `placement` is the argv prefix an unprivileged attach needs to
 * land in a delegated cgroup (like a start).
 */
export function helperTerminals(helper: HelperRunner, lxcpath: string, placement: () => string[]): TerminalLauncher {
  const launch = (run: { file: string; args: string[]; env: Record<string, string> }, env: Record<string, string> = {}): ProgramLaunch => ({
    file: run.file,
    args: run.args,
    env: { ...run.env, ...env },
    cwd: '/',
  });
  return {
    attach(name, options) {
      const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
      const command = options.command?.length ? ['--', ...options.command] : [];
      return launch(helper.interactiveArgv('attach', [name, lxcpath, ...env, ...command], placement()), options.env);
    },
    console(name, options) {
      return launch(helper.interactiveArgv('console', [name, lxcpath, String(options.tty), String(options.escape)]));
    },
    exitReason: helperExitReason,
  };
}
