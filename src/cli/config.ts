import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import { applyPlan, printPlan, processTerminal, type PlanMode } from './planOutput.js';
import { registerPlanCommands } from './plans.js';

/** Config edits, each a plan (`--dry-run` prints it), and `lxcdeck plan ...` for interrupted ones. */
export function registerConfigCommands(program: Command, io: CliIo, context: (cmd: Command) => CliContext): void {
  program
    .command('console-buffer')
    .description('give a container a console ring buffer (lxc.console.buffer.size), from its next start')
    .argument('<name>')
    .option('--size <size>', 'buffer size: 128kB, 1MB, 4096, ... or auto', '128kB')
    .option('--off', 'remove the buffer instead')
    .option('--dry-run', 'print what would change, change nothing')
    .option('--json', 'one JSON line per event (with --dry-run: the plan)')
    .action(async (name: string, opts: { size: string; off?: boolean; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.off && cmd.getOptionValueSource('size') === 'cli')
        throw new LxcdeckError('invalid-argument', '--size and --off cannot be used together', 'give one of them');
      const c = context(cmd);
      const plan = c.backend.consoleBufferPlan(name, opts.off ? null : opts.size);
      const mode: PlanMode = opts.json ? 'json' : 'text';
      const term = processTerminal();
      if (opts.dryRun) return printPlan(plan, term, mode);
      const executor = c.planExecutor();
      await applyPlan(executor, () => executor.run(plan), term, mode);
      if (mode === 'text') {
        const size = c.backend.info(name).consoleBufferSize;
        io.out(sanitize(`${plan.title}: liblxc reads lxc.console.buffer.size as ${size === '0' || !size ? 'unset' : `${size} bytes`}`));
      }
    });

  registerPlanCommands(program, io, context);
}
