import type { AppStore } from '../state/store.js';
import { CommandRegistry, type CommandSpec } from './registry.js';

/** What command handlers may do; the UI implements it (commands know no widgets). */
export interface AppActions {
  readonly store: AppStore;
  quit(): void;
  suspend(): void;
  redraw(): void;
  refresh(): void;
  lifecycle(op: LifecycleOp, names: string[]): void;
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
}

export type LifecycleOp = 'start' | 'stop' | 'restart' | 'kill' | 'freeze-toggle';

type Spec = CommandSpec<AppActions>;

const hasTarget = (a: AppActions) => a.store.targets().length > 0;

/** Every command of the TUI with its default keys (htop/k9s/lazydocker habits). */
export const COMMANDS: Spec[] = [
  { id: 'app.help', title: 'Help: every key', scope: 'global', keys: ['?', 'f1'], run: (a) => a.openHelp() },
  { id: 'app.palette', title: 'Command palette', scope: 'global', keys: [':', 'C-p'], run: (a) => a.openPalette() },
  { id: 'app.quit', title: 'Quit (containers keep running)', scope: 'global', keys: ['q', 'f10', 'C-c'], run: (a) => a.quit() },
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
  { id: 'list.up', title: 'Select the previous row', scope: 'list', keys: ['up', 'k'], run: (a) => a.move(-1) },
  { id: 'list.down', title: 'Select the next row', scope: 'list', keys: ['down', 'j'], run: (a) => a.move(1) },
  { id: 'list.page-up', title: 'Page up', scope: 'list', keys: ['pageup'], run: (a) => a.move('page-up') },
  { id: 'list.page-down', title: 'Page down', scope: 'list', keys: ['pagedown'], run: (a) => a.move('page-down') },
  { id: 'list.top', title: 'First row', scope: 'list', keys: ['home'], run: (a) => a.move('top') },
  { id: 'list.bottom', title: 'Last row', scope: 'list', keys: ['end', 'G'], run: (a) => a.move('bottom') },
  { id: 'list.mark', title: 'Mark or unmark for bulk actions', scope: 'list', keys: ['space'], run: (a) => a.toggleMark() },
  { id: 'list.mark-all', title: 'Mark all shown / unmark all', scope: 'list', keys: ['M'], run: (a) => a.markAll() },
  { id: 'container.start', title: 'Start', scope: 'list', keys: ['s'], available: hasTarget, run: (a) => a.lifecycle('start', a.store.targets()) },
  { id: 'container.stop', title: 'Stop (clean shutdown, then kill)', scope: 'list', dangerous: true, keys: ['x'], available: hasTarget, run: (a) => a.lifecycle('stop', a.store.targets()) },
  { id: 'container.restart', title: 'Restart', scope: 'list', dangerous: true, keys: ['r'], available: hasTarget, run: (a) => a.lifecycle('restart', a.store.targets()) },
  { id: 'container.kill', title: 'Kill at once', scope: 'list', dangerous: true, keys: ['K'], available: hasTarget, run: (a) => a.lifecycle('kill', a.store.targets()) },
  { id: 'container.freeze-toggle', title: 'Freeze or thaw', scope: 'list', keys: ['f'], available: hasTarget, run: (a) => a.lifecycle('freeze-toggle', a.store.targets()) },
  { id: 'container.create-demo', title: 'Create a demo busybox container', scope: 'list', keys: ['c'], run: (a) => a.createDemo() },
];

export function defaultRegistry(): CommandRegistry<AppActions> {
  const r = new CommandRegistry<AppActions>();
  for (const c of COMMANDS) r.register(c);
  return r;
}
