import unicode from 'blessed/lib/unicode.js';
import { describe, expect, it } from 'vitest';
import { asciiWidthFirst } from '../../src/ui/charWidth.js';

const u = unicode as { charWidth(s: string | number, i?: number): number };

describe('asciiWidthFirst', () => {
  it("answers every character as blessed's own charWidth does", () => {
    const samples = [' ', 'a', '~', '\x7f', '\t', '\x1b', '\0', '─', '│', '●', '▲', '…', '中', 'ｱ', '😀', '\u0301', 'é', '¡'];
    const codes = Array.from({ length: 0x3100 }, (_, c) => c);
    const before = [...samples.map((s) => u.charWidth(s)), ...codes.map((c) => u.charWidth(c)), u.charWidth('ab中', 2), u.charWidth('x😀', 1)];
    asciiWidthFirst();
    const after = [...samples.map((s) => u.charWidth(s)), ...codes.map((c) => u.charWidth(c)), u.charWidth('ab中', 2), u.charWidth('x😀', 1)];
    expect(after).toEqual(before);
    expect(u.charWidth('中')).toBe(2);
    expect(u.charWidth('a')).toBe(1);
  });
});
