import { describe, expect, it } from 'vitest';
import { MAIN, PaneLayout } from '../../src/pane/layout.js';
import { LayoutMouse } from '../../src/ui/paneInput.js';

const AREA = { x: 0, y: 1, w: 120, h: 34 };

describe('the mouse over the pane layout', () => {
  it('a click focuses the leaf under it; a divider drags with the mouse and lets go on mouseup', () => {
    const l = new PaneLayout();
    l.split(MAIN, 'p1', 'right');
    let relayouts = 0;
    const m = new LayoutMouse(l, () => AREA, () => relayouts++);
    expect(m.event({ x: 10, y: 10, action: 'mousedown' })).toBe(false);
    expect(l.focused).toBe(MAIN);
    expect(relayouts).toBe(1);
    // the boundary: the last column of the left leaf
    expect(m.event({ x: 59, y: 10, action: 'mousedown' })).toBe(true);
    expect(m.dragging).toBe(true);
    expect(m.event({ x: 30, y: 10, action: 'mousemove' })).toBe(true);
    expect(l.rects(AREA).get(MAIN)?.w).toBe(30);
    expect(m.event({ x: 30, y: 10, action: 'mouseup' })).toBe(true);
    expect(m.dragging).toBe(false);
    expect(m.event({ x: 90, y: 10, action: 'mousemove' })).toBe(false);
    expect(l.rects(AREA).get(MAIN)?.w).toBe(30);
  });
});
