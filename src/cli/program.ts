import { Command } from 'commander';
import type { ContainerSummary } from '../core/container.js';
import { LxcdeckError } from '../core/errors.js';
import { formatBytes, formatSeconds, formatTable, sanitize } from '../presentation/format.js';
import { runDoctor, formatDoctor } from './doctor.js';
import { attachPrefix, createContext, type CliContext } from './context.js';
import { registerIdmapCommands } from './idmap.js';
import { registerConfigCommands } from './config.js';
import { registerJobCommands } from './jobs.js';
import { registerNetCommands } from './net.js';

import { type CliIo } from './io.js';
export { processIo, type CliIo } from './io.js';

function summaryRow(c: ContainerSummary): string[] {
  return [
    sanitize(c.name),
    c.state,
    c.pid === null ? '-' : String(c.pid),
    c.ipv4.join(',') || '-',
    c.ipv6.join(',') || '-',
    formatBytes(c.memoryBytes),
    formatSeconds(c.cpuSeconds),
    c.unprivileged ? 'yes' : 'no',
    c.autostart ? 'yes' : 'no',
    c.groups.map(sanitize).join(',') || '-',
  ];
}

export function formatSummaries(rows: ContainerSummary[]): string {
  return formatTable(['NAME', 'STATE', 'PID', 'IPV4', 'IPV6', 'MEMORY', 'CPU', 'UNPRIV', 'AUTOSTART', 'GROUPS'], rows.map(summaryRow));
}

function parsePositive(what: string, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > max) throw new LxcdeckError('invalid-argument', `invalid ${what} ${JSON.stringify(v)}`, `use a whole number from 0 to ${max}`);
    return n;
  };
}

/**
 * Builds the command-line program. Each action resolves to an exit status;
 * main.ts is the only place that exits the process.
 */
export function buildProgram(io: CliIo, setStatus: (code: number) => void): Command {
  const program = new Command('lxcdeck');
  let ctx: CliContext | null = null;
  const context = (cmd: Command): CliContext => {
    ctx ??= createContext({ lxcpath: cmd.optsWithGlobals<{ lxcpath?: string }>().lxcpath });
    return ctx;
  };

  program
    .description('Terminal workstation manager for LXC containers, driving liblxc directly.')
    .option('-P, --lxcpath <path>', "containers' directory (default: liblxc's default for this user)")
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();

  program
    .command('ls')
    .description('list containers with state, pid, addresses, memory and CPU')
    .option('--json', 'print JSON')
    .option('--active', 'only running, frozen or transitioning containers')
    .action((opts: { json?: boolean; active?: boolean }, cmd: Command) => {
      const rows = context(cmd).backend.list({ active: opts.active ?? false });
      io.out(opts.json ? JSON.stringify(rows, null, 2) : formatSummaries(rows));
    });

  program
    .command('info')
    .description('show one container: state, config summary, cgroups, interfaces')
    .argument('<name>')
    .option('--json', 'print JSON')
    .action((name: string, opts: { json?: boolean }, cmd: Command) => {
      const info = context(cmd).backend.info(name);
      if (opts.json) return io.out(JSON.stringify(info, null, 2));
      const lines: [string, string][] = [
        ['Name', sanitize(info.name)],
        ['State', info.state],
        ['PID', info.pid === null ? '-' : String(info.pid)],
        ['IPv4', info.ipv4.join(', ') || '-'],
        ['IPv6', info.ipv6.join(', ') || '-'],
        ['Memory', formatBytes(info.memoryBytes)],
        ['CPU', formatSeconds(info.cpuSeconds)],
        ['Unprivileged', info.unprivileged ? 'yes' : 'no'],
        ['Idmap', info.idmap.join('; ') || '-'],
        ['Autostart', info.autostart ? 'yes' : 'no'],
        ['Groups', info.groups.join(', ') || '-'],
        ['Rootfs', info.rootfs || '-'],
        ['Config', info.configFile],
        ['Host links', info.hostInterfaces.join(', ') || '-'],
        ['Console buffer', info.consoleBufferSize || 'off'],
        ...Object.entries(info.cgroups).map(([h, d]): [string, string] => [`cgroup ${h}`, d]),
      ];
      io.out(lines.map(([k, v]) => `${`${k}:`.padEnd(16)}${v}`).join('\n'));
    });

  program
    .command('start')
    .description('start a container (daemonized) and wait until it is RUNNING')
    .argument('<name>')
    .option('-t, --timeout <seconds>', 'how long to wait for RUNNING', parsePositive('timeout', 3600), 30)
    .action(async (name: string, opts: { timeout: number }, cmd: Command) => {
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
    ['thaw', 'thaw a frozen container; returns once it runs again'],
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
    .description("run a shell (or a command after --) inside a running container, on this terminal")
    .argument('<name>')
    .argument('[command...]', 'command and arguments (after --)')
    .option('--keep-env', "keep this terminal's environment instead of a clean one")
    .action(async (name: string, command: string[], opts: { keepEnv?: boolean }, cmd: Command) => {
      const c = context(cmd);
      const state = c.backend.state(name);
      if (state !== 'RUNNING') throw new LxcdeckError('wrong-state', `container ${name} is not running (state ${state})`, `start it with 'lxcdeck start ${name}'`);
      const args = [name, c.backend.lxcpath, ...(opts.keepEnv ? ['--keep-env'] : []), '--env', `TERM=${process.env.TERM ?? 'xterm-256color'}`];
      if (command.length) args.push('--', ...command);
      setStatus(await c.helper.runInteractive('attach', args, attachPrefix(c)));
    });

  program
    .command('console')
    .description('connect this terminal to a container console (Ctrl-a q detaches)')
    .argument('<name>')
    .option('-t, --tty <n>', 'tty number (0: the console)', parsePositive('tty', 64), 0)
    .option('-e, --escape <key>', 'escape key: Ctrl plus this letter', 'a')
    .action(async (name: string, opts: { tty: number; escape: string }, cmd: Command) => {
      const c = context(cmd);
      if (!/^[a-z]$/i.test(opts.escape)) throw new LxcdeckError('invalid-argument', `invalid escape key ${JSON.stringify(opts.escape)}`, 'use a single letter, e.g. -e a for Ctrl-a');
      const state = c.backend.state(name);
      if (state !== 'RUNNING') throw new LxcdeckError('wrong-state', `container ${name} is not running (state ${state})`, `start it with 'lxcdeck start ${name}'`);
      const escape = opts.escape.toLowerCase().charCodeAt(0) - 96;
      io.err(`Connected to ${name} tty ${opts.tty}. Type Ctrl-${opts.escape} q to detach.`);
      setStatus(await c.helper.runInteractive('console', [name, c.backend.lxcpath, String(opts.tty), String(escape)]));
    });

  program
    .command('doctor')
    .description('check this host and user for running LXC containers, with the fix for each problem')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const report = runDoctor(context(cmd));
      io.out(opts.json ? JSON.stringify(report, null, 2) : formatDoctor(report));
      if (report.checks.some((c) => c.status === 'fail')) setStatus(1);
    });

  program
    .command('create')
    .description('create a container from a template with lxc-create (default: busybox)')
    .argument('<name>')
    .option('-t, --template <name>', 'LXC template', 'busybox')
    .action(async (name: string, opts: { template: string }, cmd: Command) => {
      await context(cmd).factory.create(name, opts.template);
    });

  program
    .command('destroy')
    .description('destroy a stopped container and its rootfs')
    .argument('<name>')
    .option('-f, --force', 'kill it first if it is running')
    .action(async (name: string, opts: { force?: boolean }, cmd: Command) => {
      await context(cmd).factory.destroy(name, opts.force ?? false);
    });

  program
    .command('keys')
    .description('print the effective keymap: command id -> keys (defaults plus your overrides)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { SettingsStore } = await import('../settings/settings.js');
      const { effectiveKeymap, displayKey, KEYED_COMMANDS } = await import('../commands/keytable.js');
      const settings = new SettingsStore();
      const km = effectiveKeymap(settings.get().keys);
      for (const w of [...settings.warnings, ...km.problems]) io.err(`lxcdeck: ${w}`);
      const rows = KEYED_COMMANDS.map((c) => ({ id: c.id, title: c.title, scope: c.scope, dangerous: c.dangerous ?? false, keys: km.byCommand.get(c.id) ?? [] }));
      if (opts.json) return io.out(JSON.stringify(rows, null, 2));
      io.out(formatTable(['COMMAND', 'KEYS', 'WHAT'], rows.map((r) => [r.id, r.keys.map(displayKey).join(' '), r.title])));
    });

  registerJobCommands(program, io);
  registerIdmapCommands(program, io, setStatus, context);
  registerConfigCommands(program, io, context);
  registerNetCommands(program, io, context);

  return program;
}
