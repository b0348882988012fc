import { Emitter } from '../base/event.js';
import type { ContainerSummary } from '../core/container.js';
import type { ContainerState } from '../core/state.js';

/** Columns the container list can sort by. */
export const SORT_COLUMNS = ['name', 'state', 'pid', 'ipv4', 'cpu', 'memory', 'pids', 'groups'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  at: Date;
  level: LogLevel;
  text: string;
}

export type Overlay = { kind: 'help' } | { kind: 'palette' } | { kind: 'rules' } | { kind: 'confirm'; question: string; onYes: () => void } | null;

/**
 * The app's data: what is listed, selected, marked, filtered and shown. It
 * holds no widgets and runs no commands; views render from it and commands
 * change it.
 */
export class AppStore {
  containers: ContainerSummary[] = [];
  selected: string | null = null;
  readonly marked = new Set<string>();
  filter = '';
  filterEditing = false;
  sort: { column: SortColumn; reverse: boolean } = { column: 'name', reverse: false };
  groupByGroup = false;
  view: 'list' | 'detail' = 'list';
  chartSpanSeconds = 60;
  overlay: Overlay = null;
  themeName = 'dark';
  status = '';
  readonly log: LogEntry[] = [];
  /** Last seen state per container, to log changes made outside lxcdeck. */
  private readonly lastStates = new Map<string, ContainerState>();

  private readonly changed = new Emitter<void>();
  readonly onChange = this.changed.event;

  notify(): void {
    this.changed.fire();
  }

  private listed = false;

  setContainers(rows: ContainerSummary[]): void {
    const names = new Set(rows.map((r) => r.name));
    for (const r of rows) {
      const before = this.lastStates.get(r.name);
      if (before === undefined && this.listed) this.addLog('info', `${r.name} appeared (${r.state})`);
      else if (before !== undefined && before !== r.state) this.addLog('info', `${r.name}: ${before} → ${r.state}`);
      this.lastStates.set(r.name, r.state);
    }
    for (const name of [...this.lastStates.keys()])
      if (!names.has(name)) {
        this.lastStates.delete(name);
        this.marked.delete(name);
        this.addLog('info', `${name} was destroyed`);
      }
    this.listed = true;
    this.containers = rows;
    if (this.selected === null || !names.has(this.selected)) this.selected = rows[0]?.name ?? null;
    this.notify();
  }

  addLog(level: LogLevel, text: string): void {
    this.log.push({ at: new Date(), level, text });
    if (this.log.length > 500) this.log.splice(0, this.log.length - 500);
    if (level !== 'info') this.status = text;
    this.notify();
  }

  /** The containers a bulk action applies to: the marked ones, else the selected one. */
  targets(): string[] {
    if (this.marked.size) return this.containers.filter((c) => this.marked.has(c.name)).map((c) => c.name);
    return this.selected ? [this.selected] : [];
  }

  selectedContainer(): ContainerSummary | undefined {
    return this.containers.find((c) => c.name === this.selected);
  }
}
