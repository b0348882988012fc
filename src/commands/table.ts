import { workloadLabel, type Workload } from '../core/workload.js';
import type { AppStore } from '../state/store.js';
import { applicableTargets, type LifecycleOp } from './lifecycle.js';
import { CommandRegistry, type CommandSpec } from './registry.js';

export type { LifecycleOp } from './lifecycle.js';

/** What command handlers may do; the UI implements it (commands know no widgets). */
export interface AppActions {
  readonly store: AppStore;
  quit(): void;
  suspend(): void;
  redraw(): void;
  refresh(): void;
  lifecycle(op: LifecycleOp, targets: Workload[]): void;
  createDemo(): void;
  openHelp(): void;
  openPalette(): void;
  startFilter(): void;
  clearFilter(): void;
  toggleDetails(): void;
  back(): void;
  move(to: number | 'top' | 'bottom' | 'page-up' | 'page-down'): void;
  toggleMark(): void;
  markAll(): void;
  sort(step: 1 | -1): void;
  invertSort(): void;
  toggleGroup(): void;
  nextSpan(): void;
  nextTheme(): void;
  toggleLog(): void;
  focusLog(): void;
  /** Panes (pty sessions beside the list). */
  readonly hasPanes: boolean;
  openPane(kind: 'shell' | 'console'): void;
  splitPane(where: 'right' | 'down'): void;
  focusPane(to: 1 | -1 | 'left' | 'right' | 'up' | 'down'): void;
  showPaneNumbers(): void;
  zoomPane(): void;
  closePane(): void;
  scrollMode(): void;
  /** `N`: the new-network wizard. */
  netWizard(): void;
  /** `W`: the networks view. */
  networksView(): void;
  resizePane(dir: 'left' | 'right' | 'up' | 'down'): void;
  enableConsoleBuffer(targets: Workload[]): void;
  /** Opens the container's config in $VISUAL/$EDITOR (the screen suspended, like git); saved only when liblxc takes every line. */
  editConfig(target: Workload): void;
  /** The create wizard: name, source, memory limit, start; then the plan's preview and progress. */
  openCreateWizard(): void;
  /** The limits form of a container: memory, pids, CPU; applied live and kept. */
  openLimits(target: Workload): void;
  /** The clone form of a container: new name, copy or overlay snapshot; the same plan as `lxcdeck clone`. */
  openClone(target: Workload): void;
  openIdmapEditor(target: Workload): void;
  openRules(): void;
  /** Workspace marks: m / ' then a letter; the marks overlay. */
  markKey(mode: 'store' | 'jump'): void;
  openMarks(): void;
  openProcesses(): void;
}


type Spec = CommandSpec<AppActions>;

const hasTarget = (a: AppActions) => a.store.targets().length > 0;
/** A lifecycle command asks only about the rows it would act on (none: it says why, without asking). */
const askAbout = (op: LifecycleOp, title: string) => (a: AppActions) => {
  const { todo } = applicableTargets(op, a.store.targets());
  return todo.length ? `${title}: ${todo.map((w) => workloadLabel(w.id)).join(', ')}?` : null;
};
const hasPanes = (a: AppActions) => a.hasPanes;

/** Every command of the TUI with its default keys (htop/k9s/lazydocker habits). */
export const COMMANDS: Spec[] = [
  { id: 'app.help', title: 'Help: every key', scope: 'global', keys: ['?', 'f1', 'C-b ?'], run: (a) => a.openHelp() },
  { id: 'app.palette', title: 'Command palette', scope: 'global', keys: [':', 'C-p', 'C-b :'], run: (a) => a.openPalette() },
  { id: 'app.quit', title: 'Quit (containers keep running; from a pane: prefix d, like detaching tmux)', scope: 'global', keys: ['q', 'f10', 'C-c', 'C-b d'], run: (a) => a.quit() },
  { id: 'app.suspend', title: 'Suspend to the shell (fg to return)', scope: 'global', keys: ['C-z'], run: (a) => a.suspend() },
  { id: 'app.redraw', title: 'Redraw the screen', scope: 'global', keys: ['C-l'], run: (a) => a.redraw() },
  { id: 'app.refresh', title: 'Refresh the list now', scope: 'global', keys: ['f5'], run: (a) => a.refresh() },
  { id: 'app.theme-next', title: 'Switch to the next theme', scope: 'global', keys: ['T'], run: (a) => a.nextTheme() },
  { id: 'view.filter', title: 'Filter the list (type to narrow)', scope: 'list', keys: ['/'], run: (a) => a.startFilter() },
  { id: 'view.clear-filter', title: 'Clear the filter', scope: 'list', keys: ['C-u'], run: (a) => a.clearFilter() },
  { id: 'view.details', title: 'Show or hide details and graphs', scope: 'list', keys: ['enter', 'd'], run: (a) => a.toggleDetails() },
  { id: 'view.back', title: 'Back / close', scope: 'global', keys: ['escape'], run: (a) => a.back() },
  { id: 'view.span-next', title: 'Graph span: 1 / 5 / 15 minutes', scope: 'detail', keys: ['t'], run: (a) => a.nextSpan() },
  { id: 'view.sort-next', title: 'Sort by the next column', scope: 'list', keys: ['>'], run: (a) => a.sort(1) },
  { id: 'view.sort-prev', title: 'Sort by the previous column', scope: 'list', keys: ['<'], run: (a) => a.sort(-1) },
  { id: 'view.sort-invert', title: 'Invert the sort order', scope: 'list', keys: ['I'], run: (a) => a.invertSort() },
  { id: 'view.group', title: 'Group by lxc.group', scope: 'list', keys: ['g'], run: (a) => a.toggleGroup() },
  { id: 'view.log', title: 'Enlarge or shrink the event log', scope: 'global', keys: ['L'], run: (a) => a.toggleLog() },
  { id: 'view.log-focus', title: 'Focus the event log: scroll it, / searches, Esc gives the keys back', scope: 'list', keys: ['e'], run: (a) => a.focusLog() },
  { id: 'list.up', title: 'Select the previous row', scope: 'list', keys: ['up', 'k'], run: (a) => a.move(-1) },
  { id: 'list.down', title: 'Select the next row', scope: 'list', keys: ['down', 'j'], run: (a) => a.move(1) },
  { id: 'list.page-up', title: 'Page up', scope: 'list', keys: ['pageup'], run: (a) => a.move('page-up') },
  { id: 'list.page-down', title: 'Page down', scope: 'list', keys: ['pagedown'], run: (a) => a.move('page-down') },
  { id: 'list.top', title: 'First row', scope: 'list', keys: ['home'], run: (a) => a.move('top') },
  { id: 'list.bottom', title: 'Last row', scope: 'list', keys: ['end', 'G'], run: (a) => a.move('bottom') },
  { id: 'list.mark', title: 'Mark or unmark for bulk actions', scope: 'list', keys: ['space'], run: (a) => a.toggleMark() },
  { id: 'list.mark-all', title: 'Mark all shown / unmark all', scope: 'list', keys: ['M'], run: (a) => a.markAll() },
  { id: 'container.start', title: 'Start', scope: 'list', keys: ['s'], available: hasTarget, run: (a) => a.lifecycle('start', a.store.targets()) },
  { id: 'container.stop', title: 'Stop (clean shutdown, then kill)', scope: 'list', dangerous: true, question: askAbout('stop', 'Stop (clean shutdown, then kill)'), keys: ['x'], available: hasTarget, run: (a) => a.lifecycle('stop', a.store.targets()) },
  { id: 'container.restart', title: 'Restart', scope: 'list', dangerous: true, question: askAbout('restart', 'Restart'), keys: ['r'], available: hasTarget, run: (a) => a.lifecycle('restart', a.store.targets()) },
  { id: 'container.kill', title: 'Kill at once', scope: 'list', dangerous: true, question: askAbout('kill', 'Kill at once'), keys: ['K'], available: hasTarget, run: (a) => a.lifecycle('kill', a.store.targets()) },
  { id: 'container.freeze-toggle', title: 'Freeze or thaw', scope: 'list', keys: ['f'], available: hasTarget, run: (a) => a.lifecycle('freeze-toggle', a.store.targets()) },
  { id: 'container.create', title: 'Create a container (wizard: source, memory limit, start)', scope: 'list', keys: ['n'], run: (a) => a.openCreateWizard() },
  { id: 'container.limits', title: 'Resource limits: memory, pids, CPU (live and kept in the config)', scope: 'list', keys: ['l'], available: (a) => a.store.targets()[0]?.id.kind === 'container', run: (a) => { const t = a.store.targets()[0]; if (t) a.openLimits(t); } },
  { id: 'container.clone', title: 'Clone: a copy or an overlay snapshot clone (as lxcdeck clone)', scope: 'list', keys: ['O'], available: (a) => a.store.targets()[0]?.id.kind === 'container', run: (a) => { const t = a.store.targets()[0]; if (t) a.openClone(t); } },
  { id: 'container.processes', title: "Processes of the selected container, as a tree (its cgroup.procs)", scope: 'list', keys: ['p'], available: hasTarget, run: (a) => a.openProcesses() },
  { id: 'container.create-demo', title: 'Create a demo busybox container', scope: 'list', keys: ['c'], run: (a) => a.createDemo() },
  { id: 'container.console-buffer', title: 'Enable the console ring buffer (from the next start)', scope: 'list', keys: ['B'], available: hasTarget, run: (a) => a.enableConsoleBuffer(a.store.targets()) },
  { id: 'idmap.edit', title: 'uid/gid map editor of a stopped container: presets, live checks, the subuid space, applied as a plan', scope: 'list', keys: ['U'], available: (a) => a.store.targets()[0]?.id.kind === 'container', run: (a) => { const t = a.store.targets()[0]; if (t) a.openIdmapEditor(t); } },
  { id: 'container.edit-config', title: 'Edit the config in $VISUAL/$EDITOR (liblxc checks every line)', scope: 'list', keys: ['E'], available: (a) => a.store.targets()[0]?.id.kind === 'container', run: (a) => { const t = a.store.targets()[0]; if (t) a.editConfig(t); } },
  { id: 'net.wizard', title: 'New network (NAT, bridge, macvlan): wizard with the plan preview', scope: 'list', keys: ['N'], run: (a) => a.netWizard() },
  { id: 'net.view', title: 'Networks: state, members, forwards, DHCP leases', scope: 'global', keys: ['w'], run: (a) => a.networksView() },
  { id: 'rules.edit', title: 'Freeze rules: list, add, delete (thermal guard)', scope: 'global', keys: ['R'], run: (a) => a.openRules() },
  { id: 'workspace.store', title: 'Store the workspace (panes, layout, list view) under a mark: m then a letter a–z', scope: 'global', keys: ['m', 'C-b m'], run: (a) => a.markKey('store') },
  { id: 'workspace.jump', title: "Restore the workspace of a mark: ' then its letter ('' goes back)", scope: 'global', keys: ["'", "C-b '"], run: (a) => a.markKey('jump') },
  { id: 'workspace.marks', title: 'Marks: list, preview, rename, tag, delete, jump', scope: 'global', keys: ['W', 'C-b w'], run: (a) => a.openMarks() },
  // panes: in a pane every key goes to its program except the prefix, tmux-style
  { id: 'pane.prefix', title: 'Pane prefix: the next key is for lxcdeck (twice: send it to the pane)', scope: 'pane', keys: ['C-b'], run: () => undefined },
  { id: 'pane.attach', title: "Attach a shell to the selected container (a job: follow its output) in a new pane", scope: 'pane', keys: ['a', 'C-b a'], available: hasTarget, run: (a) => a.openPane('shell') },
  { id: 'pane.console', title: 'Open the console of the selected container in a new pane (again: its next tty)', scope: 'pane', keys: ['C', 'C-b C'], available: hasTarget, run: (a) => a.openPane('console') },
  { id: 'pane.split-right', title: 'Split right: another shell on the same container', scope: 'pane', keys: ['C-b %', 'C-b |'], run: (a) => a.splitPane('right') },
  { id: 'pane.split-down', title: 'Split down: another shell on the same container', scope: 'pane', keys: ['C-b "', 'C-b -'], run: (a) => a.splitPane('down') },
  { id: 'pane.focus-next', title: 'Focus the next pane (the list is one of them)', scope: 'pane', keys: ['tab', 'C-b o'], run: (a) => a.focusPane(1) },
  { id: 'pane.focus-prev', title: 'Focus the previous pane', scope: 'pane', keys: ['S-tab', 'C-b ;'], run: (a) => a.focusPane(-1) },
  { id: 'pane.focus-left', title: 'Focus the pane to the left', scope: 'pane', keys: ['C-b left'], run: (a) => a.focusPane('left') },
  { id: 'pane.focus-right', title: 'Focus the pane to the right', scope: 'pane', keys: ['C-b right'], run: (a) => a.focusPane('right') },
  { id: 'pane.focus-up', title: 'Focus the pane above', scope: 'pane', keys: ['C-b up'], run: (a) => a.focusPane('up') },
  { id: 'pane.focus-down', title: 'Focus the pane below', scope: 'pane', keys: ['C-b down'], run: (a) => a.focusPane('down') },
  { id: 'pane.numbers', title: 'Show pane numbers (a digit then focuses that pane), like tmux', scope: 'pane', keys: ['C-b q'], run: (a) => a.showPaneNumbers() },
  { id: 'pane.zoom', title: 'Zoom the pane to the whole screen and back', scope: 'pane', keys: ['C-b z'], available: hasPanes, run: (a) => a.zoomPane() },
  { id: 'pane.close', title: 'Close the pane (ends its shell, not the container)', scope: 'pane', keys: ['C-b x'], available: hasPanes, run: (a) => a.closePane() },
  { id: 'pane.scroll-mode', title: 'Scroll mode: scrollback, / search, v select, y copy', scope: 'pane', keys: ['C-b [', 'C-b pageup'], available: hasPanes, run: (a) => a.scrollMode() },
  { id: 'pane.resize-left', title: 'Move the pane edge left', scope: 'pane', keys: ['C-b H', 'C-b S-left'], available: hasPanes, run: (a) => a.resizePane('left') },
  { id: 'pane.resize-right', title: 'Move the pane edge right', scope: 'pane', keys: ['C-b L', 'C-b S-right'], available: hasPanes, run: (a) => a.resizePane('right') },
  { id: 'pane.resize-up', title: 'Move the pane edge up', scope: 'pane', keys: ['C-b K', 'C-b S-up'], available: hasPanes, run: (a) => a.resizePane('up') },
  { id: 'pane.resize-down', title: 'Move the pane edge down', scope: 'pane', keys: ['C-b J', 'C-b S-down'], available: hasPanes, run: (a) => a.resizePane('down') },
];

export function defaultRegistry(): CommandRegistry<AppActions> {
  const r = new CommandRegistry<AppActions>();
  for (const c of COMMANDS) r.register(c);
  return r;
}
