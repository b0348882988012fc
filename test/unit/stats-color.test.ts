import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/cli/color.js';
import type { StatsRow } from '../../src/cli/prometheus.js';
import { formatText } from '../../src/cli/stats.js';
import type { Sample } from '../../src/metrics/sampler.js';

const sample = (s: Partial<Sample>): Sample => ({ t: 0, cpuPercent: 1, memoryBytes: 1 << 20, memoryLimitBytes: null, pids: 3, pidsMax: null, ioReadBps: 0, ioWriteBps: 0, netRxBps: null, netTxBps: null, psiCpu: 0, psiMemory: 0, psiIo: 0, ...s });
const rows: StatsRow[] = [
  { name: 'calm', kind: 'container', sample: sample({}) },
  { name: 'hot', kind: 'container', sample: sample({ cpuPercent: 95, memoryBytes: 95 << 20, memoryLimitBytes: 100 << 20, pids: 80, pidsMax: 100, psiCpu: 12 }) },
  { name: 'build', kind: 'job', sample: sample({ cpuPercent: 60 }) },
];
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('stats text in colour', () => {
  it('paints figures by level (red at the limit, yellow near it), jobs and the header, without moving a column', async () => {
    const off = await formatText(rows, false);
    const on = await formatText(rows, true);
    expect(off).not.toContain('\x1b[');
    expect(plain(on)).toBe(off);
    const [header, calm, hot, job] = on.split('\n');
    expect(header).toMatch(/^\x1b\[1mNAME\x1b\[0m/);
    expect(calm).not.toContain('\x1b[');
    expect(hot).toContain('\x1b[31m95.0%\x1b[0m');
    const memory = off.split('\n')[2]?.split(/\s{2,}/)[3] ?? 'missing';
    expect(hot).toContain(`\x1b[31m${memory}\x1b[0m`);
    expect(hot).toContain('\x1b[33m80\x1b[0m');
    expect(hot).toContain('\x1b[33m12.0/0.0/0.0\x1b[0m');
    expect(job).toContain('\x1b[36mjob\x1b[0m');
    expect(job).toContain('\x1b[33m60.0%\x1b[0m');
  });

  it('follows --color and NO_COLOR: auto is plain off a terminal and under NO_COLOR', () => {
    expect(colorEnabled('auto', {}, false)).toBe(false);
    expect(colorEnabled('auto', { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled('auto', {}, true)).toBe(true);
    expect(colorEnabled('always', { NO_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled('never', {}, true)).toBe(false);
  });
});
