/**
 * Emulator cell -> screen cell attribute, in blessed's packed form:
 * (flags << 18) | (fg << 9) | bg, colours 0-255 or 0x1ff for the default.
 * Truecolor goes through `rgb`: the nearest of the 256 colours by default,
 * a 24-bit code on a truecolor screen (ui/trueColor.ts); the screen reduces
 * further to 16 or 8 for terminals that have fewer.
 */

export const DEFAULT_COLOR = 0x1ff;
export const FLAG = { bold: 1, underline: 2, blink: 4, inverse: 8, invisible: 16 } as const;

/** What cells.ts needs of an @xterm/headless IBufferCell. */
export interface CellLike {
  getFgColor(): number;
  getBgColor(): number;
  isFgRGB(): boolean;
  isBgRGB(): boolean;
  isFgDefault(): boolean;
  isBgDefault(): boolean;
  isBold(): number;
  isUnderline(): number;
  isBlink(): number;
  isInverse(): number;
  isInvisible(): number;
}

export function packAttr(flags: number, fg: number, bg: number): number {
  return (flags << 18) | (fg << 9) | bg;
}

const CUBE = [0, 95, 135, 175, 215, 255];

function nearestCube(v: number): number {
  let best = 0;
  for (let i = 1; i < CUBE.length; i++) if (Math.abs((CUBE[i] as number) - v) < Math.abs((CUBE[best] as number) - v)) best = i;
  return best;
}

const rgbCache = new Map<number, number>();

/** The xterm-256 colour closest to 0xRRGGBB: the 6x6x6 cube or the grey ramp. */
export function rgbTo256(rgb: number): number {
  const hit = rgbCache.get(rgb);
  if (hit !== undefined) return hit;
  const r = (rgb >> 16) & 0xff;
  const g = (rgb >> 8) & 0xff;
  const b = rgb & 0xff;
  const [ci, cj, ck] = [nearestCube(r), nearestCube(g), nearestCube(b)];
  const cube = 16 + 36 * ci + 6 * cj + ck;
  const dist = (x: number, y: number, z: number) => (x - r) ** 2 + (y - g) ** 2 + (z - b) ** 2;
  const cubeDist = dist(CUBE[ci] as number, CUBE[cj] as number, CUBE[ck] as number);
  const grey = Math.max(0, Math.min(23, Math.round(((r + g + b) / 3 - 8) / 10)));
  const gv = 8 + grey * 10;
  const out = dist(gv, gv, gv) < cubeDist ? 232 + grey : cube;
  if (rgbCache.size < 4096) rgbCache.set(rgb, out);
  return out;
}

function colorOf(isDefault: boolean, isRgb: boolean, value: number, rgb: (v: number) => number): number {
  if (isDefault) return DEFAULT_COLOR;
  return isRgb ? rgb(value) : value & 0xff;
}

export function cellAttr(cell: CellLike, rgb: (v: number) => number = rgbTo256): number {
  const flags =
    (cell.isBold() ? FLAG.bold : 0) |
    (cell.isUnderline() ? FLAG.underline : 0) |
    (cell.isBlink() ? FLAG.blink : 0) |
    (cell.isInverse() ? FLAG.inverse : 0) |
    (cell.isInvisible() ? FLAG.invisible : 0);
  return packAttr(flags, colorOf(cell.isFgDefault(), cell.isFgRGB(), cell.getFgColor(), rgb), colorOf(cell.isBgDefault(), cell.isBgRGB(), cell.getBgColor(), rgb));
}

/** The cell drawn for the cursor or a selection: the same cell, inverted. */
export function invertAttr(attr: number): number {
  return attr ^ (FLAG.inverse << 18);
}
