import { isThemeName } from './theme.js';

export const CHART_SPANS = [60, 300, 900] as const;
export type ChartSpanSeconds = (typeof CHART_SPANS)[number];

export const REFRESH_MIN_MS = 250;
export const REFRESH_MAX_MS = 10_000;

export interface Settings {
  /** Theme name: a file `<name>.json` in the user or built-in themes dir. */
  theme: string;
  refreshIntervalMs: number;
  /** Command id -> key names (blessed spelling, e.g. "C-s"); [] unbinds the command. */
  keys: Record<string, string[]>;
  /** Freeze/thaw rules; validated by src/jobs, opaque here. */
  rules: unknown[];
  chartSpanSeconds: ChartSpanSeconds;
  /** The command a shell pane runs in the container; [] runs the container's default shell. */
  paneShell: string[];
  /** Workspace marks: letter -> stored workspace (each checked by src/core/workspace.ts when used; a corrupt one is kept). */
  marks: Record<string, unknown>;
  /** Reopen the workspace of the last session on start. */
  restoreLastWorkspace: boolean;
  /** The workspace when lxcdeck last quit (null: none). */
  lastWorkspace: unknown;
  /** The lxcpaths to list when no -P is given ([]: liblxc's default); the first is the primary one. */
  lxcpaths: string[];
}

export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  theme: 'dark',
  refreshIntervalMs: 1000,
  keys: {},
  rules: [],
  chartSpanSeconds: 60,
  paneShell: [],
  marks: {},
  restoreLastWorkspace: true,
  lastWorkspace: null,
  lxcpaths: [],
});

export const SETTING_KEYS = Object.keys(DEFAULT_SETTINGS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as string[]).includes(key);
}

const RANGE = `${REFRESH_MIN_MS}–${REFRESH_MAX_MS}`;
// a key name is one token: blessed names such as "C-a", "S-tab", "f5", "space"
const KEY_NAME_RE = /^\S+$/;

/**
 * Why `value` is not acceptable for `key`, as "what is wrong: how to fix it",
 * or null when it is fine. Pure: the store and the CLI both use it.
 */
export function checkSetting(key: SettingKey, value: unknown): string | null {
  switch (key) {
    case 'theme':
      return isThemeName(value) ? null : `theme ${show(value)} is not a theme name: use letters, digits, '.', '_' or '-' (e.g. dark)`;
    case 'refreshIntervalMs':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `refreshIntervalMs ${show(value)} is not a number: use ${RANGE}`;
      if (!Number.isInteger(value)) return `refreshIntervalMs ${value} is not a whole number of milliseconds: use ${RANGE}`;
      if (value < REFRESH_MIN_MS || value > REFRESH_MAX_MS) return `refreshIntervalMs ${value} is out of range: use ${RANGE}`;
      return null;
    case 'keys':
      return checkKeys(value);
    case 'rules':
      return Array.isArray(value) ? null : `rules ${show(value)} is not a list: use [] for no rules`;
    case 'chartSpanSeconds':
      return (CHART_SPANS as readonly unknown[]).includes(value) ? null : `chartSpanSeconds ${show(value)} is not allowed: use ${CHART_SPANS.join(', ')}`;
    case 'paneShell':
      return Array.isArray(value) && value.length <= 64 && value.every((a) => typeof a === 'string' && a !== '' && !/[\x00-\x1f\x7f]/.test(a))
        ? null
        : `paneShell ${show(value)} is not a command: use a list of words such as ["/bin/bash", "-l"], or [] for the container's default shell`;
    case 'marks':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : `marks ${show(value)} is not an object: use { "a": { ...a workspace... } }, or {} for no marks`;
    case 'restoreLastWorkspace':
      return typeof value === 'boolean' ? null : `restoreLastWorkspace ${show(value)} is not true or false`;
    case 'lastWorkspace':
      return value === null || (typeof value === 'object' && !Array.isArray(value)) ? null : `lastWorkspace ${show(value)} is not a workspace: use null`;
    case 'lxcpaths':
      return Array.isArray(value) && value.length <= 32 && value.every((p) => typeof p === 'string' && p.startsWith('/') && !/[\x00-\x1f\x7f]/.test(p))
        ? null
        : `lxcpaths ${show(value)} is not a list of directories: use absolute paths such as ["/var/lib/lxc", "/srv/lxc"], or [] for liblxc's default`;
  }
}

function checkKeys(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `keys ${show(value)} is not an object: use { "command.id": ["key", ...] }, or {} for the defaults`;
  }
  for (const [id, names] of Object.entries(value)) {
    if (id.trim() === '') return 'keys has an empty command id: remove it';
    if (!Array.isArray(names)) return `${keysField(id)} ${show(names)} is not a list of key names: use e.g. ["s", "C-s"], or [] to unbind`;
    const bad = names.find((n) => typeof n !== 'string' || !KEY_NAME_RE.test(n));
    if (bad !== undefined) return `${keysField(id)} ${show(bad)} is not a key name: use one key per entry, e.g. ["s", "C-s"]`;
  }
  return null;
}

/** `keys.<id>` as a message names it; an id with odd characters (a line break, an escape) is quoted so the message stays one line. */
function keysField(id: string): string {
  return /^[\w.-]+$/.test(id) ? `keys.${id}` : `keys[${JSON.stringify(id)}]`;
}

/** Splits a settings object read from disk into usable settings plus one warning per bad or unknown field. */
export function parseSettings(raw: Record<string, unknown>): { settings: Settings; problems: string[] } {
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === '__internal__') continue; // conf's own bookkeeping
    if (!isSettingKey(key)) {
      problems.push(`unknown setting ${JSON.stringify(key)} is ignored: remove it or use one of ${SETTING_KEYS.join(', ')}`);
      continue;
    }
    const problem = checkSetting(key, value);
    if (problem) problems.push(`${problem}; using the default ${JSON.stringify(DEFAULT_SETTINGS[key])}`);
    else settings[key] = value;
  }
  return { settings: settings as unknown as Settings, problems };
}

/** A value as the user wrote it, kept short enough for one line. */
export function show(v: unknown): string {
  const s = v === undefined || typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 37)}...` : flat;
}
