/**
 * Pure keymap resolution: defaults from the registry plus the user's
 * overrides (command id -> keys). An override that names an unknown command,
 * an invalid key or a key another command already uses is reported in one
 * line and the default is kept.
 */
export interface KeyBinding {
  id: string;
  keys: string[];
  /** The command's scope; modal scopes (scroll, filter, confirm, form, ...) have keys of their own. */
  scope?: string;
}

export interface ResolvedKeymap {
  /** command id -> effective keys */
  byCommand: Map<string, string[]>;
  /** key -> command id in the shared scopes (global, list, detail, pane), for dispatch */
  byKey: Map<string, string>;
  /** modal scope -> key -> command id: a mode's keys shadow the shared ones while it is on */
  byMode: Map<string, Map<string, string>>;
  problems: string[];
}

/** Scopes whose keys are live together outside any mode; every other scope is a mode with a key space of its own. */
const SHARED_SCOPES = new Set(['global', 'list', 'detail', 'pane']);

/** The key space a scope's keys live in: 'main' for the shared scopes, else the mode itself. */
export function keySpace(scope: string | undefined): string {
  return scope === undefined || SHARED_SCOPES.has(scope) ? 'main' : scope;
}

/** The command a key runs in a mode (or in the shared scopes for 'main'). */
export function commandFor(km: ResolvedKeymap, scope: string, key: string): string | undefined {
  return keySpace(scope) === 'main' ? km.byKey.get(key) : km.byMode.get(scope)?.get(key);
}

const NAMED = new Set([
  'enter', 'return', 'escape', 'space', 'tab', 'backspace', 'delete', 'insert', 'home', 'end', 'pageup', 'pagedown',
  'up', 'down', 'left', 'right', ...Array.from({ length: 12 }, (_, i) => `f${i + 1}`),
]);

/**
 * Whether a key name is valid blessed notation: [C-][M-][S-]name, or a
 * two-key chord 'PREFIX KEY' (the pane prefix, tmux-style: 'C-b %').
 */
export function isValidKey(key: string): boolean {
  const parts = key.split(' ');
  if (parts.length === 2 && parts.every((k) => k !== '' && isSingleKey(k))) return true;
  return isSingleKey(key);
}

function isSingleKey(key: string): boolean {
  const m = /^((?:[CMS]-)*)(.+)$/.exec(key);
  if (!m) return false;
  const mods = m[1] ?? '';
  const name = m[2] ?? '';
  if (new Set(mods.split('-').filter(Boolean)).size !== mods.split('-').filter(Boolean).length) return false;
  if (NAMED.has(name)) return true;
  // a single printable character ('q', '?', '/', ':')
  return [...name].length === 1 && name >= ' ' && name !== '\u007f';
}

/** An id as a message shows it: quoted when it has characters (line breaks, escapes) that would break the line. */
function quoteOdd(id: string): string {
  return /^[\w.:-]+$/.test(id) ? id : JSON.stringify(id);
}

export function resolveKeymap(defaults: readonly KeyBinding[], overrides: Record<string, string[]>): ResolvedKeymap {
  const defaultKeys = new Map(defaults.map((d) => [d.id, [...d.keys]]));
  const spaceOf = new Map(defaults.map((d) => [d.id, keySpace(d.scope)]));
  const problems: string[] = [];
  const valid = new Map<string, string[]>();
  for (const [id, keys] of Object.entries(overrides)) {
    if (!defaultKeys.has(id)) problems.push(`key override for unknown command ${quoteOdd(id)}: use an id from 'lxcdeck keys'`);
    else if (!Array.isArray(keys) || keys.length === 0) problems.push(`key override for ${id} lists no keys: give at least one, e.g. ["x"]`);
    else {
      const bad = keys.filter((k) => !isValidKey(k));
      if (bad.length) problems.push(`key override for ${id}: ${bad.map((k) => JSON.stringify(k)).join(', ')} is not a key name: use e.g. "x", "C-x", "S-tab", "f5"`);
      else valid.set(id, [...keys]);
    }
  }
  const effective = (id: string) => valid.get(id) ?? defaultKeys.get(id) ?? [];
  // a key clashes only with commands whose keys are live at the same time. A
  // refused override falls back to its default, which may clash with an
  // override accepted before it: check again until none clashes.
  for (let refused = true; refused; ) {
    refused = false;
    for (const [id, keys] of valid) {
      const rivals = [...defaultKeys.keys()].filter((o) => o !== id && spaceOf.get(o) === spaceOf.get(id));
      const clashes = keys.flatMap((k) => rivals.filter((o) => effective(o).includes(k)).map((o) => `${k} is already bound to ${o}`));
      if (clashes.length === 0) continue;
      problems.push(`key override for ${id}: ${clashes.join(', ')}; kept the default ${defaultKeys.get(id)?.join(', ')}`);
      valid.delete(id);
      refused = true;
    }
  }
  const byCommand = new Map([...defaultKeys.keys()].map((id) => [id, effective(id)]));
  const byKey = new Map<string, string>();
  const byMode = new Map<string, Map<string, string>>();
  for (const [id, keys] of byCommand) {
    const space = spaceOf.get(id) ?? 'main';
    let map = byKey;
    if (space !== 'main') {
      map = byMode.get(space) ?? new Map<string, string>();
      byMode.set(space, map);
    }
    for (const k of keys) if (!map.has(k)) map.set(k, id);
  }
  return { byCommand, byKey, byMode, problems };
}
