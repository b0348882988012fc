import type { Disposable } from '../base/disposable.js';
import type { Event } from '../base/event.js';
import type { Hierarchy } from '../host/cgroups.js';
import type { MetricsTarget, Sample, SampleMetric } from '../metrics/sampler.js';

/** The metrics sampler as the workstation uses it (its own types, no casts). */
export interface WorkstationMetrics extends Disposable {
  setTargets(targets: MetricsTarget[]): void;
  start(): void;
  stop(): void;
  onSample: Event<Map<string, Sample>>;
  onError: Event<string>;
  history(id: string, metric: SampleMetric, seconds: number): number[];
  latest(id: string): Sample | null;
}

/** A job (a command in cgroups of its own) as the list shows it. */
export interface JobView {
  name: string;
  state: 'running' | 'freezing' | 'frozen' | 'finished';
  pid: number;
  log: string;
  command: string[];
  /** The job's cgroups for the sampler. */
  target: { dirs: ReadonlyMap<Hierarchy, string>; hostInterfaces: readonly string[] };
}

export interface WorkstationJobs {
  list(): JobView[];
  freeze(name: string): Promise<void>;
  thaw(name: string): Promise<void>;
  kill(name: string): Promise<void>;
}
