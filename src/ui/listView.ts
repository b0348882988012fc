import blessed from 'blessed';
import type { Disposable } from '../base/disposable.js';
import { cellText, fit, fitColumns, stateStyle, type Column, type ListItem, type LiveFacts } from '../presentation/rows.js';
import type { AppStore } from '../state/store.js';
import { bg, esc, fg, type Palette } from './style.js';

const STATE_KEY = { running: 'stateRunning', stopped: 'stateStopped', frozen: 'stateFrozen', transition: 'stateTransition' } as const;

/**
 * The container table, drawn as tagged text into one box: a header, then a
 * row per item, the selection kept in view. Clicks select, the wheel moves.
 */
export class ListView implements Disposable {
  readonly box: blessed.Widgets.BoxElement;
  private items: ListItem[] = [];
  private offset = 0;

  constructor(
    parent: blessed.Widgets.Node,
    private readonly store: AppStore,
    private readonly live: (name: string) => LiveFacts | undefined,
    private palette: Palette,
    onSelect: () => void,
  ) {
    this.box = blessed.box({ parent, tags: true, mouse: true, border: { type: 'line' }, label: ' containers ', style: {} });
    this.box.on('click', (data: { y: number }) => {
      const row = data.y - (this.box.atop as number) - 2 + this.offset;
      const item = this.items[row];
      if (item?.kind === 'container') {
        this.store.selected = item.container.name;
        onSelect();
      }
    });
    this.box.on('wheeldown', () => this.moveBy(3, onSelect));
    this.box.on('wheelup', () => this.moveBy(-3, onSelect));
  }

  setPalette(p: Palette): void {
    this.palette = p;
  }

  setItems(items: ListItem[]): void {
    this.items = items;
  }

  /** Container names in display order (for moving the selection). */
  names(): string[] {
    return this.items.flatMap((i) => (i.kind === 'container' ? [i.container.name] : []));
  }

  private moveBy(delta: number, onSelect: () => void): void {
    const names = this.names();
    const i = Math.max(0, Math.min(names.length - 1, names.indexOf(this.store.selected ?? '') + delta));
    this.store.selected = names[i] ?? null;
    onSelect();
  }

  /** Rows that fit inside the border, below the header. */
  get pageSize(): number {
    return Math.max(1, (this.box.height as number) - 3);
  }

  draw(focused: boolean): void {
    const p = this.palette;
    const width = Math.max(10, (this.box.width as number) - 2);
    const cols = fitColumns(width);
    const header = fg(p, 'header', esc(`  ${cols.map((c) => fit(this.headerTitle(c), c.width, c.align)).join(' ')}`));
    const sel = this.items.findIndex((i) => i.kind === 'container' && i.container.name === this.store.selected);
    const page = this.pageSize;
    if (sel >= 0) {
      if (sel < this.offset) this.offset = sel;
      if (sel >= this.offset + page) this.offset = sel - page + 1;
    }
    this.offset = Math.max(0, Math.min(this.offset, Math.max(0, this.items.length - page)));
    const lines = this.items.slice(this.offset, this.offset + page).map((item) => this.line(item, cols, width));
    const filter = this.store.filter ? ` filter: ${this.store.filter} ` : '';
    this.box.setLabel(` containers ${this.store.containers.length}${filter ? ` —${esc(filter)}` : ''} `);
    this.box.style.border = { fg: (focused ? p.borderFocus : p.border) ?? undefined } as never;
    this.box.setContent([header, ...lines].join('\n'));
  }

  private headerTitle(c: Column): string {
    const s = this.store.sort;
    if (s.column === c.id) return `${c.title}${s.reverse ? '▼' : '▲'}`;
    return c.title;
  }

  private line(item: ListItem, cols: Column[], width: number): string {
    const p = this.palette;
    if (item.kind === 'group') return fg(p, 'title', esc(fit(`▸ ${item.label} (${item.count})`, width)));
    const c = item.container;
    const live = this.live(c.name);
    const marked = this.store.marked.has(c.name);
    const cells = cols.map((col) => {
      const text = esc(fit(cellText(col, c, live), col.width, col.align));
      if (col.id === 'state') return fg(p, STATE_KEY[stateStyle(c.state)], text);
      if (col.id === 'spark') return fg(p, 'sparkline', text);
      return text;
    });
    const row = `${marked ? '*' : ' '} ${cells.join(' ')}`;
    if (c.name === this.store.selected) return `{inverse}${row}{/inverse}`;
    return marked ? bg(p, 'marked', row) : row;
  }

  dispose(): void {
    this.box.destroy();
  }
}
