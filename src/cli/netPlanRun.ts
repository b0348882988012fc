import type { Plan } from '../core/plan.js';
import { LxcdeckError } from '../core/errors.js';
import { realHostFs } from '../host/hostfs.js';
import { currentIdentity } from '../host/identity.js';
import type { NetworkDef } from '../net/definition.js';
import { PlanExecutor } from '../plan/executor.js';
import { volatileJournalStore } from '../plan/journal.js';
import type { CliContext } from './context.js';
import { applyPlan, printPlan, processTerminal, type PlanMode } from './planOutput.js';

/**
 * Running a host network plan from the CLI, without liblxc or commander:
 * `net up NAME` and `net down NAME` run from the small fast.cjs bundle
 * through here (src/cli/fast.ts), the rest of `lxcdeck net` from net.ts.
 */
export interface PlanOpts {
  dryRun?: boolean;
  json?: boolean;
}

/** The executor of host-only network plans: journalled like every plan, without loading liblxc (a join needs the full context). */
export function hostPlanRunner(): { planExecutor(): PlanExecutor } {
  // network plans are journalled under /run without fsync (a reboot wipes the network anyway)
  const journals = volatileJournalStore(currentIdentity(realHostFs));
  return { planExecutor: () => new PlanExecutor({ journals }) };
}

/** Prints (--dry-run) or runs a plan with the CLI's rendering. */
export async function runNetPlan(c: Pick<CliContext, 'planExecutor'>, plan: Plan, opts: PlanOpts): Promise<boolean> {
  const mode: PlanMode = opts.json ? 'json' : 'text';
  const term = processTerminal();
  if (opts.dryRun) {
    await printPlan(plan, term, mode);
    return false;
  }
  const executor = c.planExecutor();
  await applyPlan(executor, () => executor.run(plan), term, mode);
  return true;
}

/** A network lxcdeck may change: not lxc-net's (read-only until imported), and only as root. */
export function writable(def: NetworkDef): NetworkDef {
  if (def.readOnly) throw new LxcdeckError('wrong-state', `network ${def.name} is Debian's lxc-net bridge ${def.bridge ?? ''}; lxcdeck only shows it`, 'manage it with /usr/libexec/lxc/lxc-net, or take it over: lxcdeck net import');
  if (process.getuid?.() !== 0) throw new LxcdeckError('permission', `changing network ${def.name} needs root`, `run: sudo lxcdeck net ...`);
  return def;
}

/** A network up or down, checked writable first: net.ts's `net up` / `net down` and the fast path's. */
export async function runNetDef(verb: 'up' | 'down', def: NetworkDef, opts: PlanOpts = {}): Promise<boolean> {
  const [{ netDownPlan, netUpPlan }, { realNetHost }] = await Promise.all([import('../net/plans.js'), import('../host/netHost.js')]);
  return runNetPlan(hostPlanRunner(), (verb === 'up' ? netUpPlan : netDownPlan)(realNetHost, writable(def)), opts);
}

/** `lxcdeck net up NAME` / `net down NAME` as the fast path runs them (no options). */
export async function netUpDown(verb: 'up' | 'down', name: string): Promise<void> {
  const { NetStore } = await import('../host/netStore.js');
  await runNetDef(verb, new NetStore().get(name));
}
