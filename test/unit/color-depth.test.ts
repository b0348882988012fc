import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMaxColors, terminfoColors, terminfoDirs } from '../../src/host/terminfo.js';
import { cellAttr, rgbTo256, type CellLike } from '../../src/presentation/cells.js';
import { depthColors, detectColorDepth } from '../../src/settings/colors.js';
import { TrueColorCodes } from '../../src/ui/trueColor.js';

/** A compiled terminfo entry: names, no booleans, numbers up to max_colors (index 13). */
function entry(magic: number, colors: number): Uint8Array {
  const width = magic === 0o432 ? 2 : 4;
  const names = Buffer.from('t|test\0');
  const header = Buffer.alloc(12);
  header.writeUInt16LE(magic, 0);
  header.writeUInt16LE(names.length, 2);
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(14, 6);
  const pad = names.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0);
  const nums = Buffer.alloc(14 * width, 0xff);
  if (width === 2) nums.writeInt16LE(colors, 13 * 2);
  else nums.writeInt32LE(colors, 13 * 4);
  return Buffer.concat([header, names, pad, nums]);
}

describe('colour depth from terminfo and COLORTERM', () => {
  it('reads max_colors in the legacy and in ncurses 6 (32-bit) format', () => {
    expect(parseMaxColors(entry(0o432, 256))).toBe(256);
    expect(parseMaxColors(entry(0o1036, 256))).toBe(256);
    expect(parseMaxColors(entry(0o1036, 1 << 24))).toBe(1 << 24);
    expect(parseMaxColors(entry(0o432, -1))).toBeNull(); // absent
    expect(parseMaxColors(Buffer.from('not terminfo at all'))).toBeNull();
  });

  it("this host's tmux-256color and screen-256color (ncurses 6 format, which blessed falls back from) have 256", () => {
    const env = { HOME: '/nonexistent' };
    const tmux = terminfoDirs(env).map((d) => `${d}/t/tmux-256color`).find((f) => fs.existsSync(f));
    expect(tmux, 'ncurses-base ships tmux-256color').toBeDefined();
    expect(fs.readFileSync(tmux as string).readUInt16LE(0)).toBe(0o1036);
    expect(terminfoColors('tmux-256color', env)).toBe(256);
    expect(terminfoColors('screen-256color', env)).toBe(256);
    expect(terminfoColors('xterm', env)).toBe(8);
    expect(terminfoColors('no-such-terminal', env)).toBeNull();
    expect(terminfoColors('../../etc/passwd', env)).toBeNull();
  });

  it.each<[Record<string, string>, number | null, ReturnType<typeof detectColorDepth>]>([
    [{ TERM: 'tmux-256color' }, 256, 256],
    [{ TERM: 'screen-256color' }, 256, 256],
    [{ TERM: 'tmux-256color', COLORTERM: 'truecolor' }, 256, 'truecolor'],
    [{ TERM: 'xterm-direct' }, 1 << 24, 'truecolor'],
    [{ TERM: 'xterm-direct' }, null, 'truecolor'],
    [{ TERM: 'rxvt-unicode' }, 88, 16],
    [{ TERM: 'my-256color-ish' }, 8, 16], // terminfo beats the name
    [{ TERM: 'vt100' }, 0, 'none'],
    [{ TERM: 'tmux-256color', NO_COLOR: '1' }, 256, 'none'],
  ])('%j with terminfo colors %s -> %s', (env, colors, depth) => {
    expect(detectColorDepth(env, true, colors)).toBe(depth);
  });

  it('blessed draws with the detected count (256 for truecolor: panes get 24-bit codes on top)', () => {
    expect(depthColors(256)).toBe(256);
    expect(depthColors('truecolor')).toBe(256);
    expect(depthColors(16)).toBe(16);
    expect(depthColors('none')).toBeNull();
  });
});

describe('24-bit pane colours', () => {
  const rgbCell = (fg: number): CellLike => ({
    getFgColor: () => fg,
    getBgColor: () => 0,
    isFgRGB: () => true,
    isBgRGB: () => false,
    isFgDefault: () => false,
    isBgDefault: () => true,
    isBold: () => 0,
    isUnderline: () => 0,
    isBlink: () => 0,
    isInverse: () => 0,
    isInvisible: () => 0,
  });

  it('a truecolor screen keeps the exact colour; others map to the nearest of 256', () => {
    const t = new TrueColorCodes();
    const attr = cellAttr(rgbCell(0x0ac81e), (v) => t.code(v));
    const fg = (attr >> 9) & 0x1ff;
    expect(fg).toBeGreaterThanOrEqual(256);
    expect(t.rewrite(`1;38;5;${fg}`)).toBe('1;38;2;10;200;30');
    expect(t.rewrite(`48;5;${fg};38;5;${fg}`)).toBe('48;2;10;200;30;38;2;10;200;30');
    expect(t.rewrite('38;5;196')).toBe('38;5;196'); // an xterm index stays
    expect((cellAttr(rgbCell(0x0ac81e)) >> 9) & 0x1ff).toBe(rgbTo256(0x0ac81e));
  });

  it('the same colour keeps its code; past the spare codes the rest fall back to 256', () => {
    const t = new TrueColorCodes();
    expect(t.code(0x123456)).toBe(t.code(0x123456));
    for (let i = 0; i < 400; i++) t.code(i);
    expect(t.code(0xff0000)).toBe(196);
  });
});
