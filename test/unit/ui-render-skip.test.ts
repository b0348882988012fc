import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import { afterEach, describe, expect, it } from 'vitest';
import { renderOnlyWhenChanged, setText } from '../../src/ui/screen.js';

describe('renderOnlyWhenChanged', () => {
  let screen: blessed.Widgets.Screen | null = null;
  afterEach(() => {
    screen?.destroy();
    screen = null;
  });

  it('re-renders a box only when it or the top-level scene changed', () => {
    const output = Object.assign(new PassThrough(), { columns: 40, rows: 10, isTTY: true });
    screen = blessed.screen({ input: new PassThrough() as never, output: output as never, terminal: 'xterm', warnings: false });
    const box = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 1, tags: true });
    renderOnlyWhenChanged(box);
    let renders = 0;
    box.on('prerender', () => renders++);
    const text = (y: number) => (screen as unknown as { lines: [number, string][][] }).lines[y]?.map((c) => c[1]).join('') ?? '';
    setText(box, 'hello');
    screen.render();
    screen.render();
    expect(renders).toBe(1);
    setText(box, 'world');
    screen.render();
    expect(renders).toBe(2);
    expect(text(0).startsWith('world')).toBe(true);
    // an overlay over the box: drawn on top while open, and the box repainted once it goes
    const overlay = blessed.box({ parent: screen, top: 0, left: 0, width: 10, height: 3, content: 'OVERLAY' });
    screen.render();
    expect(text(0).startsWith('OVERLAY')).toBe(true);
    overlay.destroy();
    screen.render();
    expect(text(0).startsWith('world')).toBe(true);
    expect(renders).toBe(4);
  });
});
