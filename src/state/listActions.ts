import { SORT_COLUMNS, type AppStore } from './store.js';

/**
 * What list keys do to the store: selection, marks, sort, grouping, filter.
 * `shown` is the list's rows in display order (workload keys), `page` its height.
 */
export type MoveTo = number | 'top' | 'bottom' | 'page-up' | 'page-down';

export function moveSelection(store: AppStore, shown: readonly string[], to: MoveTo, page: number): void {
  if (!shown.length) return;
  const cur = Math.max(0, shown.indexOf(store.selected ?? ''));
  const next = to === 'top' ? 0 : to === 'bottom' ? shown.length - 1 : to === 'page-up' ? cur - page : to === 'page-down' ? cur + page : cur + to;
  store.selected = shown[Math.max(0, Math.min(shown.length - 1, next))] ?? null;
  store.notify();
}

/** Marks or unmarks the selected row, then moves down (like htop's space). */
export function toggleMark(store: AppStore, shown: readonly string[], page: number): void {
  const key = store.selected;
  if (!key) return;
  if (store.marked.has(key)) store.marked.delete(key);
  else store.marked.add(key);
  moveSelection(store, shown, 1, page);
}

export function markAll(store: AppStore, shown: readonly string[]): void {
  if (store.marked.size) store.marked.clear();
  else for (const k of shown) store.marked.add(k);
  store.notify();
}

/** Columns whose biggest values matter most: they sort descending first (htop, k9s). */
const DESCENDING_FIRST: ReadonlySet<string> = new Set(['cpu', 'memory', 'pids']);

export function sortBy(store: AppStore, step: 1 | -1): void {
  const i = SORT_COLUMNS.indexOf(store.sort.column);
  const column = SORT_COLUMNS[(i + step + SORT_COLUMNS.length) % SORT_COLUMNS.length] ?? 'name';
  store.sort = { column, reverse: DESCENDING_FIRST.has(column) };
  store.notify();
}

export function invertSort(store: AppStore): void {
  store.sort = { ...store.sort, reverse: !store.sort.reverse };
  store.notify();
}

export function toggleGroup(store: AppStore): void {
  store.groupByGroup = !store.groupByGroup;
  store.notify();
}

/** Opens the filter line on the current filter, to edit it (Ctrl-U erases it, Esc clears it). */
export function startFilter(store: AppStore): void {
  store.filterEditing = true;
  store.notify();
}

/** Clears the typed filter and a tagged view's container filter. */
export function clearFilter(store: AppStore): void {
  store.filter = '';
  store.tag = null;
  store.notify();
}

/** A key typed while the filter line is open: filter.* commands, or a character. */
export function filterKey(store: AppStore, command: string | undefined, typed: string | null): void {
  if (command === 'filter.clear') {
    store.filter = '';
    store.filterEditing = false;
  } else if (command === 'filter.keep') store.filterEditing = false;
  else if (command === 'filter.delete-char') store.filter = store.filter.slice(0, -1);
  else if (command === 'filter.erase') store.filter = '';
  else if (typed) store.filter += typed;
  store.notify();
}
