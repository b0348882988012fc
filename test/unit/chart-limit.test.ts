import { describe, expect, it } from 'vitest';
import { CELL_LIMIT, CELL_SERIES, chartFrame, type ChartInput } from '../../src/presentation/chart.js';
import { chartLimit } from '../../src/ui/detailView.js';

const rowsOf = (f: ReturnType<typeof chartFrame>) => Array.from({ length: f.height }, (_, y) => String.fromCharCode(...f.chars.slice(y * f.width, (y + 1) * f.width)));
const base: ChartInput = { width: 40, height: 8, series: [{ label: 'used', values: [10, 20, 30, 40, 50] }], xLabel: '-60s', legend: false };
/** Rows holding a limit cell. */
const limitRows = (f: ReturnType<typeof chartFrame>) => [...new Set([...f.kinds].flatMap((k, i) => (k === CELL_LIMIT ? [Math.floor(i / f.width)] : [])))];

describe('chart limit line', () => {
  it('no limit: no line, no label, the axis as before', () => {
    const plain = chartFrame(base);
    for (const limit of [undefined, null, { value: Number.NaN, label: 'limit x' }, { value: 0, label: 'limit 0' }]) {
      const f = chartFrame({ ...base, limit });
      expect([...f.kinds].includes(CELL_LIMIT)).toBe(false);
      expect(rowsOf(f)).toEqual(rowsOf(plain));
    }
  });

  it('a close limit grows the y axis to include it and draws a dashed line with its label on it', () => {
    const f = chartFrame({ ...base, limit: { value: 100, label: 'limit 100' } });
    const rows = rowsOf(f);
    // top is the limit plus a little headroom, not the data's 60
    expect(rows[0]).toMatch(/^108│/);
    expect(rows.join('\n')).toContain('limit 100');
    const lr = limitRows(f);
    expect(lr).toHaveLength(1);
    const row = rows[lr[0] as number] as string;
    // dashes: braille cells of the limit alternate with blanks to the right of the label
    const tail = row.slice(row.indexOf('limit 100') + 'limit 100'.length + 1);
    expect(tail).toMatch(/[\u2801-\u28ff] [\u2801-\u28ff] /);
    // the line lies above the data: the series' top cell is in a lower row
    const seriesRows = [...f.kinds].flatMap((k, i) => (k === CELL_SERIES ? [Math.floor(i / f.width)] : []));
    expect(Math.min(...seriesRows)).toBeGreaterThan(lr[0] as number);
  });

  it('a far limit keeps the axis on the data and is only named in the top row', () => {
    const f = chartFrame({ ...base, limit: { value: 10_000, label: 'limit 10k' } });
    const rows = rowsOf(f);
    expect(rows[0]).toMatch(/^60│/);
    expect(rows[0]).toContain('↑ limit 10k');
    expect(limitRows(f)).toEqual([0]);
  });

  it('with whole numbers (pids) the axis top stays even and includes the limit', () => {
    const f = chartFrame({ ...base, series: [{ label: 'pids', values: [3, 4, 5] }], integer: true, limit: { value: 9, label: 'max 9' } });
    const rows = rowsOf(f);
    expect(rows[0]).toMatch(/^10│/);
    expect(rows.join('\n')).toContain('max 9');
  });

  it('the detail view takes memory.max (bytes, charted in KiB) and pids.max from the sample; unlimited is no line', () => {
    expect(chartLimit('memory', { memoryLimitBytes: 128 * 1024 * 1024 })).toEqual({ value: 128 * 1024, label: 'limit 128 MiB' });
    expect(chartLimit('pids', { pidsMax: 50 })).toEqual({ value: 50, label: 'max 50' });
    expect(chartLimit('memory', { memoryLimitBytes: null })).toBeNull();
    expect(chartLimit('pids', { pidsMax: null })).toBeNull();
    expect(chartLimit('cpu', { memoryLimitBytes: 1 })).toBeNull();
  });
});
