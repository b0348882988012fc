import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { Disposable } from '../base/disposable.js';
import { cellChar } from '../presentation/chart.js';
import { cellText, fit, fitColumns, stateStyle, type Column, type ListItem, type LiveFacts } from '../presentation/rows.js';
import type { AppStore } from '../state/store.js';
import { drawFramed, noLabelRenderOnResize, setText } from './screen.js';
import { color, esc, type Palette } from './style.js';

const INVERSE = 8; // blessed's attribute flag bits: bold 1, underline 2, blink 4, inverse 8

/** One painted row: a character and an attribute per cell. */
interface Row {
  chars: string[];
  attrs: number[];
}

function toRow(segments: [number, string][]): Row {
  const chars: string[] = [];
  const attrs: number[] = [];
  for (const [attr, text] of segments)
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // a surrogate pair is one cell; everything else an interned one-unit string
      const pair = c >= 0xd800 && c < 0xdc00 && i + 1 < text.length;
      chars.push(pair ? text.slice(i, ++i + 1) : cellChar(c));
      attrs.push(attr);
    }
  return { chars, attrs };
}

const STATE_KEY = { running: 'stateRunning', stopped: 'stateStopped', frozen: 'stateFrozen', transition: 'stateTransition' } as const;

/**
 * The container table: a header, then a row per item, the selection kept in
 * view. Rows are cells (character + attribute) cached per container and
 * rebuilt only when what they show changes, painted straight into blessed's
 * screen buffer after the box's border: no tag markup to build and re-parse
 * every tick. Clicks select, the wheel moves.
 */
export class ListView implements Disposable {
  readonly box: blessed.Widgets.BoxElement;
  private items: ListItem[] = [];
  private offset = 0;
  /** Formatted rows by workload, rebuilt only when a row's cells or marks change. */
  private rows = new Map<string, Row>();
  /** This frame's rows, header first, as painted. */
  private lines: Row[] = [];
  private label = '';
  private borderFg: string | undefined = undefined;

  constructor(
    parent: blessed.Widgets.Node,
    private readonly store: AppStore,
    private readonly live: (key: string) => LiveFacts | undefined,
    private palette: Palette,
    onSelect: () => void,
  ) {
    this.box = widgets.box({ parent, tags: true, mouse: true, border: { type: 'line' }, label: ' containers ', style: {} });
    noLabelRenderOnResize(this.box);
    // rows are painted straight into the screen; blessed draws the box's text
    // only for the message shown while the list is empty
    drawFramed(
      this.box,
      (coords) => this.paint(coords),
      () => this.items.length === 0,
    );
    this.box.on('click', (data: { y: number }) => {
      const row = data.y - (this.box.atop as number) - 2 + this.offset;
      const item = this.items[row];
      if (item?.kind === 'row') {
        this.store.selected = item.workload.key;
        onSelect();
      }
    });
    this.box.on('wheeldown', () => this.moveBy(3, onSelect));
    this.box.on('wheelup', () => this.moveBy(-3, onSelect));
  }

  setPalette(p: Palette): void {
    this.palette = p;
    this.rows.clear();
    this.borderFg = undefined;
  }

  setItems(items: ListItem[]): void {
    this.items = items;
  }

  /** Workload keys in display order (for moving the selection). */
  keys(): string[] {
    return this.items.flatMap((i) => (i.kind === 'row' ? [i.workload.key] : []));
  }

  private moveBy(delta: number, onSelect: () => void): void {
    const keys = this.keys();
    const i = Math.max(0, Math.min(keys.length - 1, keys.indexOf(this.store.selected ?? '') + delta));
    this.store.selected = keys[i] ?? null;
    onSelect();
  }

  /** Rows that fit inside the border, below the header. */
  get pageSize(): number {
    return Math.max(1, (this.box.height as number) - 3);
  }

  /** `markFocus`: panes share the screen, so say (▶) when the list has the keys. */
  draw(focused: boolean, markFocus = false): void {
    const p = this.palette;
    const width = Math.max(10, (this.box.width as number) - 2);
    const cols = fitColumns(width, this.store.workloads.some((w) => w.groups.length > 0), this.store.workloads.some((w) => w.id.lxcpath !== undefined));
    const sel = this.items.findIndex((i) => i.kind === 'row' && i.workload.key === this.store.selected);
    const page = this.pageSize;
    if (sel >= 0) {
      if (sel < this.offset) this.offset = sel;
      if (sel >= this.offset + page) this.offset = sel - page + 1;
    }
    this.offset = Math.max(0, Math.min(this.offset, Math.max(0, this.items.length - page)));
    const rows = new Map<string, Row>();
    const title = `  ${cols.map((c) => fit(this.headerTitle(c), c.width, c.align)).join(' ')}`;
    const header = this.row(`\0header\0${title}`, rows, () => [[this.fgAttr('header'), title]]);
    this.lines = [header, ...this.items.slice(this.offset, this.offset + page).map((item) => this.line(item, cols, width, rows))];
    this.rows = rows;
    const filter = this.store.filter ? ` filter: ${this.store.filter} ` : '';
    const jobs = this.store.workloads.filter((w) => w.id.kind === 'job').length;
    const counts = `containers ${this.store.workloads.length - jobs}${jobs ? ` + jobs ${jobs}` : ''}`;
    // with panes beside it, ▶ says the list has the keys (as a focused pane's border does)
    const label = ` ${focused && markFocus ? '▶ ' : ''}${counts}${filter ? ` —${esc(filter)}` : ''} `;
    if (label !== this.label) {
      this.label = label;
      this.box.setLabel(label);
    }
    const borderFg = (focused ? p.borderFocus : p.border) ?? undefined;
    if (borderFg !== this.borderFg || !this.box.style.border) {
      this.borderFg = borderFg;
      this.box.style.border = { fg: borderFg } as never;
    }
    if (this.items.length > 0) setText(this.box, '');
  }

  private headerTitle(c: Column): string {
    const s = this.store.sort;
    if (s.column === c.id) return `${c.title}${s.reverse ? '▼' : '▲'}`;
    return c.title;
  }

  /** blessed's cell attribute (flags << 18 | fg << 9 | bg) for a palette colour as foreground. */
  private fgAttr(key: string, base = this.baseAttr()): number {
    const c = color(this.palette, key);
    return c === undefined ? base : (base & ~(0x1ff << 9)) | ((Number(c) & 0x1ff) << 9);
  }

  /** The selected row: the theme's selection colours, inverse video when it has none (monochrome). */
  private selectedAttr(base: number): number {
    const fg = color(this.palette, 'selectedFg');
    const bg = color(this.palette, 'selectedBg');
    if (bg === undefined) return base | (INVERSE << 18);
    const withBg = (base & ~0x1ff) | (Number(bg) & 0x1ff);
    return fg === undefined ? withBg : (withBg & ~(0x1ff << 9)) | ((Number(fg) & 0x1ff) << 9);
  }

  private baseAttr(): number {
    const b = this.box as unknown as { sattr(style: unknown): number; style: unknown };
    return b.sattr(b.style);
  }

  /** The cached row for `key`, or a new one from its segments. */
  private row(key: string, rows: Map<string, Row>, segments: () => [number, string][]): Row {
    const cached = this.rows.get(key);
    const r = cached ?? toRow(segments());
    rows.set(key, r);
    return r;
  }

  private line(item: ListItem, cols: Column[], width: number, rows: Map<string, Row>): Row {
    if (item.kind === 'group') {
      const text = fit(`▸ ${item.label} (${item.count})`, width);
      return this.row(`\0group\0${text}`, rows, () => [[this.fgAttr('title'), text]]);
    }
    const c = item.workload;
    const live = this.live(c.key);
    const marked = this.store.marked.has(c.key);
    const selected = c.key === this.store.selected;
    const texts = cols.map((col) => cellText(col, c, live));
    // the cells' plain text, the marks and the column set say everything the row shows
    const key = `${c.key}\0${marked ? 1 : 0}${selected ? 1 : 0}${c.state}\0${width}\0${texts.join('\0')}`;
    return this.row(key, rows, () => {
      let base = this.baseAttr();
      if (selected) base = this.selectedAttr(base);
      else if (marked) {
        const m = color(this.palette, 'marked');
        if (m !== undefined) base = (base & ~0x1ff) | (Number(m) & 0x1ff);
      }
      const segments: [number, string][] = [[base, `${marked ? '*' : ' '} `]];
      cols.forEach((col, i) => {
        const text = fit(texts[i] as string, col.width, col.align);
        const attr = col.id === 'state' ? this.fgAttr(STATE_KEY[stateStyle(c.state)], base) : col.id === 'spark' ? this.fgAttr('sparkline', base) : base;
        segments.push([attr, text], [base, ' ']);
      });
      segments.pop();
      return segments;
    });
  }

  /** Copies the rows into the screen buffer inside the border, touching only changed cells. */
  private paint(coords: { xi: number; xl: number; yi: number; yl: number }): void {
    if (this.items.length === 0) return;
    const b = this.box as unknown as { aleft: number; atop: number; width: number; height: number; screen: { lines: ([number, string][] & { dirty?: boolean })[] } };
    const blank = this.baseAttr();
    const x0 = b.aleft + 1;
    const y0 = b.atop + 1;
    const xFrom = Math.max(x0, coords.xi + 1);
    const xTo = Math.min(x0 + b.width - 2, coords.xl - 1);
    const yFrom = Math.max(y0, coords.yi + 1);
    const yTo = Math.min(y0 + b.height - 2, coords.yl - 1);
    const lines = b.screen.lines;
    for (let y = yFrom; y < yTo; y++) {
      const line = lines[y];
      if (!line) continue;
      const r = this.lines[y - y0];
      for (let x = xFrom; x < xTo; x++) {
        const cell = line[x];
        if (!cell) break;
        const i = x - x0;
        const attr = r && i < r.chars.length ? (r.attrs[i] as number) : blank;
        const ch = r && i < r.chars.length ? (r.chars[i] as string) : ' ';
        if (cell[0] !== attr || cell[1] !== ch) {
          cell[0] = attr;
          cell[1] = ch;
          line.dirty = true;
        }
      }
    }
  }

  dispose(): void {
    this.box.destroy();
  }
}
