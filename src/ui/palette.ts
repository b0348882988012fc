import { COLOR_NAMES } from '../settings/colorValue.js';
import { toDepth, type ColorDepth } from '../settings/colors.js';
import { THEME_KEYS, type Theme } from '../settings/theme.js';
import type { Palette } from './style.js';

/**
 * A theme as blessed tags want it: every colour as an xterm index at the
 * terminal's depth ('{123-fg}' works in blessed tags, names with "bright"
 * do not); 'default' colours are left out.
 */
export function paletteFor(theme: Theme, depth: ColorDepth): Palette {
  const out: Record<string, string> = {};
  if (depth === 'none') return out;
  for (const key of THEME_KEYS) {
    const c = toDepth(theme.colors[key], depth === 'truecolor' ? 256 : depth);
    const index = typeof c === 'number' ? c : COLOR_NAMES[c];
    if (index !== undefined && index >= 0) out[key] = String(index);
  }
  return out;
}
