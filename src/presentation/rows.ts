import type { ContainerState } from '../core/state.js';
import { workloadLabel, type Workload } from '../core/workload.js';
import { matchesTag, type MarkTag } from '../core/workspace.js';
import type { SortColumn } from '../state/store.js';
import { compareNames } from '../host/collation.js';
import { formatBytes, sanitize } from './format.js';

/** What each row of the container list shows, as plain cells; the view adds colour. */
export interface LiveFacts {
  cpuPercent: number | null;
  cpuHistory: number[];
  pids: number | null;
}

export type ListItem = { kind: 'group'; label: string; count: number } | { kind: 'row'; workload: Workload };

export const STATE_GLYPH: Record<ContainerState, string> = {
  RUNNING: '●',
  STOPPED: '○',
  FROZEN: '◇',
  FREEZING: '◐',
  THAWED: '●',
  STARTING: '◐',
  STOPPING: '◐',
  ABORTING: '◐',
};

export type StateStyle = 'running' | 'stopped' | 'frozen' | 'transition';

export function stateStyle(s: ContainerState): StateStyle {
  if (s === 'RUNNING' || s === 'THAWED') return 'running';
  if (s === 'STOPPED') return 'stopped';
  if (s === 'FROZEN') return 'frozen';
  return 'transition';
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** A sparkline of the last `width` values, scaled to at least `floor` (100 % for CPU). */
export function sparkline(values: readonly number[], width: number, floor = 100): string {
  const tail = values.slice(-width);
  let max = floor;
  for (const v of tail) if (v > max) max = v; // NaN (an unknown tick) never wins
  const line = tail.map((v) => (Number.isFinite(v) ? (SPARKS[Math.min(SPARKS.length - 1, Math.max(0, Math.round((v / max) * (SPARKS.length - 1))))] ?? ' ') : ' ')).join('');
  return line.padStart(width, ' ');
}

/** Case-insensitive substring match on name, state, address and groups. */
export function matchesFilter(c: Workload, filter: string): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  return [workloadLabel(c.id), c.state, ...c.ipv4, ...c.groups].some((x) => x.toLowerCase().includes(f));
}

/** Live facts are looked up by workload key. */
function sortKey(c: Workload, col: SortColumn, live: (key: string) => LiveFacts | undefined): string | number {
  switch (col) {
    case 'name':
      return workloadLabel(c.id);
    case 'state':
      return c.state;
    case 'pid':
      return c.pid ?? -1;
    case 'ipv4':
      return c.ipv4[0] ?? '';
    case 'cpu': {
      // as shown (one decimal): rows that look equal keep their order by name, tick after tick
      const v = live(c.key)?.cpuPercent;
      return v == null ? -1 : Math.round(v * 10) / 10;
    }
    case 'memory':
      return c.memoryBytes ?? -1;
    case 'pids':
      return live(c.key)?.pids ?? -1;
    case 'groups':
      return c.groups.join(',');
  }
}

/** Filtered, sorted (name breaks ties) and optionally grouped by lxc.group. */
export function listItems(
  workloads: readonly Workload[],
  opts: { filter: string; sort: { column: SortColumn; reverse: boolean }; groupByGroup: boolean; tag?: MarkTag | null },
  live: (key: string) => LiveFacts | undefined,
): ListItem[] {
  const dir = opts.sort.reverse ? -1 : 1;
  const rows = workloads
    .filter((c) => matchesFilter(c, opts.filter) && (!opts.tag || (c.id.kind === 'container' && matchesTag({ name: c.id.name, groups: c.groups }, opts.tag))))
    .sort((a, b) => {
      const ka = sortKey(a, opts.sort.column, live);
      const kb = sortKey(b, opts.sort.column, live);
      const cmp = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : compareNames(String(ka), String(kb));
      return cmp !== 0 ? cmp * dir : compareNames(workloadLabel(a.id), workloadLabel(b.id));
    });
  if (!opts.groupByGroup) return rows.map((workload) => ({ kind: 'row', workload }));
  const groups = new Map<string, Workload[]>();
  for (const c of rows) {
    const g = c.groups[0] ?? '(no group)';
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  return [...groups]
    .sort(([a], [b]) => (a === '(no group)' ? 1 : b === '(no group)' ? -1 : compareNames(a, b)))
    .flatMap(([label, cs]): ListItem[] => [{ kind: 'group', label, count: cs.length }, ...cs.map((workload): ListItem => ({ kind: 'row', workload }))]);
}

export interface Column {
  id: string;
  title: string;
  width: number;
  /** Dropped first when the terminal is narrow (higher = sooner). */
  dropOrder: number;
  align?: 'right';
}

export const COLUMNS: Column[] = [
  { id: 'name', title: 'NAME', width: 18, dropOrder: 0 },
  // only while several lxcpaths are listed (fitColumns)
  { id: 'lxcpath', title: 'LXCPATH', width: 16, dropOrder: 1 },
  { id: 'state', title: 'STATE', width: 10, dropOrder: 0 },
  { id: 'pid', title: 'PID', width: 7, dropOrder: 4, align: 'right' },
  { id: 'ipv4', title: 'IPV4', width: 15, dropOrder: 3 },
  { id: 'cpu', title: 'CPU%', width: 6, dropOrder: 0, align: 'right' },
  { id: 'spark', title: 'LAST MINUTE', width: 12, dropOrder: 2 },
  { id: 'memory', title: 'MEM', width: 9, dropOrder: 0, align: 'right' },
  { id: 'pids', title: 'PIDS', width: 5, dropOrder: 5, align: 'right' },
  { id: 'unpriv', title: 'UNPRIV', width: 6, dropOrder: 6 },
  { id: 'autostart', title: 'AUTO', width: 4, dropOrder: 7 },
  { id: 'groups', title: 'GROUPS', width: 12, dropOrder: 1 },
];

/**
 * The columns that fit in `width` cells (one space between columns, 2 for the mark); GROUPS only when a
 * row has a group, LXCPATH only when a row is outside the first lxcpath.
 */
export function fitColumns(width: number, anyGroups = true, severalLxcpaths = false): Column[] {
  let cols = COLUMNS.filter((c) => (anyGroups || c.id !== 'groups') && (severalLxcpaths || c.id !== 'lxcpath'));
  const need = (cs: Column[]) => 2 + cs.reduce((n, c) => n + c.width + 1, 0);
  while (need(cols) > width) {
    const worst = cols.reduce((a, b) => (b.dropOrder > a.dropOrder ? b : a));
    if (worst.dropOrder === 0) break;
    cols = cols.filter((c) => c !== worst);
  }
  return cols;
}

export function cellText(col: Column, c: Workload, live: LiveFacts | undefined): string {
  switch (col.id) {
    case 'name':
      return sanitize(workloadLabel(c.id));
    case 'state':
      return `${STATE_GLYPH[c.state]} ${c.state}`;
    case 'pid':
      return c.pid === null ? '-' : String(c.pid);
    case 'ipv4':
      return c.ipv4[0] ?? '-';
    case 'cpu':
      return live?.cpuPercent == null ? '-' : live.cpuPercent.toFixed(1);
    case 'spark':
      return live && c.pid !== null ? sparkline(live.cpuHistory, col.width) : '';
    case 'memory':
      return formatBytes(c.memoryBytes);
    case 'pids':
      return live?.pids == null ? '-' : String(live.pids);
    case 'unpriv':
      return c.unprivileged ? 'yes' : 'no';
    case 'autostart':
      return c.autostart ? 'yes' : 'no';
    case 'groups':
      return c.groups.map(sanitize).join(',') || '-';
    case 'lxcpath': {
      // the end of a path tells paths apart: cut from the left
      const p = sanitize(c.lxcpath ?? '-');
      return p.length > col.width ? `…${p.slice(p.length - col.width + 1)}` : p;
    }
    default:
      return '';
  }
}

const ASCII = /^[\x20-\x7e]*$/;

/** Pads or cuts to exactly `width` cells (ASCII/narrow text). */
export function fit(text: string, width: number, align?: 'right'): string {
  if (ASCII.test(text)) {
    // one cell per UTF-16 unit: no code point array (a list frame fits every cell)
    if (text.length > width) return width > 1 ? `${text.slice(0, width - 1)}…` : text.slice(0, width);
    return align === 'right' ? text.padStart(width) : text.padEnd(width);
  }
  const chars = [...text];
  if (chars.length > width) return width > 1 ? `${chars.slice(0, width - 1).join('')}…` : chars.slice(0, width).join('');
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}
