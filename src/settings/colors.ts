import { ANSI16_NAMES, colorToRgb, indexToRgb, XTERM16_RGB, type ColorValue, type Rgb } from './colorValue.js';
import { effectiveTheme, MONOCHROME_THEME, THEME_KEYS, type Theme, type ThemeKey } from './theme.js';

/** How many colours the terminal can show. */
export type ColorDepth = 'truecolor' | 256 | 16 | 'none';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The terminal's colour depth, the way other terminal programs decide it:
 * NO_COLOR (any non-empty value, no-color.org), a non-terminal stdout and
 * TERM=dumb mean no colour; COLORTERM=truecolor/24bit means 24-bit; then the
 * terminfo entry's max_colors (`terminfoColors`, null when there is none to
 * read), and only without one a guess from TERM's name.
 */
export function detectColorDepth(env: Env, stdoutIsTTY: boolean, terminfoColors: number | null = null): ColorDepth {
  if (env.NO_COLOR) return 'none';
  if (!stdoutIsTTY) return 'none';
  const term = env.TERM ?? '';
  if (term === 'dumb') return 'none';
  const colorterm = (env.COLORTERM ?? '').toLowerCase();
  if (colorterm === 'truecolor' || colorterm === '24bit') return 'truecolor';
  if (terminfoColors !== null) return terminfoColors >= 1 << 24 ? 'truecolor' : terminfoColors >= 256 ? 256 : terminfoColors >= 8 ? 16 : 'none';
  if (term.endsWith('-direct')) return 'truecolor';
  if (term.includes('256color')) return 256;
  return 16;
}

/**
 * How many colours blessed should draw with at this depth (panes' 24-bit
 * colour is ui/trueColor.ts); null with NO_COLOR: the UI has none of its own,
 * pane programs keep theirs.
 */
export function depthColors(depth: ColorDepth): number | null {
  return depth === 16 ? 16 : depth === 'none' ? null : 256;
}

/**
 * A colour that the given depth can show. Hex goes to the nearest xterm-256
 * cube/gray index (256) or the nearest ANSI name (16); indexes above 15 go to
 * the nearest ANSI name at 16; names and `default` stay as they are.
 */
export function toDepth(color: ColorValue, depth: ColorDepth): ColorValue {
  if (depth === 'none') return 'default';
  if (depth === 'truecolor') return color;
  if (typeof color === 'string' && !color.startsWith('#')) return color;
  if (depth === 256) return typeof color === 'number' ? color : nearest256(colorToRgb(color) ?? [0, 0, 0]);
  if (typeof color === 'number' && color < 16) return color;
  return nearest16(colorToRgb(color) ?? [0, 0, 0]);
}

/**
 * Every colour of the theme mapped to `depth`. With no colour at all the
 * monochrome theme is returned instead: the theme's colours carry selection
 * and state, and would all collapse to "default".
 */
export function resolveTheme(theme: Theme, depth: ColorDepth): Theme {
  if (depth === 'none') return MONOCHROME_THEME;
  if (depth === 'truecolor') return theme;
  const colors = Object.fromEntries(THEME_KEYS.map((k) => [k, toDepth(theme.colors[k], depth)])) as Record<ThemeKey, ColorValue>;
  return Object.freeze({ ...theme, colors: Object.freeze(colors) });
}

/**
 * The theme the UI should draw with on this terminal: NO_COLOR, then depth.
 * blessed 0.1.x cannot emit 24-bit colour (it matches hex to 256 itself, and
 * may pick one of the 16 user-recoloured system colours), so by default we
 * cap at 256 and do the mapping ourselves.
 */
export function themeForTerminal(theme: Theme, env: Env, stdoutIsTTY: boolean, maxDepth: ColorDepth = 256): Theme {
  return resolveTheme(effectiveTheme(theme, env), capDepth(detectColorDepth(env, stdoutIsTTY), maxDepth));
}

const DEPTH_RANK: Record<string, number> = { none: 0, 16: 1, 256: 2, truecolor: 3 };

function capDepth(depth: ColorDepth, max: ColorDepth): ColorDepth {
  return (DEPTH_RANK[String(depth)] ?? 0) > (DEPTH_RANK[String(max)] ?? 0) ? max : depth;
}

// Indexes 16-255 only: 0-15 are whatever the user's palette says, so a hex
// colour mapped onto them could come out as anything.
const CUBE_AND_GRAYS: readonly Rgb[] = Array.from({ length: 240 }, (_, i) => indexToRgb(i + 16));

/** Nearest xterm index among the 6x6x6 cube and the 24 grays (16-255). */
export function nearest256(rgb: Rgb): number {
  return 16 + nearestIn(CUBE_AND_GRAYS, rgb);
}

const ANSI_GRAYS = [0, 8, 7, 15];
/** Hue angle of each of the six ANSI hues, with its normal index (bright = +8). */
const ANSI_HUES: readonly (readonly [number, number])[] = [
  [0, 1],
  [60, 3],
  [120, 2],
  [180, 6],
  [240, 4],
  [300, 5],
];
/** max-min channel spread from which a colour counts as a hue rather than a gray. */
const CHROMA_MIN = 0x40;

/**
 * Nearest of the 16 ANSI colours (xterm's default palette) as a blessed name.
 * A colour keeps its hue: the closest of the six ANSI hues by angle, then
 * normal or bright by distance; a gray goes to black/gray/white/brightwhite.
 * Plain nearest-RGB sends muted theme colours (#5fd75f, #d75f5f) to "gray",
 * which would make running and stopped look alike on a 16-colour terminal.
 */
export function nearest16(rgb: Rgb): string {
  let family = ANSI_GRAYS;
  if (Math.max(...rgb) - Math.min(...rgb) >= CHROMA_MIN) {
    const hue = hueOf(rgb);
    let base = 1;
    let bestGap = Infinity;
    for (const [angle, index] of ANSI_HUES) {
      const gap = Math.min(Math.abs(hue - angle), 360 - Math.abs(hue - angle));
      if (gap < bestGap) [base, bestGap] = [index, gap];
    }
    family = [base, base + 8];
  }
  const index = family[nearestIn(family.map((i) => XTERM16_RGB[i] ?? [0, 0, 0]), rgb)] ?? 0;
  return ANSI16_NAMES[index] ?? 'default';
}

/** HSV hue in degrees, 0-360. */
function hueOf([r, g, b]: Rgb): number {
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? (g - b) / d : max === g ? 2 + (b - r) / d : 4 + (r - g) / d;
  return (h * 60 + 360) % 360;
}

// a theme's ~30 hex colours against 240 entries, before the first frame in code V8 has not optimised yet: a plain loop
function nearestIn(palette: readonly Rgb[], rgb: Rgb): number {
  let best = 0;
  let bestDist = Infinity;
  for (let i = 0; i < palette.length; i++) {
    const d = distance(palette[i] as Rgb, rgb);
    if (d < bestDist) {
      best = i;
      bestDist = d;
    }
  }
  return best;
}

/**
 * "Redmean" weighted RGB distance: cheap, and much closer to perception than
 * plain RGB. Times 512, (2 + rmean/256)·dr² + 4·dg² + (2 + (255-rmean)/256)·db²
 * is in whole numbers below 2^30 (same order, same ties): small integers,
 * which V8's interpreter does not box as floats it would allocate (~3 ms of
 * the first frame's palette).
 */
function distance(a: Rgb, b: Rgb): number {
  const rsum = a[0] + b[0];
  const dr = a[0] - b[0];
  const dg = a[1] - b[1];
  const db = a[2] - b[2];
  return (1024 + rsum) * dr * dr + 2048 * dg * dg + (1534 - rsum) * db * db;
}
