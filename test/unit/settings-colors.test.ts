import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANSI16_NAMES, COLOR_NAMES, parseColor } from '../../src/settings/colorValue.js';
import { detectColorDepth, nearest16, nearest256, resolveTheme, themeForTerminal, toDepth, type ColorDepth } from '../../src/settings/colors.js';
import { MONOCHROME_THEME, THEME_KEYS } from '../../src/settings/theme.js';
import { builtinThemesDir, loadTheme } from '../../src/settings/themes.js';
import { hexToRgb, indexToRgb, type Rgb } from '../../src/settings/colorValue.js';

const SHIPPED = ['dark', 'light', 'high-contrast'];

describe('detectColorDepth', () => {
  it.each<[Record<string, string>, boolean, ColorDepth]>([
    [{ TERM: 'xterm-256color', COLORTERM: 'truecolor' }, true, 'truecolor'],
    [{ TERM: 'xterm', COLORTERM: '24bit' }, true, 'truecolor'],
    [{ TERM: 'xterm-256color' }, true, 256],
    [{ TERM: 'tmux-256color', COLORTERM: 'rxvt' }, true, 256],
    [{ TERM: 'xterm' }, true, 16],
    [{ TERM: 'linux' }, true, 16],
    [{}, true, 16],
    [{ TERM: 'dumb', COLORTERM: 'truecolor' }, true, 'none'],
    [{ TERM: 'xterm-256color', COLORTERM: 'truecolor', NO_COLOR: '1' }, true, 'none'],
    [{ TERM: 'xterm-256color', NO_COLOR: 'false' }, true, 'none'], // any non-empty value
    [{ TERM: 'xterm-256color', NO_COLOR: '' }, true, 256], // empty means unset
    [{ TERM: 'xterm-256color', COLORTERM: 'truecolor' }, false, 'none'],
  ])('%j tty=%s -> %s', (env, tty, depth) => {
    expect(detectColorDepth(env, tty)).toBe(depth);
  });
});

describe('hex to xterm-256', () => {
  it.each([
    ['#ff0000', 196],
    ['#00ff00', 46],
    ['#0000ff', 21],
    ['#000000', 16],
    ['#ffffff', 231],
    ['#5f87af', 67],
    ['#808080', 244],
    ['#eeeeee', 255],
  ])('%s -> %i', (hex, index) => {
    expect(nearest256(hexToRgb(hex))).toBe(index);
    expect(toDepth(hex, 256)).toBe(index);
  });
  it('maps a gray to the gray ramp, not the cube', () => {
    const i = nearest256(hexToRgb('#4a4a4a'));
    expect(i).toBeGreaterThanOrEqual(232);
    expect(i).toBeLessThanOrEqual(255);
  });
  it('never picks the user-recolourable 0-15', () => {
    for (let v = 0; v < 256; v += 15) {
      for (const hex of [rgbHex(v, 0, 0), rgbHex(0, v, v), rgbHex(v, v, v), rgbHex(255 - v, v, 128)]) {
        expect(nearest256(hexToRgb(hex))).toBeGreaterThanOrEqual(16);
      }
    }
  });
});

describe('hex to 16 ANSI names', () => {
  it.each([
    ['#ff0000', 'brightred'],
    ['#cd0000', 'red'],
    ['#800000', 'red'],
    ['#000000', 'black'],
    ['#ffffff', 'brightwhite'],
    ['#e5e5e5', 'white'],
    ['#808080', 'gray'],
    ['#303030', 'black'],
    // muted colours keep their hue instead of collapsing to gray
    ['#5fd75f', 'green'],
    ['#d75f5f', 'red'],
    ['#ffaf00', 'yellow'],
    ['#5f87ff', 'brightblue'],
  ])('%s -> %s', (hex, name) => {
    expect(nearest16(hexToRgb(hex))).toBe(name);
    expect(toDepth(hex, 16)).toBe(name);
  });
});

describe('toDepth', () => {
  it('leaves names and default alone at 16 and 256', () => {
    for (const c of ['brightred', 'gray', 'default', 'white']) {
      expect(toDepth(c, 16)).toBe(c);
      expect(toDepth(c, 256)).toBe(c);
    }
  });
  it('keeps indexes that fit, maps the rest to the nearest ANSI name at 16', () => {
    expect(toDepth(5, 16)).toBe(5);
    expect(toDepth(196, 16)).toBe('brightred');
    expect(toDepth(244, 16)).toBe('gray');
    expect(toDepth(196, 256)).toBe(196);
  });
  it('passes everything through at truecolor and drops everything at none', () => {
    expect(toDepth('#123456', 'truecolor')).toBe('#123456');
    expect(toDepth('#123456', 'none')).toBe('default');
    expect(toDepth(196, 'none')).toBe('default');
  });
});

describe('resolveTheme', () => {
  const valid: Record<string, (c: string | number) => boolean> = {
    '256': (c) => (typeof c === 'number' && c >= 0 && c <= 255) || (typeof c === 'string' && Object.hasOwn(COLOR_NAMES, c)),
    '16': (c) => (typeof c === 'number' && c >= 0 && c <= 15) || (typeof c === 'string' && Object.hasOwn(COLOR_NAMES, c)),
  };
  it.each(SHIPPED)('%s: every colour is valid at 256 and 16', (name) => {
    const { theme, error } = loadTheme(name, [builtinThemesDir()]);
    expect(error).toBeUndefined();
    for (const depth of [256, 16] as const) {
      const r = resolveTheme(theme, depth);
      for (const k of THEME_KEYS) expect(valid[String(depth)]!(r.colors[k]), `${name} ${k} at ${depth}: ${r.colors[k]}`).toBe(true);
      expect(r.attrs).toEqual(theme.attrs);
    }
  });
  it('running and stopped stay different at 16 colours in every shipped theme', () => {
    for (const name of SHIPPED) {
      const r = resolveTheme(loadTheme(name, [builtinThemesDir()]).theme, 16);
      expect(r.colors.stateRunning, name).not.toBe(r.colors.stateStopped);
      expect(r.colors.selectedBg, name).not.toBe(r.colors.bg);
    }
  });
  it('gives the monochrome theme when there is no colour', () => {
    const dark = loadTheme('dark', [builtinThemesDir()]).theme;
    expect(resolveTheme(dark, 'none')).toBe(MONOCHROME_THEME);
  });
  it('themeForTerminal caps truecolor at 256 for blessed and honours NO_COLOR', () => {
    const dark = loadTheme('dark', [builtinThemesDir()]).theme;
    const t = themeForTerminal(dark, { TERM: 'xterm-256color', COLORTERM: 'truecolor' }, true);
    expect(t.colors.stateRunning).toBe(toDepth(dark.colors.stateRunning, 256));
    expect(typeof t.colors.stateRunning).toBe('number');
    expect(themeForTerminal(dark, { TERM: 'xterm-256color', NO_COLOR: '1' }, true)).toBe(MONOCHROME_THEME);
    expect(themeForTerminal(dark, { COLORTERM: 'truecolor' }, true, 'truecolor').colors.stateRunning).toBe(dark.colors.stateRunning);
  });
});


describe('parseColor', () => {
  it('accepts hex, indexes and blessed names', () => {
    expect(parseColor('#ABCDEF')).toBe('#abcdef');
    expect(parseColor(0)).toBe(0);
    expect(parseColor(255)).toBe(255);
    expect(parseColor('196')).toBe(196);
    expect(parseColor('brightred')).toBe('brightred');
    expect(parseColor('lightgray')).toBe('lightgray');
    expect(parseColor('default')).toBe('default');
  });
  it.each(['#12345', '#1234567', 'fff', '#ggg000', 256, -1, 1.5, '300', 'Red', 'orange', 'normal', '', null, true, ['#ff0000']])('rejects %j', (v) => {
    expect(parseColor(v)).toBeNull();
  });
});

function rgbHex(r: number, g: number, b: number): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

describe('nearest colour: the whole-number redmean distance', () => {
  // the distance as it is written in floating point, the reference the integer form must agree with
  const redmean = (a: Rgb, b: Rgb) => {
    const rmean = (a[0] + b[0]) / 2;
    return (2 + rmean / 256) * (a[0] - b[0]) ** 2 + 4 * (a[1] - b[1]) ** 2 + (2 + (255 - rmean) / 256) * (a[2] - b[2]) ** 2;
  };
  const nearest = (palette: readonly Rgb[], rgb: Rgb) => palette.reduce((best, p, i) => (redmean(p, rgb) < redmean(palette[best] as Rgb, rgb) ? i : best), 0);
  const cube = Array.from({ length: 240 }, (_, i) => indexToRgb(i + 16));
  const channel = fc.integer({ min: 0, max: 255 });

  it('picks the same of the 256 as the floating-point formula, ties included', () => {
    fc.assert(
      fc.property(fc.tuple(channel, channel, channel), (rgb) => {
        expect(nearest256(rgb)).toBe(16 + nearest(cube, rgb));
      }),
      { numRuns: 3000 },
    );
    // the cube's own colours and the midpoints between two levels (ties)
    for (const rgb of [...cube, [0x2f, 0x2f, 0x2f], [0xb5, 0x73, 0x2f]] as Rgb[]) expect(nearest256(rgb)).toBe(16 + nearest(cube, rgb));
  });
});
