import type { IBufferCell } from '@xterm/headless';
import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { Disposable } from '../base/disposable.js';
import type { Rect } from '../pane/layout.js';
import type { PaneSession } from '../pane/session.js';
import { cellAttr, invertAttr, packAttr, DEFAULT_COLOR } from '../presentation/cells.js';
import { sanitize } from '../presentation/format.js';
import type { Coords, Line } from './screen.js';
import { rgbCodeFor } from './trueColor.js';
import { color, esc, type Palette } from './style.js';

/** Scroll (copy) mode: a line cursor over the scrollback, a selection, a search. */
export interface ScrollState {
  /** Absolute buffer line at the top of the pane. */
  top: number;
  /** Absolute buffer line of the line cursor. */
  line: number;
  /** Selection anchor (line-wise), when selecting. */
  anchor: number | null;
  search: string;
  /** Typing a search (after '/'). */
  editing: boolean;
}


/**
 * A pane on screen: a bordered box whose inside is painted straight from the
 * emulator's cell buffer into blessed's screen lines (no tags, no parsing of
 * container output). The border carries container, kind, title and state.
 */
export class PaneView implements Disposable {
  readonly box: blessed.Widgets.BoxElement;
  scroll: ScrollState | null = null;
  focused = false;
  /** Shown alone over the whole area (tmux marks it Z). */
  zoomed = false;
  /** Why the program ended, shown in the border until re-attached. */
  ended: string | null = null;
  private label = '';
  /** How a 24-bit cell colour is packed on this screen. */
  private readonly rgb: (rgb: number) => number;

  constructor(
    parent: blessed.Widgets.Screen,
    readonly id: string,
    readonly session: PaneSession,
    private palette: Palette,
  ) {
    this.box = widgets.box({ parent, border: { type: 'line' }, mouse: true, tags: false, style: {} });
    this.rgb = rgbCodeFor(parent);
    const box = this.box as unknown as { render(): Coords | undefined; ileft: number; itop: number; iright: number; ibottom: number };
    const base = box.render.bind(box);
    box.render = () => {
      const ret = base();
      if (ret) this.paint(ret, box);
      return ret;
    };
  }

  setPalette(p: Palette): void {
    this.palette = p;
  }

  /** The inside of the pane (inside the border): the program's terminal size. */
  static inner(r: Rect): { cols: number; rows: number } {
    return { cols: Math.max(2, r.w - 2), rows: Math.max(1, r.h - 2) };
  }

  place(r: Rect): void {
    this.box.left = r.x;
    this.box.top = r.y;
    this.box.width = r.w;
    this.box.height = r.h;
    this.box.show();
    const { cols, rows } = PaneView.inner(r);
    this.session.resize(cols, rows);
    if (this.scroll) this.clampScroll();
  }

  hide(): void {
    this.box.hide();
  }

  /** Updates the border from the session (call once per frame). */
  drawChrome(prefixArmed: boolean): void {
    const p = this.palette;
    const s = this.session.spec;
    const kind = s.kind === 'console' ? `console${s.tty ? ` tty${s.tty}` : ''}` : s.kind;
    const title = sanitize(this.session.title).slice(0, 60);
    let state = '';
    if (this.ended) state = ` — ${this.ended}`;
    else if (this.scroll) state = this.scroll.editing ? ` — search: ${this.scroll.search}█` : ` — SCROLL ${this.scrollPosition()}${this.scroll.anchor !== null ? ' selecting' : ''}`;
    else if (this.focused && prefixArmed) state = ' — PREFIX';
    const label = ` ${this.focused ? '▶ ' : ''}${sanitize(s.container)} · ${kind}${title ? ` · ${title}` : ''}${state}${this.zoomed ? ' · ZOOMED (prefix z: back)' : ''} `;
    if (label !== this.label) {
      this.label = label;
      this.box.setLabel(esc(label));
    }
    this.box.style.border = { fg: color(p, this.focused ? 'borderFocus' : 'border') } as never;
  }

  private scrollPosition(): string {
    const buf = this.session.term.buffer.active;
    const back = buf.baseY - (this.scroll?.top ?? buf.baseY);
    return back > 0 ? `-${back}` : 'bottom';
  }

  // ---- scroll mode ---------------------------------------------------------

  enterScroll(): void {
    const buf = this.session.term.buffer.active;
    this.scroll = { top: buf.baseY, line: buf.baseY + buf.cursorY, anchor: null, search: '', editing: false };
  }

  leaveScroll(): void {
    this.scroll = null;
  }

  /** Moves the line cursor (and the view with it) by `delta` lines. */
  scrollBy(delta: number): void {
    if (!this.scroll) this.enterScroll();
    const s = this.scroll as ScrollState;
    const buf = this.session.term.buffer.active;
    s.line = Math.max(0, Math.min(buf.length - 1, s.line + delta));
    this.clampScroll();
  }

  scrollTo(where: 'top' | 'bottom'): void {
    if (!this.scroll) this.enterScroll();
    const buf = this.session.term.buffer.active;
    (this.scroll as ScrollState).line = where === 'top' ? 0 : buf.length - 1;
    this.clampScroll();
  }

  /** Finds the next line (backwards by default, like tmux) containing the search text. */
  findNext(backwards = true): boolean {
    const s = this.scroll;
    if (!s || !s.search) return false;
    const buf = this.session.term.buffer.active;
    const needle = s.search.toLowerCase();
    for (let i = 1; i <= buf.length; i++) {
      const y = backwards ? s.line - i : s.line + i;
      if (y < 0 || y >= buf.length) break;
      if (buf.getLine(y)?.translateToString(true).toLowerCase().includes(needle)) {
        s.line = y;
        this.clampScroll();
        return true;
      }
    }
    return false;
  }

  /** The selected lines (or the cursor line), as plain text. */
  selectedText(): string {
    const s = this.scroll;
    if (!s) return '';
    const buf = this.session.term.buffer.active;
    const [a, b] = s.anchor === null ? [s.line, s.line] : [Math.min(s.anchor, s.line), Math.max(s.anchor, s.line)];
    const out: string[] = [];
    for (let y = a; y <= b; y++) out.push(buf.getLine(y)?.translateToString(true) ?? '');
    return out.join('\n');
  }

  private clampScroll(): void {
    const s = this.scroll;
    if (!s) return;
    const buf = this.session.term.buffer.active;
    const rows = this.session.term.rows;
    if (s.line < s.top) s.top = s.line;
    if (s.line >= s.top + rows) s.top = s.line - rows + 1;
    s.top = Math.max(0, Math.min(buf.baseY, s.top));
  }

  // ---- painting --------------------------------------------------------------

  private paint(ret: Coords, box: { ileft: number; itop: number; iright: number; ibottom: number }): void {
    const lines = (this.box.screen as unknown as { lines: Line[] }).lines;
    const term = this.session.term;
    const buf = term.buffer.active;
    const xi = ret.xi + box.ileft;
    const xl = ret.xl - box.iright;
    const yi = ret.yi + box.itop;
    const yl = ret.yl - box.ibottom;
    const s = this.scroll;
    const top = s ? s.top : buf.baseY;
    const cursorRow = !s && this.focused && !this.ended && !this.session.cursorHidden ? buf.baseY + buf.cursorY : -1;
    const [selA, selB] = s ? (s.anchor === null ? [s.line, s.line] : [Math.min(s.anchor, s.line), Math.max(s.anchor, s.line)]) : [-1, -1];
    const blank = packAttr(0, DEFAULT_COLOR, DEFAULT_COLOR);
    // one cell object, refilled by getCell for every cell of the frame
    let cell: IBufferCell | undefined;
    for (let y = yi; y < yl; y++) {
      const row = lines[y];
      if (!row) break;
      const abs = top + (y - yi);
      const src = buf.getLine(abs);
      const selected = abs >= selA && abs <= selB;
      for (let x = xi; x < xl; x++) {
        const out = row[x];
        if (!out) break;
        let attr = blank;
        let ch = ' ';
        const c = src?.getCell(x - xi, cell);
        if (c) {
          cell = c;
          const w = c.getWidth();
          if (w > 0) {
            ch = c.getChars() || ' ';
            attr = cellAttr(c, this.rgb);
            // a wide character at the last column cannot be drawn: blank it
            if (w === 2 && x === xl - 1) ch = ' ';
          }
        }
        if (selected || (abs === cursorRow && x - xi === buf.cursorX)) attr = invertAttr(attr);
        out[0] = attr;
        out[1] = ch;
      }
      row.dirty = true;
    }
    if (this.ended) this.paintBar(lines, xi, xl, yl - 1, `${this.ended}: Enter re-attaches`);
  }

  /** A message across the pane's last row (why the program ended). */
  private paintBar(lines: Line[], xi: number, xl: number, y: number, text: string): void {
    const row = lines[y];
    if (!row) return;
    const chars = [...` ${text} `.padEnd(xl - xi)];
    const attr = invertAttr(packAttr(0, DEFAULT_COLOR, DEFAULT_COLOR));
    for (let x = xi; x < xl; x++) {
      const out = row[x];
      if (!out) break;
      out[0] = attr;
      out[1] = chars[x - xi] ?? ' ';
    }
    row.dirty = true;
  }

  dispose(): void {
    this.box.destroy();
  }
}
