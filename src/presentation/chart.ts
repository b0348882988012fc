/**
 * A line chart as terminal cells: braille dots (2x4 per cell) for the lines,
 * y labels and an axis at the left, x labels under it, an optional legend.
 * Pure: the view maps each cell's kind to a colour and copies the cells.
 * History longer than the plot is bucketed to one value per dot column (the
 * bucket's maximum, so spikes survive), so the work per frame follows the
 * chart's size, not the span.
 */

/** What a cell shows, for colouring: nothing, label text, axis, or series i (SERIES + i). */
export const CELL_BLANK = 0;
export const CELL_TEXT = 1;
export const CELL_AXIS = 2;
export const CELL_SERIES = 3;
/** The limit line and its label (above any series index a chart has). */
export const CELL_LIMIT = 255;

/**
 * A limit at or below this many times the data's top is "close": the y axis
 * grows to include it, so its line shows how near the usage is. A limit far
 * above would squash the data into the bottom row: it is only named.
 */
export const LIMIT_NEAR = 5;

export interface ChartFrame {
  width: number;
  height: number;
  /** One single-width character (UTF-16 code unit) per cell, row by row. */
  chars: Uint16Array;
  /** CELL_* per cell; CELL_SERIES + i for series i. */
  kinds: Uint8Array;
}

export interface ChartInput {
  width: number;
  height: number;
  series: readonly { label: string; values: readonly number[] }[];
  /** Under the left end of the x axis ("-60s"); "now" goes under the right end. */
  xLabel: string;
  legend: boolean;
  /** Y-axis numbers; default compactNumber. */
  format?: (v: number) => string;
  /** A whole-number metric (pids): the axis is whole numbers too (top even, so its half is whole). */
  integer?: boolean;
  /** A resource limit in the series' unit (memory.max, pids.max): a dashed line and its label; absent or not finite: no limit, no line. */
  limit?: { value: number; label: string } | null;
}

const SPACE = 0x20;

// braille dot bits by [row 0..3][column 0..1]
const DOT = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
] as const;

/** 1234567 -> "1.2M": y labels stay 4-5 cells wide. */
export function compactNumber(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 10) return v.toFixed(1);
  if (a < 1000) return v.toFixed(0);
  for (const [div, unit] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (a >= div) {
      const x = v / div;
      return `${Math.abs(x) < 10 ? x.toFixed(1) : x.toFixed(0)}${unit}`;
    }
  }
  return v.toFixed(0);
}

/**
 * At most `columns` values: longer input is bucketed by maximum (NaN only
 * where a whole bucket is NaN); shorter input is returned as is.
 */
export function bucketMax(values: readonly number[], columns: number): readonly number[] {
  const n = values.length;
  if (n <= columns || columns <= 0) return values;
  const out = new Array<number>(columns);
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * n) / columns);
    const to = Math.floor(((c + 1) * n) / columns);
    let m = NaN;
    for (let i = from; i < to; i++) {
      const v = values[i] as number;
      if (v > m || (m !== m && v === v)) m = v;
    }
    out[c] = m;
  }
  return out;
}

export function chartFrame(input: ChartInput): ChartFrame {
  const w = Math.max(0, Math.floor(input.width));
  const h = Math.max(0, Math.floor(input.height));
  const chars = new Uint16Array(w * h).fill(SPACE);
  const kinds = new Uint8Array(w * h);
  const frame = { width: w, height: h, chars, kinds };
  const put = (x: number, y: number, text: string, kind: number) => {
    for (let i = 0; i < text.length; i++) {
      const xx = x + i;
      if (xx < 0 || xx >= w || y < 0 || y >= h) continue;
      chars[y * w + xx] = text.charCodeAt(i);
      kinds[y * w + xx] = kind;
    }
  };
  if (w < 6 || h < 2) return frame;

  let max = 0;
  for (const s of input.series) for (const v of s.values) if (v > max) max = v;
  // headroom above the highest point, as the chart always had
  const lim = input.limit && Number.isFinite(input.limit.value) && input.limit.value > 0 ? input.limit : null;
  const dataTop = input.integer ? Math.max(2, 2 * Math.ceil((max * 1.2) / 2)) : max > 0 ? max * 1.2 : 1;
  // with no data yet any limit is "close": the line then shows where it is
  const near = lim !== null && (max <= 0 || lim.value <= dataTop * LIMIT_NEAR);
  const withLimit = near ? Math.max(dataTop, lim.value * 1.08) : dataTop;
  const top = near && input.integer ? Math.max(2, 2 * Math.ceil(withLimit / 2)) : withLimit;
  const format = input.format ?? (input.integer ? (v: number) => (v < 1000 ? v.toFixed(0) : compactNumber(v)) : compactNumber);
  const plotH = h - 1;
  const yLabels: [number, string][] = [
    [0, format(top)],
    [Math.floor((plotH - 1) / 2), format(top / 2)],
    [plotH - 1, format(0)],
  ];
  const labelW = Math.min(Math.max(...yLabels.map(([, l]) => l.length)), Math.floor(w / 3));
  const x0 = labelW + 1;
  const plotW = w - x0;
  if (plotW < 2) return frame;

  // axis: a column right of the labels and the bottom row, labels on both
  for (let y = 0; y < plotH; y++) put(labelW, y, '│', CELL_AXIS);
  put(labelW, plotH, '└', CELL_AXIS);
  for (let x = x0; x < w; x++) put(x, plotH, '─', CELL_AXIS);
  for (const [y, l] of yLabels) put(labelW - Math.min(l.length, labelW), y, l.slice(0, labelW), CELL_TEXT);
  put(x0 + 1, plotH, input.xLabel, CELL_TEXT);
  put(w - 4, plotH, 'now', CELL_TEXT);

  const pw = plotW * 2;
  const ph = plotH * 4;
  const bits = new Uint8Array(plotW * plotH);
  const owner = new Uint8Array(plotW * plotH);
  const dot = (px: number, py: number, s: number) => {
    const cell = (py >> 2) * plotW + (px >> 1);
    const row = DOT[py & 3] as readonly [number, number];
    bits[cell] = (bits[cell] as number) | (px & 1 ? row[1] : row[0]);
    owner[cell] = s;
  };
  const yOf = (v: number) => Math.max(0, Math.min(ph - 1, ph - 1 - Math.round((v / top) * (ph - 1))));
  // the limit first: a series dot in the same cell wins the cell (the usage matters more than the dashes)
  const limitCells = new Uint8Array(plotW * plotH);
  if (lim && near) {
    const py = yOf(lim.value);
    const row = DOT[py & 3] as readonly [number, number];
    for (let px = 0; px < pw; px++) {
      if (px % 4 >= 2) continue;
      const cell = (py >> 2) * plotW + (px >> 1);
      limitCells[cell] = (limitCells[cell] as number) | (px & 1 ? row[1] : row[0]);
    }
  }
  input.series.forEach((s, si) => {
    const ys = bucketMax(s.values, pw);
    const n = ys.length;
    let px = -1;
    let py = -1;
    for (let i = 0; i < n; i++) {
      const v = ys[i] as number;
      if (!Number.isFinite(v)) {
        px = -1;
        continue;
      }
      const x = n === 1 ? pw - 1 : Math.round((i * (pw - 1)) / (n - 1));
      const y = yOf(Math.max(0, v));
      if (px < 0) dot(x, y, si + 1);
      else {
        // a straight segment from the previous point, one dot per step
        const steps = Math.max(Math.abs(x - px), Math.abs(y - py), 1);
        for (let t = 1; t <= steps; t++) dot(Math.round(px + ((x - px) * t) / steps), Math.round(py + ((y - py) * t) / steps), si + 1);
      }
      px = x;
      py = y;
    }
  });
  for (let cy = 0; cy < plotH; cy++)
    for (let cx = 0; cx < plotW; cx++) {
      const b = bits[cy * plotW + cx] as number;
      const l = limitCells[cy * plotW + cx] as number;
      if (b === 0 && l === 0) continue;
      chars[cy * w + x0 + cx] = 0x2800 + (b | l);
      kinds[cy * w + x0 + cx] = b === 0 ? CELL_LIMIT : CELL_SERIES + (owner[cy * plotW + cx] as number) - 1;
    }
  if (lim) {
    // the label sits on the line at the left (the oldest data), or, for a far limit, in the top row with an arrow
    const row = near ? Math.min(plotH - 1, yOf(lim.value) >> 2) : 0;
    put(x0 + 1, row, (near ? lim.label : `↑ ${lim.label}`).slice(0, Math.max(0, plotW - 1)), CELL_LIMIT);
  }

  if (input.legend) {
    const lw = Math.max(...input.series.map((s) => s.label.length)) + 2;
    input.series.forEach((s, si) => {
      if (si >= plotH || lw > plotW) return;
      put(w - lw, si, `■ ${s.label}`.padEnd(lw), CELL_SERIES + si);
    });
  }
  return frame;
}

// dense up to the braille block (a sparse array would fall back to dictionary lookups)
const CHARS: (string | undefined)[] = new Array<string | undefined>(0x2900).fill(undefined);

/** The one-character string of a frame cell (interned below U+2900: painting allocates nothing). */
export function cellChar(code: number): string {
  if (code >= CHARS.length) return String.fromCharCode(code);
  return (CHARS[code] ??= String.fromCharCode(code));
}
