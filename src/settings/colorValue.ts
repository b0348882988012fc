/**
 * One colour as a theme writes it, in a form blessed accepts as-is:
 * `#rrggbb` (lower case), an xterm index 0-255, one of blessed's colour names,
 * or `default` (the terminal's own foreground/background).
 */
export type ColorValue = string | number;

/**
 * The names blessed's colors.js maps to an index (`colorNames`), minus its
 * `normal`/`fg`/`bg` aliases of `default`. Blessed matches them case-sensitively,
 * so we do too: "Red" would silently become the default colour in blessed.
 */
export const COLOR_NAMES: Readonly<Record<string, number>> = {
  default: -1,
  black: 0,
  red: 1,
  green: 2,
  yellow: 3,
  blue: 4,
  magenta: 5,
  cyan: 6,
  white: 7,
  lightblack: 8,
  lightred: 9,
  lightgreen: 10,
  lightyellow: 11,
  lightblue: 12,
  lightmagenta: 13,
  lightcyan: 14,
  lightwhite: 15,
  brightblack: 8,
  brightred: 9,
  brightgreen: 10,
  brightyellow: 11,
  brightblue: 12,
  brightmagenta: 13,
  brightcyan: 14,
  brightwhite: 15,
  grey: 8,
  gray: 8,
  lightgrey: 7,
  lightgray: 7,
  brightgrey: 7,
  brightgray: 7,
};

/** The name we give each of the 16 ANSI indexes when we produce one. */
export const ANSI16_NAMES = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'gray',
  'brightred',
  'brightgreen',
  'brightyellow',
  'brightblue',
  'brightmagenta',
  'brightcyan',
  'brightwhite',
] as const;

export type Rgb = readonly [number, number, number];

/**
 * xterm's default RGB for indexes 0-15 (the same table blessed uses). Real
 * terminals recolour these freely, which is why hex colours are never mapped
 * onto them at 256 colours — only when 16 is all there is.
 */
export const XTERM16_RGB: readonly Rgb[] = [
  [0x00, 0x00, 0x00],
  [0xcd, 0x00, 0x00],
  [0x00, 0xcd, 0x00],
  [0xcd, 0xcd, 0x00],
  [0x00, 0x00, 0xee],
  [0xcd, 0x00, 0xcd],
  [0x00, 0xcd, 0xcd],
  [0xe5, 0xe5, 0xe5],
  [0x7f, 0x7f, 0x7f],
  [0xff, 0x00, 0x00],
  [0x00, 0xff, 0x00],
  [0xff, 0xff, 0x00],
  [0x5c, 0x5c, 0xff],
  [0xff, 0x00, 0xff],
  [0x00, 0xff, 0xff],
  [0xff, 0xff, 0xff],
];

const HEX_RE = /^#[0-9a-fA-F]{6}$/;
const INDEX_RE = /^[0-9]{1,3}$/;

/** The hint every "not a colour" message ends with. */
export const COLOR_HINT = 'use #rrggbb, 0-255 or a colour name';

/**
 * Normalises a colour from a theme file, or null if it is not one. Index
 * strings ("196") become numbers because blessed only treats numbers as indexes.
 */
export function parseColor(value: unknown): ColorValue | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 255 ? value : null;
  if (typeof value !== 'string') return null;
  if (HEX_RE.test(value)) return value.toLowerCase();
  if (INDEX_RE.test(value)) {
    const n = Number(value);
    return n <= 255 ? n : null;
  }
  return Object.hasOwn(COLOR_NAMES, value) ? value : null;
}

export function hexToRgb(hex: string): Rgb {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** The RGB an xterm index stands for: 0-15 xterm defaults, the 6x6x6 cube, then 24 grays. */
export function indexToRgb(index: number): Rgb {
  if (index < 16) return XTERM16_RGB[index] ?? [0, 0, 0];
  if (index < 232) {
    const i = index - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + 40 * v);
    return [level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6)];
  }
  const l = 8 + 10 * (index - 232);
  return [l, l, l];
}

/** RGB of any colour value, or null for `default` (the terminal decides). */
export function colorToRgb(color: ColorValue): Rgb | null {
  if (typeof color === 'number') return indexToRgb(color);
  if (color.startsWith('#')) return hexToRgb(color);
  const index = COLOR_NAMES[color];
  return index === undefined || index < 0 ? null : indexToRgb(index);
}
