import { actionLogFile, recordAction } from '../host/actionLog.js';
import type { AppContext } from '../app/context.js';
import { LxcpathSet } from '../app/lxcpaths.js';
import { readCgroupHost, type CgroupHost, type StartPlacement } from '../host/cgroups.js';
import { realHostFs, type HostFs } from '../host/hostfs.js';
import { currentIdentity, type Identity } from '../host/identity.js';
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import { fallbackLxcpath, lxcLogFile, stateDir } from '../host/paths.js';
import { currentPlacement } from '../host/placement.js';
import { LiblxcBackend } from '../lxc/backend.js';
import { registerCreatePlan } from '../lxc/createPlan.js';
import { registerRenamePlan } from '../lxc/rename.js';
import { registerConfigReplacePlan } from '../lxc/configCheck.js';
import { containerPlanner } from './planner.js';
import { containerExtras } from './extras.js';
import { cliIdmapEditor } from './idmapEditor.js';
import { createHelperRunner, type HelperRunner } from '../lxc/helper.js';
import { loadNative } from '../lxc/native.js';
import { helperTerminals } from '../lxc/terminals.js';
import { divertLiblxcStderr } from '../lxc/stderr.js';
import { LiblxcIdMapSource } from '../lxc/idmaps.js';
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

/** What every lxcpath's context shares: one native library, helper, placement and journal store per process. */
interface Shared {
  fs: HostFs;
  identity: Identity;
  cgroups: CgroupHost;
  logFile: string | null;
  lib: ReturnType<typeof loadNative>;
  stderr: ReturnType<typeof divertLiblxcStderr>;
  helper: HelperRunner;
  placement: () => StartPlacement;
  journals: JournalStore;
  volatileJournals: JournalStore;
  /** What the action record names as the changer (cli, tui). */
  actor: string;
}

function sharedParts(actor = 'cli'): Shared {
  const fs = realHostFs;
  const identity = currentIdentity(fs);
  const cgroups = readCgroupHost(fs);
  const logFile = lxcLogFile(identity);
  const lib = loadNative(logFile);
  // from here on liblxc's stray error lines go to its log file, never to the user's terminal
  const stderr = divertLiblxcStderr(lib, logFile);
  const helper = createHelperRunner(logFile);
  const placement = () => currentPlacement(fs, cgroups, identity);
  const journals = new JournalStore(path.join(stateDir(identity), 'plans'));
  const volatileJournals = volatileJournalStore(identity);
  return { fs, identity, cgroups, logFile, lib, stderr, helper, placement, journals, volatileJournals, actor };
}

/** `actor`: what lxcdeck's action record names as the changer (the CLI, the TUI). */
export function createContext(options: { lxcpath?: string; actor?: string }): CliContext {
  const shared = sharedParts(options.actor);
  return contextAt(shared, options.lxcpath || shared.lib.lxcdeck_default_lxcpath() || fallbackLxcpath(shared.identity));
}

/**
 * One context per lxcpath (the first is the primary one), sharing the
 * native library and helper; none given: liblxc's default. With several,
 * each must be a readable directory (a one-line error names the one that is not).
 */
export function createContexts(lxcpaths: readonly string[], leaveOut: (p: string) => string = (p) => `leave out -P ${p}`, actor = 'cli'): CliContext[] {
  const shared = sharedParts(actor);
  if (lxcpaths.length < 2) return [contextAt(shared, lxcpaths[0] || shared.lib.lxcdeck_default_lxcpath() || fallbackLxcpath(shared.identity))];
  return [...new Set(lxcpaths.map((p) => path.resolve(p)))].map((p) => contextAt(shared, checkLxcpath(p, leaveOut(p))));
}

/** A listed lxcpath must be a directory lxcdeck may read; `leaveOut` is the fix that drops it. */
export function checkLxcpath(p: string, leaveOut = `leave out -P ${p}`): string {
  const fail = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') throw new LxcdeckError('invalid-argument', `lxcpath ${p} does not exist`, `create it (mkdir -p ${p}) or ${leaveOut}`);
    throw new LxcdeckError('permission', `cannot read lxcpath ${p} (${code})`, `run lxcdeck as a user who may read ${p}, or ${leaveOut}`);
  };
  let stat: nodeFs.Stats | undefined;
  try {
    stat = nodeFs.statSync(p);
  } catch (e) {
    fail(e);
  }
  if (!stat?.isDirectory()) throw new LxcdeckError('invalid-argument', `lxcpath ${p} is not a directory`, `pass the directory that holds the containers, or ${leaveOut}`);
  try {
    nodeFs.accessSync(p, nodeFs.constants.R_OK | nodeFs.constants.X_OK);
  } catch (e) {
    fail(e);
  }
  return p;
}

function contextAt(shared: Shared, lxcpath: string): CliContext {
  const { fs, identity, cgroups, logFile, lib, stderr, helper, placement, journals, volatileJournals, actor } = shared;
  const actions = actionLogFile(stateDir(identity));
  const onAction = (verb: string, name: string) => recordAction(actions, { kind: 'container', name, lxcpath, verb, by: actor });
  const backend = new LiblxcBackend({ lib, lxcpath, fs, cgroups, helper, placement, onAction });
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
    idmaps: new LiblxcIdMapSource(lib, lxcpath),
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
