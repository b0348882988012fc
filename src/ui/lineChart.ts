import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { Disposable } from '../base/disposable.js';
import { CELL_AXIS, CELL_LIMIT, CELL_SERIES, CELL_TEXT, cellChar, chartFrame, type ChartFrame, type ChartInput } from '../presentation/chart.js';
import { paintBorder, type Coords, type DrawnElement } from './screen.js';

export interface LineChartOptions {
  top: number;
  left: number;
  width: number;
  height: number;
  label: string;
  /** xterm colour indexes; undefined = the terminal default. */
  colors: { text?: number; axis?: number; border?: number; limit?: number };
}

export interface LineChartData {
  series: { label: string; values: readonly number[]; color?: number }[];
  xLabel: string;
  legend: boolean;
  /** Whole-number values: whole-number axis labels. */
  integer?: boolean;
  /** A limit line (memory.max, pids.max) in the series' unit; null: no limit. */
  limit?: { value: number; label: string } | null;
}

/**
 * A bordered, labelled braille line chart. The frame is laid out once per
 * setData (or resize) by presentation/chart; a render only copies border,
 * label and chart cells into the screen buffer, touching the cells that
 * changed. (It replaced blessed-contrib's line, which re-rasterised a canvas
 * and re-parsed its text on every render.)
 */
export class LineChart implements Disposable {
  readonly box: blessed.Widgets.BoxElement;
  private data: LineChartData = { series: [], xLabel: '', legend: false };
  private frame: ChartFrame | null = null;

  constructor(
    parent: blessed.Widgets.Node,
    private readonly options: LineChartOptions,
  ) {
    const { top, left, width, height } = options;
    this.box = widgets.box({ parent, top, left, width, height });
    // the whole element is drawn here: border, label and chart cells. blessed's
    // own render walks every cell of a box through its tag and unicode
    // handling before a painter could overwrite them, and a label is a child
    // element of its own; for six charts a frame that was most of the work
    const el = this.box as unknown as DrawnElement;
    el.render = () => this.render(el);
  }

  setLabel(label: string): void {
    this.options.label = label;
  }

  setData(data: LineChartData): void {
    this.data = data;
    this.frame = null;
  }

  private layout(width: number, height: number): ChartFrame {
    if (this.frame && this.frame.width === width && this.frame.height === height) return this.frame;
    const input: ChartInput = { width, height, series: this.data.series, xLabel: this.data.xLabel, legend: this.data.legend, ...(this.data.integer ? { integer: true } : {}), ...(this.data.limit ? { limit: this.data.limit } : {}) };
    this.frame = chartFrame(input);
    return this.frame;
  }

  private render(el: DrawnElement): Coords | undefined {
    el._emit('prerender');
    const coords = el._getCoords(true);
    if (!coords) {
      delete el.lpos;
      return undefined;
    }
    if (coords.xl - coords.xi <= 0 || coords.yl - coords.yi <= 0) return undefined;
    el.lpos = coords;
    // as blessed registers a bordered element's edges, for dockBorders
    el.screen._borderStops[coords.yi] = true;
    el.screen._borderStops[coords.yl - 1] = true;
    const w = el.width - 2;
    const h = el.height - 2;
    const frame = w > 0 && h > 0 ? this.layout(w, h) : null;
    const base = el.sattr(el.style);
    const withFg = (c: number | undefined) => (c === undefined ? base : (base & ~(0x1ff << 9)) | ((c & 0x1ff) << 9));
    const { text, axis, border, limit } = this.options.colors;
    const limitAttr = withFg(limit);
    const borderAttr = withFg(border);
    const attrs = [base, withFg(text), withFg(axis), ...this.data.series.map((s) => withFg(s.color))];
    paintBorder(el, coords, borderAttr, { text: this.options.label, attr: base });
    const x0 = el.aleft + 1;
    const y0 = el.atop + 1;
    const lines = el.screen.lines;
    for (let y = Math.max(y0, coords.yi); y < y0 + h && y < coords.yl; y++) {
      const line = lines[y];
      if (!line) continue;
      for (let x = Math.max(x0, coords.xi); x < x0 + w && x < coords.xl; x++) {
        const cell = line[x];
        if (!cell) break;
        let attr = base;
        let ch = ' ';
        if (frame) {
          const i = (y - y0) * frame.width + (x - x0);
          const kind = frame.kinds[i] as number;
          attr = kind === CELL_LIMIT ? limitAttr : kind === CELL_TEXT || kind === CELL_AXIS || kind >= CELL_SERIES ? (attrs[kind] ?? base) : base;
          ch = cellChar(frame.chars[i] as number);
        }
        if (cell[0] !== attr || cell[1] !== ch) {
          cell[0] = attr;
          cell[1] = ch;
          line.dirty = true;
        }
      }
    }
    el._emit('render', [coords]);
    return coords;
  }

  dispose(): void {
    this.box.destroy();
  }
}
