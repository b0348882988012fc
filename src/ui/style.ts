import type { Palette } from '../presentation/tags.js';

export { bg, esc, fg, type Palette } from '../presentation/tags.js';

/** blessed style value for a palette key (undefined = default). */
export function color(p: Palette, key: string): string | undefined {
  const c = p[key];
  return c && c !== 'default' ? c : undefined;
}
