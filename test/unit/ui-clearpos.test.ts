import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import { afterEach, describe, expect, it } from 'vitest';
import { clearOnlyWhatWasDrawn } from '../../src/ui/clearPos.js';

describe('clearOnlyWhatWasDrawn', () => {
  let screen: blessed.Widgets.Screen | null = null;
  afterEach(() => {
    screen?.destroy();
    screen = null;
  });
  const text = (y: number) => (screen as unknown as { lines: [number, string][][] }).lines[y]?.map((c) => c[1]).join('') ?? '';

  it('a box never drawn leaves the cells under it alone when it is sized; a drawn one still blanks its old place', () => {
    clearOnlyWhatWasDrawn();
    const output = Object.assign(new PassThrough(), { columns: 20, rows: 4, isTTY: true });
    screen = blessed.screen({ input: new PassThrough() as never, output: output as never, terminal: 'xterm', warnings: false });
    blessed.box({ parent: screen, top: 0, left: 0, width: 10, height: 1, content: 'AAAAAAAAAA' });
    screen.render();
    expect(text(0).startsWith('AAAAAAAAAA')).toBe(true);
    // a new box over it, sized before its first render: blessed blanked its place in the buffer (the A's)
    const fresh = blessed.box({ parent: screen, top: 0, left: 0, width: 4, height: 1 });
    fresh.width = 6;
    expect(text(0).startsWith('AAAAAAAAAA')).toBe(true);
    // drawn, then made smaller: its old place is blanked as blessed does
    const drawn = blessed.box({ parent: screen, top: 2, left: 0, width: 8, height: 1, content: 'BBBBBBBB' });
    screen.render();
    expect(text(2).startsWith('BBBBBBBB')).toBe(true);
    drawn.width = 3;
    expect(text(2).startsWith('        ')).toBe(true);
  });
});
