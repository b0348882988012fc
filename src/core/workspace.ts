/**
 * A workspace as stored under a mark (vi-like: `m a` stores, `' a` restores):
 * the pane layout tree with its split proportions, what each pane shows,
 * focus and zoom, the list view's filter, sort, grouping and selection, and
 * optionally a tag (a container filter that narrows the list). Plain JSON,
 * validated here before any use: a corrupt mark is one line, never a crash.
 */

/** A layout tree in JSON: 'main' is the list/detail view, a number indexes `panes`. */
export type LayoutJson = 'main' | number | { dir: 'row' | 'column'; ratio: number; a: LayoutJson; b: LayoutJson };

export type WorkspacePaneKind = 'shell' | 'console' | 'log';

export interface WorkspacePane {
  kind: WorkspacePaneKind;
  container: string;
  /** Console: the tty (0: the console). */
  tty?: number;
  /** Shell: the command instead of the default shell. */
  command?: string[];
  /** Log: the file followed. */
  file?: string;
}

export interface ListViewState {
  filter: string;
  sort: { column: string; reverse: boolean };
  group: boolean;
  /** The selected row's workload key ('container:web'). */
  selected: string | null;
}

/** A tagged view: restoring the mark narrows the list to these containers. */
export interface MarkTag {
  names?: string[];
  /** Shell-style: `web-*`, `db?`. */
  glob?: string;
  /** An lxc.group. */
  group?: string;
}

export interface Workspace {
  layout: LayoutJson;
  panes: WorkspacePane[];
  /** The focused leaf. */
  focus: 'main' | number;
  zoomed: boolean;
  list: ListViewState;
  tag?: MarkTag;
  /** ISO time of the store, for the marks overlay. */
  savedAt?: string;
  /** The containers' directory it was taken in (the last workspace: reopened only there). */
  lxcpath?: string;
}

/** Lowercase letters are the user's marks. */
export function isMarkLetter(s: unknown): s is string {
  return typeof s === 'string' && /^[a-z]$/.test(s);
}

export function markLetterError(s: string): string {
  return `${JSON.stringify(s)} is not a mark: use a lowercase letter a–z`;
}

const MAX_DEPTH = 32;
const MAX_PANES = 64;
const PLAIN = /^[^\x00-\x1f\x7f]+$/;

type Check<T> = { ok: true; value: T } | { ok: false; error: string };
const bad = (error: string): { ok: false; error: string } => ({ ok: false, error });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '' && PLAIN.test(v);

/** Checks a stored workspace; the error says what is wrong in one line. */
export function parseWorkspace(raw: unknown): Check<Workspace> {
  if (!isObject(raw)) return bad('is not an object');
  if (!Array.isArray(raw.panes) || raw.panes.length > MAX_PANES) return bad(`panes is not a list of at most ${MAX_PANES}`);
  const panes: WorkspacePane[] = [];
  for (const [i, p] of raw.panes.entries()) {
    const r = parsePane(p);
    if (!r.ok) return bad(`pane ${i} ${r.error}`);
    panes.push(r.value);
  }
  const seen = new Set<LayoutJson>();
  const layout = checkLayout(raw.layout, panes.length, seen, 0);
  if (layout) return bad(`layout ${layout}`);
  if (!seen.has('main')) return bad('layout has no main view');
  if (seen.size !== panes.length + 1) return bad('layout does not place every pane');
  const focus = raw.focus;
  if (focus !== 'main' && !(typeof focus === 'number' && seen.has(focus))) return bad('focus is not main or a pane of the layout');
  if (typeof raw.zoomed !== 'boolean') return bad('zoomed is not true or false');
  const list = parseList(raw.list);
  if (!list.ok) return bad(`list ${list.error}`);
  const out: Workspace = { layout: raw.layout as LayoutJson, panes, focus, zoomed: raw.zoomed, list: list.value };
  if (raw.tag !== undefined) {
    const tag = parseTag(raw.tag);
    if (!tag.ok) return bad(`tag ${tag.error}`);
    out.tag = tag.value;
  }
  if (typeof raw.savedAt === 'string') out.savedAt = raw.savedAt;
  if (typeof raw.lxcpath === 'string') out.lxcpath = raw.lxcpath;
  return { ok: true, value: out };
}

function parsePane(p: unknown): Check<WorkspacePane> {
  if (!isObject(p)) return bad('is not an object');
  if (p.kind !== 'shell' && p.kind !== 'console' && p.kind !== 'log') return bad(`kind ${JSON.stringify(p.kind)} is not shell, console or log`);
  if (!isText(p.container)) return bad('has no container name');
  const out: WorkspacePane = { kind: p.kind, container: p.container };
  if (p.tty !== undefined) {
    if (!Number.isInteger(p.tty) || (p.tty as number) < 0 || (p.tty as number) > 63) return bad('tty is not a number 0–63');
    out.tty = p.tty as number;
  }
  if (p.command !== undefined) {
    if (!Array.isArray(p.command) || !p.command.every(isText)) return bad('command is not a list of words');
    out.command = [...(p.command as string[])];
  }
  if (p.file !== undefined) {
    if (!isText(p.file)) return bad('file is not a path');
    out.file = p.file;
  }
  return { ok: true, value: out };
}

function checkLayout(n: unknown, count: number, seen: Set<LayoutJson>, depth: number): string | null {
  if (depth > MAX_DEPTH) return `is nested deeper than ${MAX_DEPTH}`;
  if (n === 'main' || (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < count)) {
    if (seen.has(n)) return `places ${n === 'main' ? 'the main view' : `pane ${n}`} twice`;
    seen.add(n);
    return null;
  }
  if (!isObject(n)) return `has a leaf ${JSON.stringify(n)} that is neither main nor a pane number`;
  if (n.dir !== 'row' && n.dir !== 'column') return 'has a split that is neither row nor column';
  if (typeof n.ratio !== 'number' || !(n.ratio > 0 && n.ratio < 1)) return 'has a split ratio outside 0–1';
  return checkLayout(n.a, count, seen, depth + 1) ?? checkLayout(n.b, count, seen, depth + 1);
}

function parseList(l: unknown): Check<ListViewState> {
  if (!isObject(l)) return bad('is not an object');
  if (typeof l.filter !== 'string' || !(l.filter === '' || PLAIN.test(l.filter))) return bad('filter is not text');
  const s = l.sort;
  if (!isObject(s) || typeof s.column !== 'string' || typeof s.reverse !== 'boolean') return bad('sort is not { column, reverse }');
  if (typeof l.group !== 'boolean') return bad('group is not true or false');
  if (l.selected !== null && typeof l.selected !== 'string') return bad('selected is not a row key or null');
  return { ok: true, value: { filter: l.filter, sort: { column: s.column, reverse: s.reverse }, group: l.group, selected: l.selected } };
}

/** Checks a tag (also what `--tag` and the overlay hand in). */
export function parseTag(t: unknown): Check<MarkTag> {
  if (!isObject(t)) return bad('is not an object');
  const out: MarkTag = {};
  if (t.names !== undefined) {
    if (!Array.isArray(t.names) || !t.names.every(isText)) return bad('names is not a list of container names');
    out.names = [...(t.names as string[])];
  }
  if (t.glob !== undefined) {
    if (!isText(t.glob)) return bad('glob is not a pattern');
    out.glob = t.glob;
  }
  if (t.group !== undefined) {
    if (!isText(t.group)) return bad('group is not an lxc.group name');
    out.group = t.group;
  }
  if (!out.names && !out.glob && !out.group) return bad('is empty: give names, a glob or a group');
  return { ok: true, value: out };
}

/**
 * A tag written as text: `group=web`, a glob with * or ?, or names
 * separated by commas or spaces. Empty: no tag.
 */
export function tagFromText(text: string): Check<MarkTag | null> {
  const t = text.trim();
  if (!t) return { ok: true, value: null };
  if (t.startsWith('group=')) return parseTag({ group: t.slice(6).trim() });
  if (/[*?]/.test(t)) return parseTag({ glob: t });
  return parseTag({ names: t.split(/[\s,]+/).filter(Boolean) });
}

export function tagText(tag: MarkTag | undefined): string {
  if (!tag) return '';
  return [tag.group ? `group=${tag.group}` : '', tag.glob ?? '', (tag.names ?? []).join(',')].filter(Boolean).join(' ');
}

/** Whether a container (name, lxc.groups) is in a tagged view. */
export function matchesTag(c: { name: string; groups: readonly string[] }, tag: MarkTag): boolean {
  if (tag.names?.includes(c.name)) return true;
  if (tag.group && c.groups.includes(tag.group)) return true;
  return tag.glob !== undefined && globRegExp(tag.glob).test(c.name);
}

function globRegExp(glob: string): RegExp {
  const body = [...glob].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.+()[\]{}|]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`);
}

/** One line for the marks overlay and `lxcdeck workspace ls`: pane count, containers, filter, tag. */
export function workspacePreview(ws: Workspace): string {
  const names = [...new Set(ws.panes.map((p) => p.container))];
  const parts = [`${ws.panes.length} pane${ws.panes.length === 1 ? '' : 's'}`];
  if (names.length) parts.push(names.join(', '));
  if (ws.list.filter) parts.push(`filter "${ws.list.filter}"`);
  if (ws.tag) parts.push(`tag ${tagText(ws.tag)}`);
  if (ws.zoomed) parts.push('zoomed');
  return parts.join(' · ');
}
