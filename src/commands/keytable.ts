import { resolveKeymap, type ResolvedKeymap } from './keymap.js';
import { MODAL_COMMANDS } from './formCommands.js';
import { MODE_COMMANDS } from './modes.js';
import { COMMANDS } from './table.js';
import { WORKSPACE_MODE_COMMANDS } from './workspaceCommands.js';

/** A command as help, the palette's hints and `lxcdeck keys` see it: the main table and the modes alike. */
export interface KeyedCommand {
  id: string;
  title: string;
  scope: string;
  keys: string[];
  dangerous?: boolean;
}

/** Every command that has keys, in the order help lists them. */
export const KEYED_COMMANDS: readonly KeyedCommand[] = [...COMMANDS, ...MODE_COMMANDS, ...MODAL_COMMANDS, ...WORKSPACE_MODE_COMMANDS];

export const PREFIX_COMMAND = 'pane.prefix';
const DEFAULT_PREFIX = 'C-b';

/**
 * The effective keymap: the command table's defaults plus the settings'
 * overrides. Pane chords are written with the default prefix (C-b); a
 * prefix override moves every default chord to the new prefix.
 */
export function effectiveKeymap(overrides: Record<string, string[]>): ResolvedKeymap {
  const defaults = KEYED_COMMANDS.map((c) => ({ id: c.id, keys: c.keys, scope: c.scope }));
  const first = resolveKeymap(defaults, overrides);
  const prefix = first.byCommand.get(PREFIX_COMMAND)?.[0] ?? DEFAULT_PREFIX;
  if (prefix === DEFAULT_PREFIX) return first;
  const moved = defaults.map((d) => ({ id: d.id, scope: d.scope, keys: d.keys.map((k) => (k.startsWith(`${DEFAULT_PREFIX} `) ? `${prefix} ${k.slice(DEFAULT_PREFIX.length + 1)}` : k)) }));
  return resolveKeymap(moved, overrides);
}

/** Human names for blessed key notation, for help and the README. */
export function displayKey(k: string): string {
  if (k.includes(' ') && k.length > 1) return k.split(' ').map(displayKey).join(' ');
  return k.replace(/^C-/, 'Ctrl-').replace(/^M-/, 'Alt-').replace(/^S-/, 'Shift-').replace(/^f(\d+)$/, 'F$1').replace(/^(enter|escape|space|pageup|pagedown|home|end|up|down|left|right|tab|backspace|delete)$/, (m) => m[0]?.toUpperCase() + m.slice(1));
}

/** The Markdown key table of the README (a test checks they do not drift). */
export function keyTableMarkdown(): string {
  const km = effectiveKeymap({});
  const rows = KEYED_COMMANDS.map((c) => `| ${(km.byCommand.get(c.id) ?? []).map((k) => `\`${displayKey(k)}\``).join(' ')} | ${c.title} | \`${c.id}\` |`);
  return ['| keys | what it does | command id |', '|---|---|---|', ...rows].join('\n');
}
