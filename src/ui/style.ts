import blessed from 'blessed';

/** Theme colours as blessed understands them ('#rrggbb', names); missing or 'default' = terminal default. */
export type Palette = Readonly<Record<string, string>>;

/** Escapes text for a tags-enabled blessed box: container strings must not inject tags. */
export function esc(text: string): string {
  return blessed.escape(text);
}

export function fg(p: Palette, key: string, text: string): string {
  const c = p[key];
  return c && c !== 'default' ? `{${c}-fg}${text}{/${c}-fg}` : text;
}

export function bg(p: Palette, key: string, text: string): string {
  const c = p[key];
  return c && c !== 'default' ? `{${c}-bg}${text}{/${c}-bg}` : text;
}

/** blessed style value for a palette key (undefined = default). */
export function color(p: Palette, key: string): string | undefined {
  const c = p[key];
  return c && c !== 'default' ? c : undefined;
}
