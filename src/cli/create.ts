import type { Command } from 'commander';
import { inPlaceSource, inPlaceWarning, parseCreateSource, templateSource } from '../core/createSource.js';
import { LxcdeckError } from '../core/errors.js';
import type { LimitRequest } from '../core/limits.js';
import { buildCreatePlan, type CreateDeps } from '../lxc/createPlan.js';
import { sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import { prepareCreate } from './createPrepare.js';
import { createNetTarget, prepareCreateNet, withNetwork } from './createNet.js';
import type { CliIo } from './io.js';
import { applyPlan, printPlan, processTerminal, type PlanMode } from './planOutput.js';

/** The limit options `create` and `limit` share. */
export function limitOptions(cmd: Command): Command {
  return cmd
    .option('--memory-max <size>', 'memory limit, e.g. 512M')
    .option('--memory-swap-max <size>', 'swap limit, e.g. 256M')
    .option('--cpu-max <pct>', 'CPU limit in percent of one CPU (150 = one and a half)')
    .option('--cpus <list>', 'CPUs it may run on, e.g. 0-1')
    .option('--pids-max <n>', 'most processes')
    .option('--io-weight <n>', 'block IO weight (v1: 10-1000, v2: 1-10000)');
}

export function limitRequest(o: Record<string, unknown>): LimitRequest {
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const r: LimitRequest = { memoryMax: s('memoryMax'), memorySwapMax: s('memorySwapMax'), cpuMax: s('cpuMax'), cpus: s('cpus'), pidsMax: s('pidsMax'), ioWeight: s('ioWeight') };
  for (const k of Object.keys(r) as (keyof LimitRequest)[]) if (r[k] === undefined) delete r[k];
  return r;
}

export function createDeps(c: CliContext, signal?: AbortSignal): CreateDeps {
  return {
    start: (name) => c.backend.start(name, { timeoutSeconds: 60 }),
    kill: (name) => c.backend.kill(name),
    isRunning: (name) => c.backend.isDefined(name) && c.backend.state(name) === 'RUNNING',
    logFile: c.logFile,
    ...(signal ? { signal } : {}),
  };
}

/** Ctrl-C during a run: abort the running tool; the executor then removes the half-made container. */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

type CreateOpts = { from?: string; inPlace?: boolean; template?: string; idmap?: string; autostart?: boolean; group?: string[]; start?: boolean; dryRun?: boolean; json?: boolean } & Record<string, unknown>;

export function registerCreateCommand(program: Command, io: CliIo, context: (cmd: Command) => CliContext): void {
  const create = program
    .command('create')
    .description('create a container (busybox, Debian, a rootfs directory or tarball, an image, a copy) as a plan with progress')
    .argument('<name>')
    .option('--from <source>', 'busybox | debian[:RELEASE] | dir:PATH | tar:FILE | download:DIST/RELEASE/ARCH | clone:OTHER')
    .option('--in-place', 'dir:PATH only: use the directory itself as the rootfs instead of a copy')
    .option('-t, --template <name>', 'any installed LXC template (the old form of --from)')
    .option('--idmap <preset>', 'uid/gid map preset: standard or isolated')
    .option('--autostart', 'start it with the host (lxc.start.auto = 1)')
    .option('--net <network>', 'put it on an lxcdeck network (or, unprivileged, an lxc-usernet bridge) instead of the default link')
    .option('--group <name>', 'an lxc.group (repeat for each)', (v: string, prev: string[] = []) => [...prev, v]);
  limitOptions(create)
    .option('--start', 'start it once it is made')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--json', 'one JSON line per event (with --dry-run: the plan)')
    .action(async (name: string, opts: CreateOpts, cmd: Command) => {
      if (opts.from !== undefined && opts.template !== undefined) throw new LxcdeckError('invalid-argument', '--from and -t both say where the rootfs comes from', 'give one of them');
      const parsed = opts.template !== undefined ? templateSource(opts.template) : parseCreateSource(opts.from ?? 'busybox');
      const source = opts.inPlace ? inPlaceSource(parsed) : parsed;
      const c = context(cmd);
      // the network first: an lxc-usernet refusal comes before any work on the rootfs source
      const target = typeof opts.net === 'string' ? createNetTarget(c, name, opts.net) : null;
      const params = await prepareCreate(c, { name, source, idmap: opts.idmap, limits: limitRequest(opts), autostart: opts.autostart, groups: opts.group, start: opts.start });
      const net = target ? prepareCreateNet(c.identity.uid, name, target, params) : null;
      const mode: PlanMode = opts.json ? 'json' : 'text';
      const term = processTerminal();
      if (opts.dryRun) return printPlan(withNetwork(buildCreatePlan(params, createDeps(c)), params, net), term, mode);
      if (mode === 'text') for (const s of params.tar?.skip ?? []) io.err(sanitize(`lxcdeck: skipping ${s.name} from the tarball: ${s.why}`));
      if (mode === 'text' && params.source.kind === 'dir' && params.source.inPlace) io.err(sanitize(`lxcdeck: warning: ${inPlaceWarning(params.source.path, params.uid !== 0)}`));
      await withInterrupt(async (signal) => {
        const plan = withNetwork(buildCreatePlan(params, createDeps(c, signal)), params, net);
        const executor = c.planExecutor();
        await applyPlan(executor, () => executor.run(plan), term, mode);
      });
      if (mode === 'text') io.out(sanitize(`created ${name} in ${c.backend.lxcpath}${params.start ? ' (running)' : ''}`));
    });
}
