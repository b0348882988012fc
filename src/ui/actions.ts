import type blessed from 'blessed';
import type { AppBackend } from '../app/context.js';
import type { ContainerPlanner } from '../core/backend.js';
import { planForms } from './planForms.js';
import type { ProcessInfo } from '../host/processes.js';
import { isLxcdeckError } from '../core/errors.js';
import type { Plan, PlanRunner } from '../core/plan.js';
import { containerRef, type Workload } from '../core/workload.js';
import { KEYED_COMMANDS } from '../commands/keytable.js';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import type { Lifecycle, LifecycleOp } from '../commands/lifecycle.js';
import type { CommandRegistry, CommandSpec } from '../commands/registry.js';
import type { AppActions } from '../commands/table.js';
import { CHART_SPANS } from '../settings/settingsSchema.js';
import * as list from '../state/listActions.js';
import { focusLog } from '../state/logView.js';
import type { Refresher } from '../state/refresher.js';
import type { AppStore } from '../state/store.js';
import type { MainView } from './mainView.js';
import type { OverlayHost } from './overlayHost.js';
import { helpText } from './overlays.js';
import type { PaneHost } from './paneHost.js';
import { openPlanFlow, type PlanFlowDeps } from './planFlow.js';
import { openIdmapEditor, type IdmapEditorBackend } from './idmapEditor.js';
import { paneNumbers } from './paneNumbers.js';
import { processesOverlay } from './processesOverlay.js';
import { openNetWizard, openNetworksView } from './netWizard.js';
import type { NetworkWizard } from '../net/wizard.js';
import { RulesDialog, type RulesDialogActions } from './rulesDialog.js';
import type { RenderScheduler } from './scheduler.js';
import type { ScreenIo } from './screen.js';
import type { WorkspaceMarks } from './workspaces.js';
import type { Palette } from './style.js';

export interface TuiSettings {
  theme: string;
  refreshIntervalMs: number;
  chartSpanSeconds: number;
  keys: Record<string, string[]>;
  /** What a shell pane runs; [] for the container's default shell. */
  paneShell: string[];
  /** Workspace marks as stored (checked by the mark store), the last session's workspace, and whether to reopen it. */
  marks: Record<string, unknown>;
  lastWorkspace: unknown;
  restoreLastWorkspace: boolean;
  /** Saves changed fields; returns a one-line error or null. */
  save(partial: { theme?: string; chartSpanSeconds?: number; marks?: Record<string, unknown>; lastWorkspace?: unknown }): string | null;
}

export interface TuiThemes {
  names(): string[];
  /** A palette for the theme, or the default one plus a one-line error; `inUse` names the theme drawn with. */
  palette(name: string): { palette: Palette; inUse?: string; error?: string };
}

export interface ActionDeps {
  store: AppStore;
  screen: blessed.Widgets.Screen;
  io: ScreenIo;
  scheduler: RenderScheduler;
  registry: CommandRegistry<AppActions>;
  keymap: ResolvedKeymap;
  main: MainView;
  panes: PaneHost;
  overlays: OverlayHost;
  refresher: Refresher;
  lifecycle: Lifecycle;
  backend: AppBackend;
  settings: TuiSettings;
  themes: TuiThemes;
  palette: Palette;
  /** The theme the first palette was made from. */
  themeInUse: string;
  rules?: RulesDialogActions;
  /** Runs plans (journalled): the console buffer edit, and the editors to come. */
  planRunner(): PlanRunner;
  workspaces: WorkspaceMarks;
  planner?: ContainerPlanner;
  /** The user's own stderr fd, for programs run in the foreground (E). */
  userStderr?: number;
  /** A running container's processes (main reads its cgroup.procs and /proc). */
  processes?: (container: string) => ProcessInfo[];
  /** The `N` wizard's host side (absent: not available). */
  networks?: NetworkWizard;
  idmapEditor?: IdmapEditorBackend;
  layout(): void;
  refresh(): void;
  quit(): void;
  execute(cmd: CommandSpec<AppActions>): void;
}

const SPANS: readonly number[] = CHART_SPANS;

/**
 * What each command does in the workstation (the command table's AppActions),
 * each a few lines handing the work to the room that owns it: the store's
 * list actions, the lifecycle, the panes, the overlays.
 */
export class WorkstationActions implements AppActions {
  readonly store: AppStore;
  palette: Palette;

  constructor(private readonly d: ActionDeps) {
    this.store = d.store;
    this.palette = d.palette;
    // the header names the theme drawn with (a broken one falls back, NO_COLOR is monochrome)
    this.store.themeName = d.themeInUse;
    this.store.chartSpanSeconds = SPANS.includes(d.settings.chartSpanSeconds) ? d.settings.chartSpanSeconds : 60;
  }

  get busy(): number {
    return this.d.lifecycle.busy;
  }

  get hasPanes(): boolean {
    return this.d.panes.count > 0;
  }

  /** Quits; with pane programs running it asks first (they end, the containers do not). */
  quit(): void {
    const n = this.d.panes.running;
    if (!n) return this.d.quit();
    this.d.overlays.confirm(`Quit? ${n} pane program${n === 1 ? '' : 's'} will end (containers keep running)`, () => this.d.quit());
  }

  suspend(): void {
    const screen = this.d.screen as blessed.Widgets.Screen & { sigtstp(cb: () => void): void };
    // blessed buffers its leave-alternate-screen sequence and mutes the output
    // before flushing it, so the shell would come back inside our screen:
    // leave it (and mouse reporting) ourselves first
    this.d.io.output.write('\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?25h\x1b[?1049l');
    screen.sigtstp(() => {
      this.d.io.output.write('\x1b[?2004h');
      screen.alloc();
      this.d.scheduler.markDirty();
    });
  }

  openCreateWizard(): void {
    planForms(this.d, this.palette, this.store).create();
  }

  openLimits(target: Workload): void {
    planForms(this.d, this.palette, this.store).limits(target);
  }

  openClone(target: Workload): void {
    planForms(this.d, this.palette, this.store).clone(target);
  }

  editConfig(target: Workload): void {
    if (target.id.kind !== 'container') return void this.store.addLog('warn', `${target.id.name} is not a container: only containers have a config`);
    const name = target.id.name;
    const screen = this.d.screen as blessed.Widgets.Screen & { exec(file: string, args: string[], options: object, cb: (err: Error | null, ok: boolean) => void): void; alloc(): void };
    // as suspend(): leave the alternate screen ourselves (blessed mutes its own sequence)
    this.d.io.output.write('\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?25h\x1b[?1049l');
    // the CLI's editor flow (validate, re-edit, diff, atomic write) in the foreground, as a child process
    // its stderr is the user's terminal (lxcdeck's own fd 2 is liblxc's pipe while the TUI runs)
    const stdio = this.d.userStderr === undefined ? {} : { stdio: ['inherit', 'inherit', this.d.userStderr] };
    screen.exec(process.execPath, [process.argv[1] ?? 'lxcdeck', '-P', target.id.lxcpath ?? this.d.backend.lxcpath, 'config', 'edit', name], stdio, (err, ok) => {
      this.d.io.output.write('\x1b[?2004h');
      screen.alloc();
      this.d.scheduler.markDirty();
      this.store.addLog(ok ? 'info' : 'warn', ok ? `config of ${name}: edited (written only if liblxc took every line)` : `config of ${name}: not written${err ? ` (${err.message})` : ''}`);
    });
  }

  redraw(): void {
    (this.d.screen as blessed.Widgets.Screen & { realloc(): void }).realloc();
    this.d.scheduler.markDirty();
  }

  refresh(): void {
    this.d.refresh();
  }

  lifecycle(op: LifecycleOp, targets: Workload[]): void {
    this.d.lifecycle.run(op, targets);
  }

  createDemo(): void {
    this.d.lifecycle.createDemo(this.store.container('demo') !== undefined);
  }

  openHelp(): void {
    const s = this.d.screen;
    // the overlay is 80% of the screen, inside its border
    const size = { width: Math.floor((s.width as number) * 0.8) - 3, height: Math.floor((s.height as number) * 0.8) - 2 };
    this.d.overlays.help(helpText(KEYED_COMMANDS, (id) => this.d.keymap.byCommand.get(id) ?? [], this.palette, '', size));
  }

  openPalette(): void {
    const cmds = this.d.registry.all().filter((c) => !c.available || c.available(this));
    this.d.overlays.commandPalette(cmds, (id) => this.d.keymap.byCommand.get(id) ?? [], (cmd) => this.d.execute(cmd));
  }

  openRules(): void {
    const rules = this.d.rules;
    if (!rules) return void this.store.addLog('warn', 'rules are not available yet (settings still loading)');
    const w = this.store.selectedWorkload();
    const target = w ? w.key : 'jobs:*';
    this.d.overlays.close();
    const km = this.d.keymap;
    const keys = { rules: (k: string) => commandFor(km, 'rules', k), form: (k: string) => commandFor(km, 'form', k), keysOf: (id: string) => km.byCommand.get(id) ?? [] };
    const dialog = new RulesDialog(this.d.screen, rules, this.palette, { target }, keys);
    this.d.overlays.open({ kind: 'rules' }, { key: (k) => dialog.key(k.ch, k.name), dispose: () => dialog.dispose(), resize: () => dialog.draw() });
  }

  markKey(mode: 'store' | 'jump'): void {
    this.d.workspaces.arm(mode);
  }

  openMarks(): void {
    this.d.workspaces.openOverlay(this.palette);
  }

  openProcesses(): void {
    const w = this.store.selectedContainer();
    const read = this.d.processes;
    if (!w) return void this.store.addLog('warn', 'processes: select a container (a job follows its output with a)');
    if (!read) return void this.store.addLog('warn', 'processes: not available here');
    if (w.pid === null) return void this.store.addLog('warn', `processes: ${w.id.name} is ${w.state}; start it first (s)`);
    const km = this.d.keymap;
    const name = containerRef(w.id);
    const widget = processesOverlay(this.d.screen, name, () => read(name), this.palette, (k) => commandFor(km, 'processes', k.name), () => this.d.scheduler.markDirty());
    this.d.overlays.open({ kind: 'processes' }, widget);
  }

  startFilter(): void {
    list.startFilter(this.store);
  }

  clearFilter(): void {
    list.clearFilter(this.store);
  }

  toggleDetails(): void {
    this.store.view = this.store.view === 'detail' ? 'list' : 'detail';
    this.d.layout();
    this.store.notify();
  }

  back(): void {
    if (this.store.view === 'detail') this.toggleDetails();
    else if (this.store.filter || this.store.tag) this.clearFilter();
    else if (this.store.marked.size) {
      this.store.marked.clear();
      this.store.notify();
    }
  }

  move(to: list.MoveTo): void {
    list.moveSelection(this.store, this.d.main.list.keys(), to, this.d.main.list.pageSize);
  }

  toggleMark(): void {
    list.toggleMark(this.store, this.d.main.list.keys(), this.d.main.list.pageSize);
  }

  markAll(): void {
    list.markAll(this.store, this.d.main.list.keys());
  }

  sort(step: 1 | -1): void {
    list.sortBy(this.store, step);
  }

  invertSort(): void {
    list.invertSort(this.store);
  }

  toggleGroup(): void {
    list.toggleGroup(this.store);
  }

  nextSpan(): void {
    const i = SPANS.indexOf(this.store.chartSpanSeconds);
    this.store.chartSpanSeconds = SPANS[(i + 1) % SPANS.length] ?? 60;
    const err = this.d.settings.save({ chartSpanSeconds: this.store.chartSpanSeconds });
    if (err) this.store.addLog('warn', err);
    this.store.notify();
  }

  nextTheme(): void {
    const names = this.d.themes.names();
    this.applyTheme(names[(names.indexOf(this.store.themeName) + 1) % names.length] ?? 'dark');
  }

  private applyTheme(name: string): void {
    const { palette, error, inUse } = this.d.themes.palette(name);
    if (error) return void this.store.addLog('error', error);
    this.palette = palette;
    this.d.main.setPalette(palette);
    this.d.panes.setPalette(palette);
    this.store.themeName = inUse ?? name;
    const err = this.d.settings.save({ theme: name });
    if (err) this.store.addLog('warn', err);
    this.store.addLog('info', `theme ${name}`);
  }

  focusLog(): void {
    focusLog(this.store);
    this.d.layout();
  }

  toggleLog(): void {
    this.d.main.logLarge = !this.d.main.logLarge;
    this.d.layout();
    this.store.notify();
  }

  openPane(kind: 'shell' | 'console'): void {
    const w = this.store.selectedWorkload();
    if (w?.id.kind === 'job') {
      if (kind === 'console') return void this.store.addLog('warn', 'a job has no console: a (shell) follows its output');
      return void this.d.panes.open({ kind: 'log', container: `job:${w.id.name}`, file: this.d.refresher.job(w.id.name)?.log ?? '' });
    }
    if (!w) return void this.store.addLog('warn', `${kind}: select a container first`);
    const name = containerRef(w.id);
    if (w.state !== 'RUNNING' && w.state !== 'FROZEN') return void this.store.addLog('warn', `${kind}: ${name} is ${w.state}; start it first (s)`);
    if (w.state === 'FROZEN') this.store.addLog('warn', `${name} is frozen: the ${kind} answers once it is thawed (f)`);
    const shell = this.d.settings.paneShell;
    // a second console on the same container takes the next tty
    if (kind === 'console') this.d.panes.open({ kind, container: name, tty: this.d.panes.freeTty(name) });
    else this.d.panes.open({ kind, container: name, ...(shell.length ? { command: shell } : {}) });
  }

  splitPane(where: 'right' | 'down'): void {
    const w = this.store.selectedContainer();
    this.d.panes.split(where, w ? containerRef(w.id) : null, this.d.settings.paneShell);
  }

  focusPane(to: 1 | -1 | 'left' | 'right' | 'up' | 'down'): void {
    this.d.panes.focus(to);
  }

  showPaneNumbers(): void {
    const panes = this.d.panes;
    this.d.overlays.open({ kind: 'pane-numbers' }, paneNumbers(this.d.screen, panes.places(), panes.layout.focused, this.palette, (id) => panes.focusLeaf(id)));
  }

  zoomPane(): void {
    this.d.panes.zoom();
  }

  closePane(): void {
    const v = this.d.panes.focused();
    if (!v) return;
    const spec = v.session.spec;
    const keeps = spec.kind === 'log' ? 'the job keeps running' : 'the container keeps running';
    if (v.session.running) this.d.overlays.confirm(`Close the ${spec.kind} pane on ${spec.container}? (${keeps})`, () => this.d.panes.close());
    else this.d.panes.close();
  }

  scrollMode(): void {
    this.d.panes.scrollMode();
  }

  resizePane(dir: 'left' | 'right' | 'up' | 'down'): void {
    this.d.panes.resize(dir);
  }

  enableConsoleBuffer(targets: Workload[]): void {
    const plans: Plan[] = [];
    for (const w of targets) {
      if (w.id.kind !== 'container') continue;
      try {
        plans.push(this.d.backend.consoleBufferPlan(containerRef(w.id)));
      } catch (e) {
        this.store.addLog('error', `${w.id.name}: ${isLxcdeckError(e) ? e.line : String(e)}`);
      }
    }
    if (!plans.length) return;
    openPlanFlow(this.flowDeps(), plans.length === 1 ? (plans[0] as Plan).title : `console ring buffer for ${plans.length} containers`, plans);
  }

  /** U: the map editor, for a container (it says itself when the container is not stopped). */
  openIdmapEditor(t: Workload): void {
    if (t.id.kind === 'container') void openIdmapEditor({ ...this.flowDeps(), editor: this.d.idmapEditor }, containerRef(t.id));
  }

  private flowDeps(): PlanFlowDeps {
    const d = this.d;
    return { screen: d.screen, palette: this.palette, keymap: d.keymap, overlays: d.overlays, runner: d.planRunner, log: (l, t) => this.store.addLog(l, t), changed: () => d.scheduler.markDirty() };
  }

  netWizard(): void {
    void this.withNet(openNetWizard);
  }

  networksView(): void {
    void this.withNet(openNetworksView);
  }

  private async withNet(open: typeof openNetWizard): Promise<void> {
    if (!this.d.networks) return void this.store.addLog('warn', 'networks are not available here');
    return open({ ...this.flowDeps(), wizard: this.d.networks });
  }
}
