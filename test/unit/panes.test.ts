import { describe, expect, it } from 'vitest';
import xterm from '@xterm/headless';
import { effectiveKeymap, displayKey } from '../../src/commands/keytable.js';
import { isValidKey } from '../../src/commands/keymap.js';
import { encodeMouse, keyBytes, pasteBytes } from '../../src/pane/input.js';
import { MAIN, PaneLayout } from '../../src/pane/layout.js';
import { cellAttr, DEFAULT_COLOR, FLAG, rgbTo256 } from '../../src/presentation/cells.js';

const AREA = { x: 0, y: 1, w: 120, h: 34 };

describe('pane layout tree', () => {
  it('starts with the list alone and splits right, then down, focusing the new pane', () => {
    const l = new PaneLayout();
    expect(l.rects(AREA)).toEqual(new Map([[MAIN, AREA]]));
    l.split(MAIN, 'p1', 'right');
    expect(l.focused).toBe('p1');
    l.split('p1', 'p2', 'down');
    const r = l.rects(AREA);
    expect(r.get(MAIN)).toEqual({ x: 0, y: 1, w: 60, h: 34 });
    expect(r.get('p1')).toEqual({ x: 60, y: 1, w: 60, h: 17 });
    expect(r.get('p2')).toEqual({ x: 60, y: 18, w: 60, h: 17 });
    expect(l.leaves()).toEqual([MAIN, 'p1', 'p2']);
  });

  it('every cell of the area belongs to exactly one leaf', () => {
    const l = new PaneLayout();
    l.split(MAIN, 'p1', 'right');
    l.split('p1', 'p2', 'down');
    l.split(MAIN, 'p3', 'down');
    const seen = new Map<string, number>();
    for (const [id, r] of l.rects({ x: 0, y: 0, w: 81, h: 23 }))
      for (let y = r.y; y < r.y + r.h; y++)
        for (let x = r.x; x < r.x + r.w; x++) {
          const k = `${x},${y}`;
          expect(seen.has(k), `${k} in ${id}`).toBe(false);
          seen.set(k, 1);
        }
    expect(seen.size).toBe(81 * 23);
  });

  it('closing a pane gives its space to the sibling; the list cannot be closed', () => {
    const l = new PaneLayout();
    l.split(MAIN, 'p1', 'right');
    l.split('p1', 'p2', 'down');
    l.close('p2');
    expect(l.rects(AREA).get('p1')).toEqual({ x: 60, y: 1, w: 60, h: 34 });
    expect(l.focused).toBe('p1');
    l.close(MAIN);
    expect(l.leaves()).toEqual([MAIN, 'p1']);
    l.close('p1');
    expect(l.leaves()).toEqual([MAIN]);
    expect(l.focused).toBe(MAIN);
  });

  it('focus moves in order and by direction', () => {
    const l = new PaneLayout();
    l.split(MAIN, 'p1', 'right');
    l.split('p1', 'p2', 'down');
    l.focusNext();
    expect(l.focused).toBe(MAIN);
    l.focusNext(-1);
    expect(l.focused).toBe('p2');
    l.focusDirection('up', AREA);
    expect(l.focused).toBe('p1');
    l.focusDirection('left', AREA);
    expect(l.focused).toBe(MAIN);
    l.focusDirection('left', AREA);
    expect(l.focused).toBe(MAIN);
  });

  it('zoom shows one leaf over the whole area and splitting unzooms', () => {
    const l = new PaneLayout();
    l.toggleZoom();
    expect(l.zoomed).toBe(null); // nothing to zoom with one leaf
    l.split(MAIN, 'p1', 'right');
    l.toggleZoom();
    expect([...l.rects(AREA)]).toEqual([['p1', AREA]]);
    l.split('p1', 'p2', 'down');
    expect(l.zoomed).toBe(null);
  });

  it('resizes by cells, never below the minimum, and drags dividers', () => {
    const l = new PaneLayout();
    l.split(MAIN, 'p1', 'right');
    l.resize('right', 4, AREA);
    expect(l.rects(AREA).get('p1')?.w).toBe(56);
    for (let i = 0; i < 40; i++) l.resize('right', 4, AREA);
    expect(l.rects(AREA).get('p1')?.w).toBe(4);
    const d = l.dividerAt(60 + 56, 10, AREA) ?? l.dividerAt(116, 10, AREA);
    expect(d).not.toBe(null);
    if (d) l.dragDivider(d, 30, 10);
    expect(l.rects(AREA).get(MAIN)?.w).toBe(30);
    expect(l.dividerAt(10, 10, AREA)).toBe(null);
  });
});

describe('pane input', () => {
  it('encodes mouse reports only in the modes the program asked for', () => {
    const down = { action: 'down', button: 'left', x: 4, y: 2 } as const;
    expect(encodeMouse(down, 'none', 'SGR')).toBe(null);
    expect(encodeMouse(down, 'vt200', 'SGR')).toBe('\x1b[<0;5;3M');
    expect(encodeMouse({ ...down, action: 'up' }, 'vt200', 'SGR')).toBe('\x1b[<0;5;3m');
    expect(encodeMouse(down, 'vt200', 'DEFAULT')).toBe(`\x1b[M${String.fromCharCode(32, 37, 35)}`);
    expect(encodeMouse({ ...down, action: 'up' }, 'vt200', 'DEFAULT')).toBe(`\x1b[M${String.fromCharCode(35, 37, 35)}`);
    expect(encodeMouse({ ...down, action: 'move' }, 'vt200', 'SGR')).toBe(null);
    expect(encodeMouse({ ...down, action: 'move' }, 'drag', 'SGR')).toBe('\x1b[<32;5;3M');
    expect(encodeMouse({ ...down, action: 'wheelup', button: 'none' }, 'vt200', 'SGR')).toBe('\x1b[<64;5;3M');
    expect(encodeMouse({ ...down, action: 'up' }, 'x10', 'DEFAULT')).toBe(null);
  });

  it('sends arrows as SS3 in application cursor mode', () => {
    expect(keyBytes('\x1b[A', true)).toBe('\x1bOA');
    expect(keyBytes('\x1b[A', false)).toBe('\x1b[A');
    expect(keyBytes('x', true)).toBe('x');
  });

  it('brackets pastes when asked, and a paste cannot close the bracket itself', () => {
    expect(pasteBytes('ls\r', true)).toBe('\x1b[200~ls\r\x1b[201~');
    expect(pasteBytes('a\x1b[201~rm -rf /\r', true)).toBe('\x1b[200~arm -rf /\r\x1b[201~');
    expect(pasteBytes('ls\r', false)).toBe('ls\r');
  });
});

describe('emulator cells to screen attributes', () => {
  const cellAt = async (data: string) => {
    const t = new xterm.Terminal({ cols: 10, rows: 2, allowProposedApi: true });
    await new Promise<void>((r) => t.write(data, r));
    const cell = t.buffer.active.getLine(0)?.getCell(0);
    if (!cell) throw new Error('no cell');
    return cellAttr(cell);
  };

  it('maps default, 16, 256 and truecolor with bold/underline/inverse', async () => {
    expect(await cellAt('x')).toBe((DEFAULT_COLOR << 9) | DEFAULT_COLOR);
    expect(await cellAt('\x1b[31;42mx')).toBe((1 << 9) | 2);
    expect(await cellAt('\x1b[38;5;200;48;5;17mx')).toBe((200 << 9) | 17);
    expect(await cellAt('\x1b[38;2;255;0;0mx')).toBe((196 << 9) | DEFAULT_COLOR);
    expect(await cellAt('\x1b[1;4;7mx')).toBe(((FLAG.bold | FLAG.underline | FLAG.inverse) << 18) | (DEFAULT_COLOR << 9) | DEFAULT_COLOR);
  });

  it('truecolor goes to the nearest cube colour or grey', () => {
    expect(rgbTo256(0x000000)).toBe(16);
    expect(rgbTo256(0xffffff)).toBe(231);
    expect(rgbTo256(0x808080)).toBe(244);
    expect(rgbTo256(0x5fafff)).toBe(75);
  });
});

describe('pane keys', () => {
  it('chords are valid keys and show with the prefix', () => {
    expect(isValidKey('C-b %')).toBe(true);
    expect(isValidKey('C-b')).toBe(true);
    expect(isValidKey('C-b  x')).toBe(false);
    expect(displayKey('C-b left')).toBe('Ctrl-b Left');
    const km = effectiveKeymap({});
    expect(km.byCommand.get('pane.split-right')).toEqual(['C-b %', 'C-b |']);
    expect(km.byKey.get('C-b z')).toBe('pane.zoom');
  });

  it('a prefix override moves every default chord to the new prefix', () => {
    const km = effectiveKeymap({ 'pane.prefix': ['C-a'] });
    expect(km.problems).toEqual([]);
    expect(km.byCommand.get('pane.zoom')).toEqual(['C-a z']);
    expect(km.byKey.get('C-a z')).toBe('pane.zoom');
    expect(km.byKey.get('C-b z')).toBe(undefined);
  });

  it('a prefix that clashes is reported and C-b kept', () => {
    const km = effectiveKeymap({ 'pane.prefix': ['q'] });
    expect(km.problems.join('\n')).toMatch(/pane\.prefix: q is already bound to app\.quit/);
    expect(km.byCommand.get('pane.prefix')).toEqual(['C-b']);
    expect(km.byCommand.get('pane.zoom')).toEqual(['C-b z']);
  });
});
