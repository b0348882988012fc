import unicode from 'blessed/lib/unicode.js';

interface Unicode {
  charWidth(str: string | number, i?: number): number;
  __lxcdeckAscii?: boolean;
}

/**
 * blessed asks charWidth about every cell it writes (fullUnicode), and for a
 * plain character its answer comes last: after the combining table, ~40
 * ranges of wide characters and a read of process.env.NCURSES_CJK_WIDTH,
 * ~0.5 µs a cell in code not yet optimised, ~6 ms for the 12 800 cells of a
 * 200x64 first frame. Printable ASCII is width 1 in every one of those
 * branches (none of their ranges starts below U+00A1): answered first.
 */
export function asciiWidthFirst(): void {
  const u = unicode as Unicode;
  if (u.__lxcdeckAscii) return;
  u.__lxcdeckAscii = true;
  const charWidth = u.charWidth;
  u.charWidth = function asciiFirst(str, i) {
    const c = typeof str === 'number' ? str : str.charCodeAt(i ?? 0);
    return c >= 0x20 && c < 0x7f ? 1 : charWidth(str, i);
  };
}
