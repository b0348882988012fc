import { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { parseColorWhen, useColor } from './color.js';
import { attachPrefix, createContexts, type CliContext } from './context.js';
import { commandContext } from './lxcpaths.js';
import { configuredLxcpaths, listAll } from './lxcpathList.js';
import { registerIdmapCommands } from './idmap.js';
import { registerConfigCommands } from './config.js';
import { registerJobCommands } from './jobs.js';
import { runOnTerminal } from './terminal.js';
import { registerWorkspaceCommands } from './workspace.js';
import { registerCompletionCommands } from './completion.js';
import { registerHelpCommands } from './helpTopics.js';
import { registerEventCommands } from './events.js';
import { registerStatsCommands } from './stats.js';
import { registerCreateCommand } from './create.js';
import { registerManageCommands } from './manage.js';
import { registerConfigEditCommands } from './configCommands.js';
import { registerLimitCommand } from './limit.js';
import { guardOriginal } from './overlayGuard.js';
import { packageVersion } from './version.js';
import { registerNetCommands } from './net.js';

import { type CliIo } from './io.js';
export { processIo, type CliIo } from './io.js';

// Commands only declare themselves here: what an action needs beyond the
// context is imported inside it, so a command loads only its own code.

/** attach and console need it running; a frozen (or half-frozen) one would hang them. */
function notRunning(name: string, state: string): LxcdeckError {
  const frozen = state === 'FROZEN' || state === 'FREEZING';
  return new LxcdeckError('wrong-state', `container ${name} is ${frozen ? 'frozen' : 'not running'} (state ${state})`, frozen ? `thaw it with 'lxcdeck thaw ${name}'` : `start it with 'lxcdeck start ${name}'`);
}

function parsePositive(what: string, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > max) throw new LxcdeckError('invalid-argument', `invalid ${what} ${JSON.stringify(v)}`, `use a whole number from 0 to ${max}`);
    return n;
  };
}

/**
 * commander's own usage errors ("error: unknown option '-n'", with a
 * "(Did you mean --name?)" line sometimes) as lxcdeck's one line: what is
 * wrong, then how to fix it.
 */
export function usageErrorLine(message: string, command: string): string {
  const lines = message.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  const what = (lines[0] ?? 'invalid usage').replace(/^error:\s*/, '').replace(/\.$/, '');
  const hint = /^\(Did you mean (.+)\?\)$/.exec(lines[1] ?? '')?.[1];
  const help = `see '${command} --help'`;
  return `lxcdeck: ${what}: ${hint ? `did you mean ${hint}? ${help}` : help}`;
}

/** Every command reports usage errors as one lxcdeck line naming its own --help. */
function oneLineUsageErrors(cmd: Command, io: CliIo, name: string): void {
  cmd.configureOutput({ outputError: (message) => io.err(usageErrorLine(message, name)) });
  for (const sub of cmd.commands) oneLineUsageErrors(sub, io, `${name} ${sub.name()}`);
}

/**
 * Builds the command-line program. Each action resolves to an exit status;
 * main.ts is the only place that exits the process.
 */
export function buildProgram(io: CliIo, setStatus: (code: number) => void): Command {
  const program = new Command('lxcdeck');
  let ctx: CliContext | null = null;
  const lxcpaths = (cmd: Command) => configuredLxcpaths(cmd.optsWithGlobals<{ lxcpath?: string[] }>().lxcpath ?? []);
  // several lxcpaths: the one holding the container the command names (see cli/lxcpaths.ts)
  const context = (cmd: Command): CliContext => {
    ctx ??= commandContext(cmd, lxcpaths(cmd));
    return ctx;
  };
  // the streams (events, stats) watch every lxcpath, the first one's context first
  const everyContext = (cmd: Command): CliContext[] => {
    const list = lxcpaths(cmd);
    return list.paths.length < 2 ? [context(cmd)] : createContexts(list.paths, list.leaveOut);
  };

  program
    .description('Terminal workstation manager for LXC containers, driving liblxc directly.')
    .option('-P, --lxcpath <path>', "containers' directory; repeat it to list several (default: the lxcpaths setting, else liblxc's default for this user)", (v: string, all: string[] = []) => [...all, v])
    .option('--color <when>', 'colour in text output: auto (a terminal without NO_COLOR), always, never', parseColorWhen, 'auto')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();

  program
    .command('ls')
    .description('list containers with state, pid, addresses, memory and CPU')
    .option('--json', 'print JSON')
    .option('--active', 'only running, frozen or transitioning containers')
    .action(async (opts: { json?: boolean; active?: boolean }, cmd: Command) => {
      const list = lxcpaths(cmd);
      const rows = listAll(list, { active: opts.active ?? false });
      io.out(opts.json ? JSON.stringify(rows, null, 2) : (await import('./containers.js')).formatSummaries(rows, useColor(cmd), list.paths.length > 1));
    });

  program
    .command('info')
    .description('show one container: state, config summary, cgroups, interfaces')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const info = context(cmd).backend.info(name);
      if (opts.json) return io.out(JSON.stringify(info, null, 2));
      io.out((await import('./containers.js')).formatInfo(info));
    });

  program
    .command('start')
    .description('start a container (daemonized) and wait until it is RUNNING')
    .argument('<name>')
    .option('-t, --timeout <seconds>', 'how long to wait for RUNNING', parsePositive('timeout', 3600), 30)
    .option('--force', 'start it although overlay clones depend on it')
    .action(async (name: string, opts: { timeout: number; force?: boolean }, cmd: Command) => {
      await guardOriginal(context(cmd).backend.lxcpath, name, 'start', io, opts.force);
      await context(cmd).backend.start(name, { timeoutSeconds: opts.timeout });
    });

  program
    .command('stop')
    .description('shut a container down cleanly, then kill it after the timeout')
    .argument('<name>')
    .option('-t, --timeout <seconds>', 'seconds to wait for a clean shutdown (0: kill at once)', parsePositive('timeout', 3600), 30)
    .action(async (name: string, opts: { timeout: number }, cmd: Command) => {
      await context(cmd).backend.stop(name, { timeoutSeconds: opts.timeout });
    });

  program
    .command('kill')
    .description('stop a container at once (SIGKILL to its init)')
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      await context(cmd).backend.kill(name);
    });

  for (const [verb, doc] of [
    ['freeze', 'freeze every process of a container; returns once FROZEN is confirmed'],
    ['thaw', 'thaw a frozen or half-frozen container (liblxc and the cgroup agree after); returns once it runs again'],
  ] as const) {
    program
      .command(verb)
      .description(doc)
      .argument('<name>')
      .option('--timeout <ms>', 'give up (and thaw back) after this many milliseconds', parsePositive('timeout', 600_000), 5000)
      .action(async (name: string, opts: { timeout: number }, cmd: Command) => {
        const backend = context(cmd).backend;
        await (verb === 'freeze' ? backend.freeze(name, { timeoutMs: opts.timeout }) : backend.thaw(name, { timeoutMs: opts.timeout }));
      });
  }

  program
    .command('attach')
    .description("run a shell (or a command after --) inside a running container, on a terminal of the container's own")
    .argument('<name>')
    .argument('[command...]', 'command and arguments (after --)')
    .option('--keep-env', "keep this terminal's environment instead of a clean one")
    .option('--raw', "pass the container's output to this terminal unfiltered (titles, clipboard, queries)")
    .action(async (name: string, command: string[], opts: { keepEnv?: boolean; raw?: boolean }, cmd: Command) => {
      const c = context(cmd);
      const state = c.backend.state(name);
      if (state !== 'RUNNING') throw notRunning(name, state);
      const args = [name, c.backend.lxcpath, ...(opts.keepEnv ? ['--keep-env'] : []), '--env', `TERM=${process.env.TERM ?? 'xterm-256color'}`];
      setStatus(await runOnTerminal(c.helper, { verb: 'attach', args, command, prefix: attachPrefix(c), raw: opts.raw ?? false }, io));
    });

  program
    .command('console')
    .description('connect this terminal to a container console (Ctrl-a q detaches)')
    .argument('<name>')
    .option('-t, --tty <n>', 'tty number (0: the console)', parsePositive('tty', 64), 0)
    .option('-e, --escape <key>', 'escape key: Ctrl plus this letter', 'a')
    .option('--raw', "pass the console's output to this terminal unfiltered (titles, clipboard, queries)")
    .action(async (name: string, opts: { tty: number; escape: string; raw?: boolean }, cmd: Command) => {
      const c = context(cmd);
      if (!/^[a-z]$/i.test(opts.escape)) throw new LxcdeckError('invalid-argument', `invalid escape key ${JSON.stringify(opts.escape)}`, 'use a single letter, e.g. -e a for Ctrl-a');
      const state = c.backend.state(name);
      if (state !== 'RUNNING') throw notRunning(name, state);
      const escape = opts.escape.toLowerCase().charCodeAt(0) - 96;
      const announce = (tty: number | null) => `Connected to ${name} tty ${tty ?? opts.tty}. Type Ctrl-${opts.escape} q to detach.`;
      setStatus(await runOnTerminal(c.helper, { verb: 'console', args: [name, c.backend.lxcpath, String(opts.tty), String(escape)], raw: opts.raw ?? false, announce }, io));
    });

  program
    .command('doctor')
    .description('check this host and user for running LXC containers, with the fix for each problem')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { runDoctor, formatDoctor } = await import('./doctor.js');
      const [first, ...others] = everyContext(cmd);
      const report = runDoctor(first as CliContext, others);
      io.out(opts.json ? JSON.stringify(report, null, 2) : formatDoctor(report));
      if (report.checks.some((c) => c.status === 'fail')) setStatus(1);
    });

  program
  registerHelpCommands(program, io);
  registerCompletionCommands(program, io);
  registerEventCommands(program, io, everyContext);
  registerStatsCommands(program, io, everyContext);
  registerJobCommands(program, io);
  registerIdmapCommands(program, io, setStatus, context);
  registerConfigCommands(program, io, context);
  registerCreateCommand(program, io, context);
  registerManageCommands(program, io, context);
  registerConfigEditCommands(program, io, context);
  registerLimitCommand(program, io, context);
  registerWorkspaceCommands(program, io);
  // last: every command registered above reports usage errors in one line
  registerNetCommands(program, io, context);
  oneLineUsageErrors(program, io, 'lxcdeck');

  return program;
}
