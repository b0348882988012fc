import type { AppContext } from '../app/context.js';
import { readCgroupHost, type CgroupHost, type StartPlacement } from '../host/cgroups.js';
import { realHostFs, type HostFs } from '../host/hostfs.js';
import { currentIdentity, type Identity } from '../host/identity.js';
import * as path from 'node:path';
import { fallbackLxcpath, lxcLogFile, stateDir } from '../host/paths.js';
import { currentPlacement } from '../host/placement.js';
import { LiblxcBackend } from '../lxc/backend.js';
import { LxcToolsFactory } from '../lxc/factory.js';
import { registerCreatePlan } from '../lxc/createPlan.js';
import { registerRenamePlan } from '../lxc/rename.js';
import { registerConfigReplacePlan } from '../lxc/configCheck.js';
import { containerPlanner } from './planner.js';
import { cliIdmapEditor } from './idmapEditor.js';
import { createHelperRunner, type HelperRunner } from '../lxc/helper.js';
import { loadNative } from '../lxc/native.js';
import { helperTerminals } from '../lxc/terminals.js';
import { divertLiblxcStderr } from '../lxc/stderr.js';
import { LiblxcIdMapSource } from '../lxc/idmaps.js';
import { registerIdmapPlan } from './idmapPlan.js';
import { PlanExecutor } from '../plan/executor.js';
import { JournalStore } from '../plan/journal.js';
import { PlanRegistry } from '../plan/registry.js';
import { realNetHost } from '../host/netHost.js';
import { registerNetPlans } from '../net/plans.js';
import { registerNetMemberPlans } from './netJoin.js';
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
  /** A fresh executor journalling into `journals`. */
  planExecutor(): PlanExecutor;
}

export function createContext(options: { lxcpath?: string }): CliContext {
  const fs = realHostFs;
  const identity = currentIdentity(fs);
  const cgroups = readCgroupHost(fs);
  const logFile = lxcLogFile(identity);
  const lib = loadNative(logFile);
  // from here on liblxc's stray error lines go to its log file, never to the user's terminal
  const stderr = divertLiblxcStderr(lib, logFile);
  const lxcpath = options.lxcpath || lib.lxcdeck_default_lxcpath() || fallbackLxcpath(identity);
  const helper = createHelperRunner(logFile);
  const placement = () => currentPlacement(fs, cgroups, identity);
  const backend = new LiblxcBackend({ lib, lxcpath, fs, cgroups, helper, placement });
  const plans = new PlanRegistry();
  backend.configEditor.register(plans);
  registerRenamePlan(plans);
  registerConfigReplacePlan(plans);
  registerCreatePlan(plans, { start: (n) => backend.start(n, { timeoutSeconds: 60 }), kill: (n) => backend.kill(n), isRunning: (n) => backend.isDefined(n) && backend.state(n) === 'RUNNING' });
  registerNetPlans(plans, realNetHost);
  registerNetMemberPlans(plans, backend.configEditor);
  registerNetCreatePlan(plans);
  registerIdmapPlan(plans, backend.configEditor);
  const journals = new JournalStore(path.join(stateDir(identity), 'plans'));
  const planExecutor = () => new PlanExecutor({ journals, registry: plans });
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
    planExecutor,
    planRunner: planExecutor,
    captureLiblxcStderr: (onLine) => stderr.capture(onLine),
    userStderr: stderr.terminal,
    networks: cliNetworkWizard(),
    factory: new LxcToolsFactory(backend),
    idmaps: new LiblxcIdMapSource(lib, lxcpath),
    terminals: helperTerminals(helper, lxcpath, () => attachPrefix(ctx), () => path.join(stateDir(identity), 'sessions')),
  };
  ctx.planner = containerPlanner(ctx);
  ctx.idmapEditor = cliIdmapEditor(ctx);
  return ctx;
}

/** Unprivileged attach needs the same delegated placement as start. */
export function attachPrefix(c: CliContext): string[] {
  if (c.identity.uid === 0) return [];
  const p = c.placement();
  return p.kind === 'systemd-scope' ? p.prefix : [];
}
