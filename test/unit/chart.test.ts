import { describe, expect, it } from 'vitest';
import { bucketMax, CELL_AXIS, CELL_SERIES, CELL_TEXT, chartFrame, compactNumber } from '../../src/presentation/chart.js';

const rowsOf = (f: ReturnType<typeof chartFrame>) => Array.from({ length: f.height }, (_, y) => String.fromCharCode(...f.chars.slice(y * f.width, (y + 1) * f.width)));

describe('chartFrame', () => {
  it('draws labels, axis and a braille line inside the given cells', () => {
    const f = chartFrame({ width: 30, height: 6, series: [{ label: 'cpu', values: [0, 50, 100, 50, 0] }], xLabel: '-60s', legend: false });
    const rows = rowsOf(f);
    expect(rows).toHaveLength(6);
    for (const r of rows) expect([...r]).toHaveLength(30);
    expect(rows[0]?.startsWith('120│')).toBe(true); // 20 % headroom over the highest point
    expect(rows[4]?.startsWith('  0│')).toBe(true);
    expect(rows[5]).toMatch(/^ {3}└─-60s─+now─$/);
    expect(rows.slice(0, 5).join('')).toMatch(/[\u2801-\u28ff]/);
    expect(f.kinds[0]).toBe(CELL_TEXT);
    expect(f.kinds[3]).toBe(CELL_AXIS);
    expect([...f.kinds].some((k) => k === CELL_SERIES)).toBe(true);
  });

  it('colours each series and its legend entry by index, and skips unknown points', () => {
    const f = chartFrame({
      width: 40,
      height: 8,
      series: [
        { label: 'read', values: [1, Number.NaN, 3] },
        { label: 'write', values: [Number.NaN, Number.NaN] },
      ],
      xLabel: '-60s',
      legend: true,
    });
    const rows = rowsOf(f);
    expect(rows[0]).toContain('■ read');
    expect(rows[1]).toContain('■ write');
    const kinds = [...f.kinds];
    expect(kinds.includes(CELL_SERIES)).toBe(true);
    // the second series has no known point: only its legend carries its colour
    expect(kinds.filter((k) => k === CELL_SERIES + 1)).toHaveLength('■ write'.length);
  });

  it('returns blank cells when too small to draw', () => {
    const f = chartFrame({ width: 4, height: 1, series: [{ label: 'x', values: [1] }], xLabel: '', legend: false });
    expect(rowsOf(f)).toEqual(['    ']);
  });
});

describe('chart helpers', () => {
  it('buckets long histories by maximum, keeping spikes and unknown gaps', () => {
    expect(bucketMax([1, 5, 2, 2, Number.NaN, Number.NaN], 3)).toEqual([5, 2, Number.NaN]);
    const short = [1, 2];
    expect(bucketMax(short, 10)).toBe(short);
  });

  it('writes compact numbers', () => {
    expect([0, 0.5, 12, 999, 1234, 56_000, 1_500_000, 2e9].map(compactNumber)).toEqual(['0', '0.5', '12', '999', '1.2k', '56k', '1.5M', '2.0G']);
  });
});
