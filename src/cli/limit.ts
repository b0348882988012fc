import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { cgroupSettings, hasLimits, type CgroupSetting } from '../core/limits.js';
import { buildLimitPlan } from '../lxc/limitPlan.js';
import { loadNative } from '../lxc/native.js';
import { PlanExecutor } from '../plan/executor.js';
import { sanitize } from '../presentation/format.js';
import type { Plan } from '../core/plan.js';
import { guardOriginal } from './overlayGuard.js';
import type { CliContext } from './context.js';
import { limitOptions, limitRequest } from './create.js';
import { cgroupVersion } from './createPrepare.js';
import type { CliIo } from './io.js';
import { applyPlan, printPlan, processTerminal } from './planOutput.js';

/**
 * `lxcdeck limit NAME --memory-max ...`: validated first, applied live to a
 * running container through liblxc's set_cgroup_item (on koffi's worker
 * thread: it may ask the monitor), then kept in the config through the
 * config-edit plan. A value the kernel refuses puts back the ones already
 * set and persists nothing.
 */
export function limitPlan(c: CliContext, name: string, settings: readonly CgroupSetting[]): Plan {
  return buildLimitPlan({ lib: loadNative(c.logFile), lxcpath: c.backend.lxcpath, editor: c.backend.configEditor, isRunning: (n) => c.backend.state(n) === 'RUNNING' }, name, settings);
}

export function registerLimitCommand(program: Command, io: CliIo, context: (cmd: Command) => CliContext): void {
  limitOptions(program.command('limit').description("set a container's resource limits: live when it runs, and kept in its config").argument('<name>'))
    .option('--force', 'go on although overlay clones depend on the container')
    .option('--dry-run', 'print the config change, set nothing')
    .option('--json', 'one JSON line per event')
    .action(async (name: string, opts: Record<string, unknown>, cmd: Command) => {
      const req = limitRequest(opts);
      if (!hasLimits(req)) throw new LxcdeckError('invalid-argument', 'no limit given', 'pass --memory-max, --memory-swap-max, --cpu-max, --cpus, --pids-max or --io-weight');
      const c = context(cmd);
      const settings = cgroupSettings(req, cgroupVersion(c));
      const running = c.backend.state(name) === 'RUNNING';
      const plan = limitPlan(c, name, settings);
      const mode = opts.json ? 'json' : 'text';
      if (opts.dryRun) return printPlan(plan, processTerminal(), mode);
      await guardOriginal(c.backend.lxcpath, name, 'change', io, opts.force === true);
      // no journal: the live values cannot outlive a crash of their setter anyway, and the config write is one atomic step
      const executor = new PlanExecutor({ journals: null });
      await applyPlan(executor, () => executor.run(plan), processTerminal(), mode);
      if (mode === 'text') io.out(sanitize(`${name}: ${settings.map((s) => `${s.file} = ${s.value}`).join(', ')} ${running ? 'set now and kept in the config' : 'kept in the config (from its next start)'}`));
    });
}
