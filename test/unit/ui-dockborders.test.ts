import blessed from 'blessed';
import { describe, expect, it } from 'vitest';
import { speedUpDockBorders } from '../../src/ui/screen.js';

type Cell = [number, string];

/** A fake screen carrying blessed's own dockBorders and angle function. */
function fakeScreen(rows: string[], attrs: number[][], stops: number[]) {
  const proto = (blessed as unknown as { widget: { Screen: { prototype: Record<string, unknown> } } }).widget.Screen.prototype;
  const lines = rows.map((r, y) => Object.assign([...r].map((ch, x): Cell => [attrs[y]?.[x] ?? 0, ch]), { dirty: false }));
  return {
    lines,
    width: rows[0]?.length ?? 0,
    options: {},
    _borderStops: Object.fromEntries(stops.map((y) => [y, true])),
    _dockBorders: proto._dockBorders,
    _getAngle: proto._getAngle,
  } as unknown as { lines: (Cell[] & { dirty: boolean })[]; _dockBorders(): void };
}

const text = (s: { lines: Cell[][] }) => s.lines.map((l) => l.map((c) => c[1]).join(''));

describe('the faster dockBorders', () => {
  it('joins borders exactly as blessed does, on random box-drawing grids', () => {
    const alphabet = [...'┘┐┌└┼├┤┴┬│─ ab'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let trial = 0; trial < 300; trial++) {
      const h = 2 + rnd(6);
      const w = 2 + rnd(12);
      const rows = Array.from({ length: h }, () => Array.from({ length: w }, () => alphabet[rnd(alphabet.length)]).join(''));
      const attrs = Array.from({ length: h }, () => Array.from({ length: w }, () => (rnd(8) === 0 ? 1 : 0)));
      const stops = Array.from({ length: h }, (_, y) => y).filter(() => rnd(2) === 0);
      const theirs = fakeScreen(rows, attrs, stops);
      const ours = fakeScreen(rows, attrs, stops);
      speedUpDockBorders(ours as never);
      theirs._dockBorders();
      ours._dockBorders();
      expect(text(ours)).toEqual(text(theirs));
      // a row whose text changed is marked for drawing
      ours.lines.forEach((l, y) => {
        if (l.map((c) => c[1]).join('') !== rows[y]) expect(l.dirty).toBe(true);
      });
    }
  });

  it('joins two touching boxes into tees', () => {
    const rows = ['┌──┐┌──┐', '│  ││  │', '└──┘└──┘'];
    const s = fakeScreen(rows, [], [0, 2]);
    speedUpDockBorders(s as never);
    s._dockBorders();
    expect(text(s)).toEqual(rows);
    const t = fakeScreen(['┌──┬──┐', '│  │  │', '├──┼──┤', '└──┴──┘'], [], [0, 2, 3]);
    speedUpDockBorders(t as never);
    t._dockBorders();
    expect(text(t)[2]).toBe('├──┼──┤');
  });
});
