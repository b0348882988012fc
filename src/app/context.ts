import type { ConfigEditor, ContainerBackend, ContainerPlanner, ContainerRuntime, Freezable, TerminalLauncher } from '../core/backend.js';
import type { Disposable } from '../base/disposable.js';
import type { ContainerExtrasSource } from '../core/details.js';
import type { PlanRunner } from '../core/plan.js';
import type { CgroupHost, Hierarchy } from '../host/cgroups.js';
import type { HostFs } from '../host/hostfs.js';
import type { Identity } from '../host/identity.js';
import type { NetworkWizard } from '../net/wizard.js';
import type { IdmapEditorBackend } from '../idmap/editor.js';

/** The container engine as the workstation uses it: core capabilities, never the liblxc adapter itself. */
export type AppBackend = ContainerBackend & Freezable & ContainerRuntime<Hierarchy> & ConfigEditor;

/**
 * What main builds once per process and hands to the TUI: facts about the
 * host and the engine's capabilities behind core interfaces. Only main and
 * the CLI know src/lxc; everything the TUI does goes through this.
 */
export interface AppContext {
  fs: HostFs;
  identity: Identity;
  cgroups: CgroupHost;
  backend: AppBackend;
  terminals: TerminalLauncher;
  /** liblxc's stray stderr lines go to `onLine` (the event log) until disposed (they go to its log file otherwise). */
  captureLiblxcStderr(onLine: (line: string) => void): Disposable;
  /** The user's own stderr fd (fd 2 is liblxc's while lxcdeck runs), for programs run in the foreground. */
  userStderr: number | null;
  /** Plans that make containers (the create wizard). */
  planner?: ContainerPlanner;
  /** A plan runner that journals in the user's state dir (plans come from e.g. backend.consoleBufferPlan). */
  planRunner(): PlanRunner;
  /** New networks for the `N` wizard (absent: the wizard says it is not available). */
  networks?: NetworkWizard;
  /** Snapshots, networks and the idmap check of one container, for the detail view (read in the background). */
  extras?: ContainerExtrasSource;
  /** The uid/gid map editor's host side (absent: not available). */
  idmapEditor?: IdmapEditorBackend;
}
