/**
 * Text for tags-enabled blessed boxes, made without blessed: presentation
 * code builds the strings, the UI shows them.
 */

/** Theme colours as blessed understands them ('#rrggbb', names, xterm indexes); missing or 'default' = terminal default. */
export type Palette = Readonly<Record<string, string>>;

/** Escapes text for a tags-enabled box (blessed.escape's rule): container strings must not inject tags. */
export function esc(text: string): string {
  return text.replace(/[{}]/g, (ch) => (ch === '{' ? '{open}' : '{close}'));
}

export function fg(p: Palette, key: string, text: string): string {
  const c = p[key];
  return c && c !== 'default' ? `{${c}-fg}${text}{/${c}-fg}` : text;
}

export function bg(p: Palette, key: string, text: string): string {
  const c = p[key];
  return c && c !== 'default' ? `{${c}-bg}${text}{/${c}-bg}` : text;
}
