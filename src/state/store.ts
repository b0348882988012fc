import { systemClock, type Clock } from '../base/clock.js';
import { Emitter } from '../base/event.js';
import type { ContainerState } from '../core/state.js';
import type { MarkTag } from '../core/workspace.js';
import { containerRef, workloadTitle, type Workload } from '../core/workload.js';
import type { LogView } from './logView.js';
import { StatusMessages } from './statusMessage.js';

/** Columns the container list can sort by. */
export const SORT_COLUMNS = ['name', 'state', 'pid', 'ipv4', 'cpu', 'memory', 'pids', 'groups'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  at: Date;
  level: LogLevel;
  text: string;
}

/** Which overlay is open (the overlay host owns the widget). */
export type Overlay = { kind: 'help' } | { kind: 'palette' } | { kind: 'rules' } | { kind: 'marks' } | { kind: 'pane-numbers' } | { kind: 'processes' } | { kind: 'confirm'; question: string } | { kind: 'plan'; title: string } | null;

/**
 * The app's data: what is listed, selected, marked, filtered and shown. It
 * holds no widgets and runs no commands; views render from it and commands
 * change it.
 */
export class AppStore {
  /** Containers and jobs, as listed by the last refresh. */
  workloads: Workload[] = [];
  /** The selected row's workload key. */
  selected: string | null = null;
  /** Workload keys marked for bulk actions. */
  readonly marked = new Set<string>();
  filter = '';
  filterEditing = false;
  sort: { column: SortColumn; reverse: boolean } = { column: 'name', reverse: false };
  groupByGroup = false;
  /** A tagged view's container filter (from a mark): narrows the list. */
  tag: MarkTag | null = null;
  /** The workspace mark restored or stored last (the header shows it). */
  activeMark: string | null = null;
  view: 'list' | 'detail' = 'list';
  chartSpanSeconds = 60;
  overlay: Overlay = null;
  themeName = 'dark';
  /** The status line's message, with its lifetime. */
  readonly status: StatusMessages;
  readonly log: LogEntry[] = [];
  /** The event log has the keys (scrolled, searched), or null. */
  logView: LogView | null = null;
  /** Last seen state per workload key, to log changes made outside lxcdeck. */
  private readonly lastStates = new Map<string, ContainerState>();

  constructor(clock: Clock = systemClock) {
    this.status = new StatusMessages(clock);
  }

  private readonly changed = new Emitter<void>();
  readonly onChange = this.changed.event;

  notify(): void {
    this.changed.fire();
  }

  private listed = false;

  setWorkloads(rows: Workload[]): void {
    const keys = new Set(rows.map((r) => r.key));
    // 'web in /srv/lxc' outside the first lxcpath: a namesake's change is another container's
    const labels = new Map(this.workloads.map((r) => [r.key, workloadTitle(r.id)]));
    for (const r of rows) {
      const before = this.lastStates.get(r.key);
      const label = workloadTitle(r.id);
      if (before === undefined && this.listed) this.addLog('info', `${label} appeared (${r.state})`, false);
      else if (before !== undefined && before !== r.state) this.addLog('info', `${label}: ${before} → ${r.state}`, false);
      this.lastStates.set(r.key, r.state);
    }
    for (const key of [...this.lastStates.keys()])
      if (!keys.has(key)) {
        this.lastStates.delete(key);
        this.marked.delete(key);
        this.addLog('info', `${labels.get(key) ?? key} was destroyed`, false);
      }
    this.listed = true;
    this.workloads = rows;
    if (this.selected === null || !keys.has(this.selected)) this.selected = rows[0]?.key ?? null;
    this.notify();
  }

  /** Logs a line; it is also the status line's message unless `show` is false (changes seen on a refresh). */
  addLog(level: LogLevel, text: string, show = true): void {
    this.log.push({ at: new Date(), level, text });
    // a focused log scrolled up (or on a match) stays on its lines as new ones come in
    const view = this.logView;
    if (view && (view.offset > 0 || view.match !== null)) view.offset++;
    if (this.log.length > 500) {
      const cut = this.log.length - 500;
      this.log.splice(0, cut);
      if (view?.match != null) view.match = view.match >= cut ? view.match - cut : null;
    }
    if (show) this.status.show(level, text);
    this.notify();
  }

  /** What a bulk action applies to: the marked rows, else the selected one. */
  targets(): Workload[] {
    if (this.marked.size) return this.workloads.filter((w) => this.marked.has(w.key));
    const w = this.selectedWorkload();
    return w ? [w] : [];
  }

  selectedWorkload(): Workload | undefined {
    return this.workloads.find((w) => w.key === this.selected);
  }

  /** The selected row when it is a container. */
  selectedContainer(): Workload | undefined {
    const w = this.selectedWorkload();
    return w?.id.kind === 'container' ? w : undefined;
  }

  workload(key: string): Workload | undefined {
    return this.workloads.find((w) => w.key === key);
  }

  /** A container's row by its reference (its name in the first lxcpath, see core/workload.ts). */
  container(ref: string): Workload | undefined {
    return this.workloads.find((w) => w.id.kind === 'container' && containerRef(w.id) === ref);
  }
}
