import type { AppBackend } from '../app/context.js';
import type { ContainerPlanner } from '../core/backend.js';
import type { PlanRunner } from '../core/plan.js';
import type { ContainerExtrasSource } from '../core/details.js';
import type { ProcessInfo } from '../host/processes.js';
import type { NetworkWizard } from '../net/wizard.js';
import type { IdmapEditorBackend } from '../idmap/editor.js';
import type { WorkstationJobs, WorkstationMetrics } from '../state/sources.js';
import type { AppStore } from '../state/store.js';
import type { TuiSettings, TuiThemes } from './actions.js';
import type { PaneLauncher } from './paneHost.js';
import type { RulesDialogActions } from './rulesDialog.js';
import type { ScreenIo } from './screen.js';

/** What main hands the workstation: the engine's capabilities, data sources, settings and themes. */
export interface TuiDeps {
  io: ScreenIo;
  store: AppStore;
  backend: AppBackend;
  jobs?: WorkstationJobs;
  metrics: WorkstationMetrics;
  settings: TuiSettings;
  themes: TuiThemes;
  header: string;
  /** Warnings found while loading (bad settings, key conflicts) for the event log. */
  warnings: string[];
  /** Runs pane programs (attach, console); without it there are no panes. */
  panes?: PaneLauncher;
  /** Freeze rules (evaluated by main on each sample); shown in the status bar, edited in a dialog. */
  rules?: RulesDialogActions;
  /** Runs plans (config edits and the editors to come), journalled. */
  planRunner(): PlanRunner;
  /** Builds create plans (the n wizard); without it the wizard says so. */
  planner?: ContainerPlanner;
  /** A running container's processes, for the process list. */
  processes?: (container: string) => ProcessInfo[];
  /** The network wizard's host side (N); without it the wizard says so. */
  networks?: NetworkWizard;
  /** Snapshots, networks and the idmap check for the detail view (read in the background, cached). */
  extras?: ContainerExtrasSource;
  idmapEditor?: IdmapEditorBackend;
  /** The user's own stderr fd (fd 2 is liblxc's pipe), for programs run in the foreground. */
  userStderr?: number;
  /** The mark to restore on start (`lxcdeck -w a`). */
  workspace?: string;
}
