import type { AppStore, LogEntry } from './store.js';

/** The event log with the keys: how far up it is scrolled, and a search in it. */
export interface LogView {
  /** Entries hidden below the view (0: the newest is the last line shown). */
  offset: number;
  search: string;
  /** Typing the search. */
  editing: boolean;
  /** Index in the log of the entry the search found, if any. */
  match: number | null;
}

export function focusLog(store: AppStore): void {
  store.logView = { offset: 0, search: '', editing: false, match: null };
  store.notify();
}

/** The entries shown in `rows` lines, oldest first, with the index of the first. */
export function visibleLog(log: readonly LogEntry[], view: LogView | null, rows: number): { from: number; entries: readonly LogEntry[] } {
  const end = Math.max(0, log.length - (view?.offset ?? 0));
  const from = Math.max(0, end - rows);
  return { from, entries: log.slice(from, end) };
}

/** The newest entry before `before` (exclusive) whose text has `text` (case-insensitive), searching towards older ones; or newer with `older` false. */
export function findInLog(log: readonly LogEntry[], text: string, before: number, older = true): number | null {
  const q = text.toLowerCase();
  if (!q) return null;
  if (older) {
    for (let i = Math.min(before, log.length) - 1; i >= 0; i--) if (log[i]?.text.toLowerCase().includes(q)) return i;
  } else for (let i = before + 1; i < log.length; i++) if (log[i]?.text.toLowerCase().includes(q)) return i;
  return null;
}

/** A key for the focused log: log.* and search.* commands, or a character of the search. */
export function logKey(store: AppStore, command: string | undefined, typed: string | null, page: number): void {
  const v = store.logView;
  if (!v) return;
  const max = Math.max(0, store.log.length - 1);
  const scrollTo = (offset: number) => (v.offset = Math.max(0, Math.min(max, offset)));
  const show = (i: number | null) => {
    if (i === null) return store.status.show('info', `not found in the event log: ${v.search}`);
    v.match = i;
    // the match on the last line shown (or higher, at the top of the log)
    scrollTo(store.log.length - 1 - i);
  };
  if (v.editing) {
    if (command === 'search.find') {
      v.editing = false;
      show(findInLog(store.log, v.search, v.match ?? store.log.length));
    } else if (command === 'search.cancel') v.editing = false;
    else if (command === 'search.delete-char') v.search = v.search.slice(0, -1);
    else if (typed) v.search += typed;
    return store.notify();
  }
  switch (command) {
    case 'log.up':
      scrollTo(v.offset + 1);
      break;
    case 'log.down':
      scrollTo(v.offset - 1);
      break;
    case 'log.page-up':
      scrollTo(v.offset + page);
      break;
    case 'log.page-down':
      scrollTo(v.offset - page);
      break;
    case 'log.top':
      scrollTo(max);
      break;
    case 'log.bottom':
      scrollTo(0);
      break;
    case 'log.search':
      Object.assign(v, { search: '', editing: true, match: null });
      break;
    case 'log.next-match':
      show(findInLog(store.log, v.search, v.match ?? store.log.length, true));
      break;
    case 'log.prev-match':
      show(findInLog(store.log, v.search, v.match ?? -1, false));
      break;
    case 'log.leave':
      store.logView = null;
      break;
  }
  store.notify();
}
