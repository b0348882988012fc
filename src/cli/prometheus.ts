import type { Sample, SampleMetric } from '../metrics/sampler.js';

/**
 * The sampler's figures in Prometheus' text exposition format (0.0.4), for
 * node_exporter's textfile collector: one gauge family per metric, prefixed
 * lxcdeck_, labelled by workload name and kind. Unknown values are left out.
 */

export interface StatsRow {
  name: string;
  kind: 'container' | 'job';
  sample: Sample;
}

const FAMILIES: [SampleMetric, string, string][] = [
  ['cpuPercent', 'cpu_percent', 'CPU use in percent of one core (100 = one core busy).'],
  ['memoryBytes', 'memory_bytes', 'Memory in use, bytes.'],
  ['memoryLimitBytes', 'memory_limit_bytes', 'Memory limit, bytes.'],
  ['pids', 'pids', 'Processes (tasks) in the cgroup.'],
  ['pidsMax', 'pids_max', 'Process limit of the cgroup.'],
  ['ioReadBps', 'io_read_bytes_per_second', 'Block IO read, bytes per second.'],
  ['ioWriteBps', 'io_write_bytes_per_second', 'Block IO written, bytes per second.'],
  ['netRxBps', 'network_receive_bytes_per_second', 'Network received by the container, bytes per second.'],
  ['netTxBps', 'network_transmit_bytes_per_second', 'Network sent by the container, bytes per second.'],
  ['psiCpu', 'pressure_cpu_percent', 'CPU pressure (PSI some avg10), percent.'],
  ['psiMemory', 'pressure_memory_percent', 'Memory pressure (PSI some avg10), percent.'],
  ['psiIo', 'pressure_io_percent', 'IO pressure (PSI some avg10), percent.'],
];

const labelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function number(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(Math.round(v * 1000) / 1000);
}

export function prometheusText(rows: readonly StatsRow[]): string {
  const lines: string[] = [];
  for (const [metric, suffix, help] of FAMILIES) {
    const name = `lxcdeck_${suffix}`;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const r of rows) {
      const v = r.sample[metric];
      if (v !== null) lines.push(`${name}{name="${labelValue(r.name)}",kind="${r.kind}"} ${number(v)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
