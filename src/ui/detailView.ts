import type blessed from 'blessed';
import widgets from './blessedParts.js';
import { LineChart } from './lineChart.js';
import type { Disposable } from '../base/disposable.js';
import type { ContainerInfo } from '../core/container.js';
import type { ContainerExtras, IdmapStatus } from '../core/details.js';
import { idmapLine, networkLine, snapshotLines } from '../presentation/detailRows.js';
import type { Sample, SampleMetric } from '../metrics/sampler.js';
import { formatBytes, sanitize } from '../presentation/format.js';
import { drawFramed, noLabelRenderOnResize, setText } from './screen.js';
import { color, esc, fg, type Palette } from './style.js';

/** One graph: which sampled series it draws and how to label the values. */
export interface ChartSpec {
  id: string;
  title: string;
  series: { metric: SampleMetric; label: string; colorKey: string }[];
  unit: 'percent' | 'bytes' | 'count' | 'rate';
}

export const CHARTS: ChartSpec[] = [
  { id: 'cpu', title: 'CPU %', series: [{ metric: 'cpuPercent', label: 'cpu', colorKey: 'chartCpu' }], unit: 'percent' },
  { id: 'memory', title: 'memory', series: [{ metric: 'memoryBytes', label: 'used', colorKey: 'chartMemory' }], unit: 'bytes' },
  { id: 'pids', title: 'pids', series: [{ metric: 'pids', label: 'pids', colorKey: 'chartPids' }], unit: 'count' },
  {
    id: 'io',
    title: 'block IO /s',
    series: [
      { metric: 'ioReadBps', label: 'read', colorKey: 'chartIoRead' },
      { metric: 'ioWriteBps', label: 'write', colorKey: 'chartIoWrite' },
    ],
    unit: 'rate',
  },
  {
    id: 'net',
    title: 'network /s',
    series: [
      { metric: 'netRxBps', label: 'rx', colorKey: 'chartNetRx' },
      { metric: 'netTxBps', label: 'tx', colorKey: 'chartNetTx' },
    ],
    unit: 'rate',
  },
  {
    id: 'psi',
    title: 'pressure (some avg10)',
    series: [
      { metric: 'psiCpu', label: 'cpu', colorKey: 'chartCpu' },
      { metric: 'psiMemory', label: 'mem', colorKey: 'chartMemory' },
      { metric: 'psiIo', label: 'io', colorKey: 'chartPressure' },
    ],
    unit: 'percent',
  },
];

export type HistoryFn = (metric: SampleMetric, seconds: number) => number[];

/**
 * The detail pane: a config summary beside live graphs. Graph count follows
 * the space: 6 on a big terminal, fewer on a small one, none below 8 rows
 * (the summary then carries the current values as text).
 */
export class DetailView implements Disposable {
  readonly box: blessed.Widgets.BoxElement;
  private readonly summary: blessed.Widgets.BoxElement;
  private charts: { spec: ChartSpec; chart: LineChart }[] = [];
  private layoutKey = '';
  private dataKey = '';
  private label = '';

  constructor(
    parent: blessed.Widgets.Node,
    private palette: Palette,
  ) {
    this.box = widgets.box({ parent, border: { type: 'line' }, label: ' details ', tags: true });
    noLabelRenderOnResize(this.box);
    // the summary and the charts tile the inside exactly (see relayout): nothing
    // to paint under them
    drawFramed(this.box, () => undefined);
    this.summary = widgets.box({ parent: this.box, top: 0, left: 0, width: 34, height: '100%-2', tags: true });
  }

  setPalette(p: Palette): void {
    this.palette = p;
    this.layoutKey = '';
  }

  private relayout(psiAvailable: boolean): void {
    const w = (this.box.width as number) - 2;
    const h = (this.box.height as number) - 2;
    const specs = CHARTS.filter((c) => c.id !== 'psi' || psiAvailable);
    const summaryW = w >= 100 ? 34 : w >= 70 ? 28 : w;
    const chartW = w - summaryW;
    // charts need about 26x7 cells to say anything; fit as many as that allows
    const cols = Math.min(3, Math.floor(chartW / 26));
    const rows = Math.min(2, Math.floor(h / 7));
    const n = Math.min(specs.length, cols * rows);
    const key = `${w}x${h}:${n}:${psiAvailable}`;
    if (key === this.layoutKey) return;
    this.layoutKey = key;
    for (const c of this.charts) c.chart.dispose();
    this.charts = [];
    this.summary.width = summaryW;
    // what the old layout left outside the new one is not painted again: blank it once
    (this.box as unknown as { clearPos(): void }).clearPos();
    if (n === 0) return;
    const cw = Math.floor(chartW / cols);
    const ch = Math.floor(h / rows);
    const shownRows = Math.ceil(n / cols);
    const colors = { text: numeric(color(this.palette, 'dim')), axis: numeric(color(this.palette, 'border')), border: numeric(color(this.palette, 'border')), limit: numeric(color(this.palette, 'logError')) };
    specs.slice(0, n).forEach((spec, i) => {
      const row = Math.floor(i / cols);
      const col = i % cols;
      // the last column and row take the remainder; the last chart the rest of its row
      const lastInRow = col === cols - 1 || i === n - 1;
      const chart = new LineChart(this.box, {
        top: row * ch,
        left: summaryW + col * cw,
        width: lastInRow ? chartW - col * cw : cw,
        height: row === shownRows - 1 ? h - row * ch : ch,
        label: ` ${spec.title} `,
        colors,
      });
      this.charts.push({ spec, chart });
    });
  }

  draw(info: ContainerInfo | null, history: HistoryFn | null, spanSeconds: number, latest: Partial<Sample>, kind: 'container' | 'job' = 'container', extras: ContainerExtras | null = null, title = info?.name ?? ''): void {
    const p = this.palette;
    if (!info) {
      this.summary.setContent(fg(p, 'dim', 'no container selected'));
      return;
    }
    const label = ` ${esc(sanitize(title))} — ${info.state} — last ${spanSeconds / 60} min `;
    if (label !== this.label) {
      this.label = label;
      this.box.setLabel(label);
    }
    const psi = latest.psiCpu !== null && latest.psiCpu !== undefined;
    this.relayout(psi);
    // one line per fact: a long value is cut with … (a path keeps its end), never wrapped onto the next line
    const room = Math.max(4, (this.summary.width as number) - 11);
    const kv = (k: string, v: string, path = false) => `${fg(p, 'dim', k.padEnd(10))} ${esc(fitValue(v, room, path))}`;
    const pct = (v: number | null | undefined) => (v == null ? '-' : `${v.toFixed(1)} %`);
    const rate = (v: number | null | undefined) => (v == null ? '-' : `${formatBytes(Math.round(v))}/s`);
    const facts =
      kind === 'job'
        ? [kv('state', info.state), kv('pid', info.pid === null ? '-' : String(info.pid)), kv('command', info.rootfs.replace(/^job: /, '')), kv('output', info.configFile || '-', true)]
        : [
            kv('state', info.state),
            kv('pid', info.pid === null ? '-' : String(info.pid)),
            kv('ipv4', info.ipv4.join(', ') || '-'),
            kv('ipv6', info.ipv6.join(', ') || '-'),
            kv('rootfs', info.rootfs || '-', true),
            extras ? idmapRow(p, extras.idmap, room) : kv('idmap', info.idmap.join('; ') || 'none (privileged)'),
            kv('host nic', info.hostInterfaces.join(', ') || '-'),
            ...(extras?.networks ?? []).map((n) => kv(`net.${n.index}`, networkLine(n, room))),
            kv('autostart', info.autostart ? 'yes' : 'no'),
            kv('console', info.consoleBufferSize ? `ring buffer ${info.consoleBufferSize}` : 'no ring buffer (lxc.console.buffer.size)'),
            kv('groups', info.groups.join(', ') || '-'),
          ];
    const n = extras?.snapshots.length ?? 0;
    const snaps = extras ? [kv('snapshots', n ? `${n}, newest first` : 'none'), ...(n ? snapshotLines(extras.snapshots, room + 10, SNAPSHOTS_SHOWN).map((l) => ` ${esc(l)}`) : [])] : [];
    const live = [
      '',
      kv('cpu', pct(latest.cpuPercent)),
      kv('memory', `${formatBytes(latest.memoryBytes ?? null)}${latest.memoryLimitBytes != null ? ` / ${formatBytes(latest.memoryLimitBytes)}` : ''}`),
      kv('pids', `${latest.pids == null ? '-' : String(latest.pids)}${latest.pidsMax != null ? ` / ${latest.pidsMax}` : ''}`),
      kv('io r/w', `${rate(latest.ioReadBps)} ${rate(latest.ioWriteBps)}`),
      kv('net rx/tx', `${rate(latest.netRxBps)} ${rate(latest.netTxBps)}`),
      ...(psi ? [kv('pressure', `cpu ${pct(latest.psiCpu)} mem ${pct(latest.psiMemory)} io ${pct(latest.psiIo)}`)] : []),
    ];
    // with graphs the live values are shown twice: the snapshots come first; without, the values do
    const rows = this.charts.length ? [...facts, ...snaps, ...live] : [...facts, ...live, ...(snaps.length ? ['', ...snaps] : [])];
    setText(this.summary, fitRows(p, rows, (this.summary.height as number) || 0).join('\n'));
    if (!history) return;
    // charts redraw only when a new sample arrived (or the span or layout changed)
    const dataKey = `${info.name}:${latest.t ?? ''}:${spanSeconds}:${this.layoutKey}`;
    if (dataKey === this.dataKey) return;
    this.dataKey = dataKey;
    for (const { spec, chart } of this.charts) {
      const kib = spec.unit === 'bytes' || spec.unit === 'rate';
      const series = spec.series.map((s) => ({
        label: s.label,
        // an unknown tick stays a gap on the chart (NaN), not a drop to 0
        values: history(s.metric, spanSeconds).map((v) => (Number.isFinite(v) && kib ? v / 1024 : v)),
        color: numeric(color(p, s.colorKey)),
      }));
      const unit = spec.unit === 'bytes' ? ' (KiB)' : spec.unit === 'rate' ? ' (KiB/s)' : '';
      chart.setLabel(` ${spec.title}${unit} `);
      chart.setData({ series, xLabel: `-${spanSeconds}s`, legend: series.length > 1, integer: spec.unit === 'count', limit: chartLimit(spec.id, latest) });
    }
  }

  dispose(): void {
    this.box.destroy();
  }
}

const SNAPSHOTS_SHOWN = 5;

/** The idmap row: the map and ✓, or ✗ and the first error (in the error colour). */
function idmapRow(p: Palette, s: IdmapStatus, room: number): string {
  const { text, ok } = idmapLine(s, room);
  return `${fg(p, 'dim', 'idmap'.padEnd(10))} ${ok ? esc(text) : fg(p, 'logError', esc(text))}`;
}

/** Rows that do not fit the summary's height are cut: the last row says how many more there are. */
export function fitRows(p: Palette, rows: string[], height: number): string[] {
  if (height <= 0 || rows.length <= height) return rows;
  const cut = rows.slice(0, height - 1);
  return [...cut, fg(p, 'dim', `… ${rows.length - cut.length} more rows`)];
}

/** The limit line of a chart, in its unit (memory in KiB), from the sampler's cgroup reads: null for no limit. */
export function chartLimit(id: string, latest: Partial<Sample>): { value: number; label: string } | null {
  if (id === 'memory' && latest.memoryLimitBytes != null) return { value: latest.memoryLimitBytes / 1024, label: `limit ${formatBytes(latest.memoryLimitBytes)}` };
  if (id === 'pids' && latest.pidsMax != null) return { value: latest.pidsMax, label: `max ${latest.pidsMax}` };
  return null;
}

/** A value cut to `room` columns with …: at the start for a path (its end says most), else at the end. */
export function fitValue(v: string, room: number, path = false): string {
  const clean = sanitize(v);
  if (clean.length <= room) return clean;
  return path ? `…${clean.slice(clean.length - room + 1)}` : `${clean.slice(0, room - 1)}…`;
}

function numeric(c: string | undefined): number | undefined {
  return c === undefined ? undefined : Number(c);
}
