import { resolveKeymap, type ResolvedKeymap } from './keymap.js';
import { COMMANDS } from './table.js';

/** The effective keymap: the command table's defaults plus the settings' overrides. */
export function effectiveKeymap(overrides: Record<string, string[]>): ResolvedKeymap {
  return resolveKeymap(COMMANDS.map((c) => ({ id: c.id, keys: c.keys })), overrides);
}

/** Human names for blessed key notation, for help and the README. */
export function displayKey(k: string): string {
  return k.replace(/^C-/, 'Ctrl-').replace(/^M-/, 'Alt-').replace(/^S-/, 'Shift-').replace(/^f(\d+)$/, 'F$1').replace(/^(enter|escape|space|pageup|pagedown|home|end|up|down)$/, (m) => m[0]?.toUpperCase() + m.slice(1));
}

/** The Markdown key table of the README (a test checks they do not drift). */
export function keyTableMarkdown(): string {
  const km = effectiveKeymap({});
  const rows = COMMANDS.map((c) => `| ${(km.byCommand.get(c.id) ?? []).map((k) => `\`${displayKey(k)}\``).join(' ')} | ${c.title} | \`${c.id}\` |`);
  return ['| keys | what it does | command id |', '|---|---|---|', ...rows].join('\n');
}
