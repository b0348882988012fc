import type { AppContext } from '../app/context.js';
import { LxcpathSet } from '../app/lxcpaths.js';
import type { CgroupHost, StartPlacement } from '../host/cgroups.js';
import type { HostFs } from '../host/hostfs.js';
import type { Identity } from '../host/identity.js';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import { stateDir } from '../host/paths.js';
import type { LiblxcBackend } from '../lxc/backend.js';
import { backendAt, backendParts, leaveOutFlag, oneLxcpath, resolveLxcpaths, type BackendParts } from './backendParts.js';
import { registerCreatePlan } from '../lxc/createPlan.js';
import { registerRenamePlan } from '../lxc/rename.js';
import { registerConfigReplacePlan } from '../lxc/configCheck.js';
import { containerPlanner } from './planner.js';
import { containerExtras } from './extras.js';
import { cliIdmapEditor } from './idmapEditor.js';
import type { HelperRunner } from '../lxc/helper.js';
import { helperTerminals } from '../lxc/terminals.js';
import { IdMapsAcross, LiblxcIdMapSource } from '../lxc/idmaps.js';
import { registerIdmapPlan } from './idmapPlan.js';
import { PlanExecutor } from '../plan/executor.js';
import { JournalStore, volatileJournalStore } from '../plan/journal.js';
import { PlanRegistry } from '../plan/registry.js';
import { realNetHost } from '../host/netHost.js';
import { registerNetPlans } from '../net/plans.js';
import { registerNetMemberPlans } from './netJoin.js';
import { registerCreateNetPlan } from './createNet.js';
import { registerNetImportPlan } from './netImport.js';
import { cliNetworkWizard, registerNetCreatePlan } from './netWizard.js';

/** Everything a command needs, wired once per process. */
export interface CliContext extends AppContext {
  fs: HostFs;
  identity: Identity;
  cgroups: CgroupHost;
  helper: HelperRunner;
  backend: LiblxcBackend;
  /** Every container's lxc.idmap, read and written through liblxc. */
  idmaps: LiblxcIdMapSource;
  /** idmaps and those of the other lxcpaths the command was given (IdMapsAcross): what sharing and free ranges are judged against. */
  everyIdmap: IdMapsAcross;
  logFile: string | null;
  placement: () => StartPlacement;
  /** Builders of every plan kind, to resume or roll back a journal. */
  plans: PlanRegistry;
  /** Plan journals in <state dir>/plans. */
  journals: JournalStore;
  /** Journals of network plans (a reboot wipes their effects): /run/lxcdeck-plans for root, no fsync. */
  volatileJournals: JournalStore;
  /** A fresh executor journalling into `journals` (or `volatileJournals`). */
  planExecutor(store?: 'volatile'): PlanExecutor;
}

/** What every lxcpath's context shares: the backend's parts plus one journal store per process. */
interface Shared extends BackendParts {
  journals: JournalStore;
  volatileJournals: JournalStore;
}

function sharedParts(actor = 'cli'): Shared {
  const parts = backendParts(actor);
  return { ...parts, journals: new JournalStore(path.join(stateDir(parts.identity), 'plans')), volatileJournals: volatileJournalStore(parts.identity) };
}

/** `actor`: what lxcdeck's action record names as the changer (the CLI, the TUI). */
export function createContext(options: { lxcpath?: string; actor?: string }): CliContext {
  const shared = sharedParts(options.actor);
  return contextAt(shared, oneLxcpath(shared, options.lxcpath));
}

/**
 * One context per lxcpath (the first is the primary one), sharing the
 * native library and helper; none given: liblxc's default. With several,
 * each must be a readable directory (a one-line error names the one that is not).
 */
export function createContexts(lxcpaths: readonly string[], leaveOut: (p: string) => string = leaveOutFlag, actor = 'cli'): CliContext[] {
  const shared = sharedParts(actor);
  const all = resolveLxcpaths(shared, lxcpaths, leaveOut).map((p) => contextAt(shared, p));
  for (const c of all) c.everyIdmap = new IdMapsAcross(c.idmaps, all.filter((o) => o !== c).map((o) => o.idmaps));
  return all;
}

function contextAt(shared: Shared, lxcpath: string): CliContext {
  const { fs, identity, cgroups, logFile, lib, stderr, helper, placement, journals, volatileJournals } = shared;
  const idmaps = new LiblxcIdMapSource(lib, lxcpath);
  const backend = backendAt(shared, lxcpath);
  const plans = new PlanRegistry();
  backend.configEditor.register(plans);
  registerRenamePlan(plans);
  registerConfigReplacePlan(plans);
  const createDeps = { start: (n: string) => backend.start(n, { timeoutSeconds: 60 }), kill: (n: string) => backend.kill(n), isRunning: (n: string) => backend.isDefined(n) && backend.state(n) === 'RUNNING' };
  registerCreatePlan(plans, createDeps);
  registerCreateNetPlan(plans, createDeps);
  registerNetPlans(plans, realNetHost);
  registerNetMemberPlans(plans, backend.configEditor);
  registerNetCreatePlan(plans);
  registerNetImportPlan(plans);
  registerIdmapPlan(plans, backend.configEditor);
  const planExecutor = (store?: 'volatile') => new PlanExecutor({ journals: store === 'volatile' ? volatileJournals : journals, registry: plans });
  const ctx: CliContext = {
    fs,
    identity,
    cgroups,
    helper,
    backend,
    logFile,
    placement,
    plans,
    journals,
    volatileJournals,
    planExecutor,
    planRunner: planExecutor,
    captureLiblxcStderr: (onLine) => stderr.capture(onLine),
    userStderr: stderr.terminal,
    networks: cliNetworkWizard(),
    idmaps,
    everyIdmap: new IdMapsAcross(idmaps, []),
    terminals: helperTerminals(helper, lxcpath, () => attachPrefix(ctx), () => path.join(stateDir(identity), 'sessions')),
  };
  ctx.planner = containerPlanner(ctx);
  ctx.extras = containerExtras(ctx);
  ctx.idmapEditor = cliIdmapEditor(ctx);
  return ctx;
}

/** The workstation's context over one or several lxcpaths (contexts from createContexts, the first the primary). */
export function workstationContext(contexts: readonly CliContext[]): AppContext {
  const first = contexts[0];
  if (!first) throw new LxcdeckError('internal', 'no lxcpath to list', 'pass -P PATH');
  if (contexts.length === 1) return first;
  const set = new LxcpathSet(contexts.map((c) => ({ backend: c.backend, terminals: c.terminals, ...(c.planner ? { planner: c.planner } : {}), ...(c.extras ? { extras: c.extras } : {}), ...(c.idmapEditor ? { idmapEditor: c.idmapEditor } : {}) })));
  const planner = set.planner();
  const extras = set.extras();
  const idmapEditor = set.idmapEditor();
  const { planner: _own, extras: _ownExtras, idmapEditor: _ownEditor, ...rest } = first;
  return { ...rest, backend: set.backend(), terminals: set.terminals(), ...(planner ? { planner } : {}), ...(extras ? { extras } : {}), ...(idmapEditor ? { idmapEditor } : {}) };
}

/** Unprivileged attach needs the same delegated placement as start. */
export function attachPrefix(c: CliContext): string[] {
  if (c.identity.uid === 0) return [];
  const p = c.placement();
  return p.kind === 'systemd-scope' ? p.prefix : [];
}
