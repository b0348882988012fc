import * as os from 'node:os';
import type { Clock } from '../base/clock.js';
import type { Disposable } from '../base/disposable.js';
import { Emitter, type Event } from '../base/event.js';
import { LxcdeckError } from '../core/errors.js';
import type { CgroupHost, Hierarchy } from '../host/cgroups.js';
import { KeptFileReader } from '../host/filereader.js';
import { counterFiles, emptyCounters, parseNetDev, PROC_NET_DEV, readCounters, type CounterFiles, type NetDevTable, type RawCounters, type ReadFile } from './readers.js';
import { clamp, counterRate, cpuPercent } from './rates.js';
import { Ring } from './ring.js';

/** One tick of one target. Rates are null on a target's first tick and after a counter reset. */
export interface Sample {
  /** Clock milliseconds of the reading. */
  t: number;
  /** 100 = one core busy. */
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  pids: number | null;
  pidsMax: number | null;
  ioReadBps: number | null;
  ioWriteBps: number | null;
  /** Container perspective: received. */
  netRxBps: number | null;
  netTxBps: number | null;
  psiCpu: number | null;
  psiMemory: number | null;
  psiIo: number | null;
}

export type SampleMetric = Exclude<keyof Sample, 't'>;

export const SAMPLE_METRICS: readonly SampleMetric[] = [
  'cpuPercent',
  'memoryBytes',
  'memoryLimitBytes',
  'pids',
  'pidsMax',
  'ioReadBps',
  'ioWriteBps',
  'netRxBps',
  'netTxBps',
  'psiCpu',
  'psiMemory',
  'psiIo',
];

/** A running container or job to sample. */
export interface MetricsTarget {
  id: string;
  /** As produced by containerCgroupDirs. */
  dirs: ReadonlyMap<Hierarchy, string>;
  /** Host-side veth peers; [] for none. */
  hostInterfaces: readonly string[];
}

/** Something that reads files and can close what it kept open (a KeptFileReader). */
export interface FileSource {
  read: ReadFile;
  forget(...prefixes: string[]): void;
}

export interface MetricsSamplerOptions {
  cgroups: CgroupHost;
  clock: Clock;
  /** Default: a KeptFileReader the sampler owns. A FileSource also gets forget() calls; neither is disposed. */
  read?: ReadFile | FileSource;
  intervalMs?: number;
  historySeconds?: number;
  /** Caps cpuPercent at cpuCount * 100 (timer jitter can overshoot). Default: this host's. */
  cpuCount?: number;
}

export const MIN_INTERVAL_MS = 250;
export const MAX_INTERVAL_MS = 10_000;
export const MAX_BACKOFF_MS = 10_000;
export const DEFAULT_INTERVAL_MS = 1000;
export const DEFAULT_HISTORY_SECONDS = 900;

export function validateInterval(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
    throw new LxcdeckError('invalid-argument', `metrics interval must be ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS} ms, got ${String(ms)}`);
  }
  return ms;
}

function validateHistory(seconds: number): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) {
    throw new LxcdeckError('invalid-argument', `metrics history must be 1 to 86400 seconds, got ${String(seconds)}`);
  }
  return seconds;
}

interface TargetState {
  id: string;
  /** Dirs + interfaces: a change means new counters. */
  key: string;
  /** The target's dirs and interfaces as last given: the same objects need no new key. */
  given: { dirs: ReadonlyMap<Hierarchy, string>; hostInterfaces: readonly string[] };
  files: CounterFiles;
  // two buffers swapped each tick, so reading allocates no counter objects
  prev: RawCounters;
  cur: RawCounters;
  prevT: number | null;
  times: Ring;
  rings: Ring[]; // indexed like SAMPLE_METRICS
  latest: Sample | null;
}

function targetKey(t: MetricsTarget): string {
  return `${[...t.dirs.values()].join('\0')}\n${t.hostInterfaces.join('\0')}`;
}

/**
 * Samples every target's cgroup and veth counters on a setTimeout chain:
 * file reads only (DESIGN rule 3), one tick never overlapping the next, a
 * failing tick reported and backed off. Keeps per-target history for charts.
 */
export class MetricsSampler implements Disposable {
  private readonly sampleEmitter = new Emitter<Map<string, Sample>>();
  private readonly errorEmitter = new Emitter<string>();
  readonly onSample: Event<Map<string, Sample>> = this.sampleEmitter.event;
  readonly onError: Event<string> = this.errorEmitter.event;

  private readonly cgroups: CgroupHost;
  private readonly clock: Clock;
  private readonly read: ReadFile;
  private readonly forgetFiles: ((prefixes: string[]) => void) | null;
  private readonly owned: KeptFileReader | null = null;
  private readonly historySeconds: number;
  private readonly maxCpuPercent: number;
  private interval: number;
  private delay: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private disposed = false;
  private readonly targets = new Map<string, TargetState>();
  /** Targets gone from the list (stopped, or mid-restart): their history waits one history span for them. */
  private readonly resting = new Map<string, TargetState>();

  constructor(opts: MetricsSamplerOptions) {
    this.cgroups = opts.cgroups;
    this.clock = opts.clock;
    this.interval = validateInterval(opts.intervalMs ?? DEFAULT_INTERVAL_MS);
    this.delay = this.interval;
    this.historySeconds = validateHistory(opts.historySeconds ?? DEFAULT_HISTORY_SECONDS);
    this.maxCpuPercent = Math.max(1, opts.cpuCount ?? os.availableParallelism()) * 100;
    const source = opts.read;
    if (source === undefined) {
      const reader = new KeptFileReader();
      this.owned = reader;
      this.read = (p) => reader.read(p);
      this.forgetFiles = (prefixes) => reader.forget(...prefixes);
    } else if (typeof source === 'function') {
      this.read = source;
      this.forgetFiles = null;
    } else {
      this.read = (p) => source.read(p);
      this.forgetFiles = (prefixes) => source.forget(...prefixes);
    }
  }

  get intervalMs(): number {
    return this.interval;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The delay before the next tick: the interval, or more while backing off after errors. */
  get currentDelayMs(): number {
    return this.delay;
  }

  /**
   * The running containers/jobs to sample. An id not listed stops being
   * sampled; its history is kept for one history span, so a restart (or a
   * stop and start) goes on from the charts it had instead of starting empty.
   */
  setTargets(targets: readonly MetricsTarget[]): void {
    const seen = new Set<string>();
    for (const t of targets) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      const back = this.targets.has(t.id) ? undefined : this.resting.get(t.id);
      if (back) {
        this.resting.delete(t.id);
        this.targets.set(t.id, back);
      }
      const s = this.targets.get(t.id);
      // a refresh hands over the same cached objects tick after tick
      if (s && s.given.dirs === t.dirs && s.given.hostInterfaces === t.hostInterfaces) continue;
      const key = targetKey(t);
      if (!s) {
        this.targets.set(t.id, this.newTarget(t, key));
      } else if (s.key !== key) {
        // restarted into another cgroup or veth: keep the history, restart the rates
        this.forget(s.files);
        s.key = key;
        s.files = counterFiles(this.cgroups.layout, t.dirs, t.hostInterfaces);
        s.prevT = null;
      }
      if (s) s.given = { dirs: t.dirs, hostInterfaces: t.hostInterfaces };
    }
    for (const [id, s] of this.targets) {
      if (seen.has(id)) continue;
      this.targets.delete(id);
      this.forget(s.files);
      // new counters when it is back: nothing it is given then matches these
      Object.assign(s, { key: '', given: { dirs: new Map(), hostInterfaces: [] }, latest: null, prevT: null });
      this.resting.set(id, s);
    }
    const oldest = this.clock.now() - this.historySeconds * 1000;
    for (const [id, s] of this.resting) if ((s.times.last() ?? -Infinity) < oldest) this.resting.delete(id);
  }

  get targetIds(): string[] {
    return [...this.targets.keys()];
  }

  start(): void {
    if (this.disposed) throw new LxcdeckError('internal', 'the metrics sampler was disposed');
    if (this.running) return;
    this.running = true;
    this.delay = this.interval;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Changes the tick interval live; history keeps its time span. */
  setInterval(ms: number): void {
    validateInterval(ms);
    if (ms === this.interval) return;
    this.interval = ms;
    this.delay = ms;
    const capacity = this.capacity();
    for (const s of this.targets.values()) {
      s.times = s.times.resized(capacity);
      s.rings = s.rings.map((r) => r.resized(capacity));
    }
    if (this.running && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
      this.schedule(ms);
    }
  }

  latest(id: string): Sample | null {
    return this.targets.get(id)?.latest ?? null;
  }

  /**
   * A metric's values over the last `seconds` (by clock time, so backoff
   * gaps and interval changes do not stretch the span), oldest first. NaN
   * marks a tick where the value was unknown.
   */
  history(id: string, metric: SampleMetric, seconds: number): number[] {
    const s = this.targets.get(id);
    if (!s) return [];
    return s.rings[SAMPLE_METRICS.indexOf(metric)]?.lastN(this.windowCount(s, seconds)) ?? [];
  }

  /** Clock milliseconds of the points `history` returns for the same span. */
  historyTimes(id: string, seconds: number): number[] {
    const s = this.targets.get(id);
    return s ? s.times.lastN(this.windowCount(s, seconds)) : [];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stop();
    for (const s of this.targets.values()) this.forget(s.files);
    this.targets.clear();
    this.owned?.dispose();
    this.sampleEmitter.dispose();
    this.errorEmitter.dispose();
  }

  private capacity(): number {
    return Math.max(1, Math.ceil((this.historySeconds * 1000) / this.interval));
  }

  private newTarget(t: MetricsTarget, key: string): TargetState {
    const capacity = this.capacity();
    return {
      id: t.id,
      key,
      given: { dirs: t.dirs, hostInterfaces: t.hostInterfaces },
      files: counterFiles(this.cgroups.layout, t.dirs, t.hostInterfaces),
      prev: emptyCounters(),
      cur: emptyCounters(),
      prevT: null,
      times: new Ring(capacity),
      rings: SAMPLE_METRICS.map(() => new Ring(capacity)),
      latest: null,
    };
  }

  private forget(files: CounterFiles): void {
    // a still-sampled target sharing a prefix just reopens its files next tick
    if (this.forgetFiles && files.prefixes.length > 0) this.forgetFiles(files.prefixes);
  }

  /** Points of s newer than `seconds` before its newest (times only grow: binary search). */
  private windowCount(s: TargetState, seconds: number): number {
    const newest = s.times.last();
    if (newest === undefined || !(seconds > 0)) return 0;
    const from = newest - seconds * 1000;
    let lo = 0; // fromEnd(lo - 1) > from holds
    let hi = s.times.length; // fromEnd(hi) <= from or past the oldest
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((s.times.fromEnd(mid) ?? -Infinity) > from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private schedule(ms: number): void {
    if (this.timer !== null || !this.running) return;
    this.timer = setTimeout(() => this.tick(), ms);
    // a forgotten sampler must not keep a CLI process alive
    this.timer.unref?.();
  }

  private tick(): void {
    this.timer = null;
    if (!this.running) return;
    try {
      const now = this.clock.now();
      const batch = new Map<string, Sample>();
      const net = this.netTable();
      for (const s of this.targets.values()) batch.set(s.id, this.sample(s, now, net));
      this.sampleEmitter.fire(batch);
      this.delay = this.interval;
    } catch (e) {
      this.delay = Math.min(Math.max(this.delay, this.interval) * 2, MAX_BACKOFF_MS);
      const msg = e instanceof Error ? e.message : String(e);
      try {
        this.errorEmitter.fire(`metrics sampling failed: ${msg} (retrying in ${(this.delay / 1000).toFixed(1)} s)`);
      } catch {
        // an error listener that throws has nowhere left to report; the chain must go on
      }
    }
    // a listener may have stopped (or restarted) the sampler; schedule() checks both
    this.schedule(this.delay);
  }

  /** This tick's /proc/net/dev when a target has interfaces (null: read their sysfs files). */
  private netTable(): NetDevTable | null {
    for (const s of this.targets.values()) if (s.files.netIfaces.length > 0) return parseNetDev(this.read(PROC_NET_DEV));
    return null;
  }

  private sample(s: TargetState, now: number, net: NetDevTable | null): Sample {
    const cur = readCounters(s.files, this.read, s.cur, net);
    const prev = s.prevT === null ? null : s.prev;
    const dt = s.prevT === null ? 0 : (now - s.prevT) / 1000;
    const rate = (a: number | null | undefined, b: number | null) => (prev === null ? null : counterRate(a ?? null, b, dt));
    const cpu = prev === null ? null : cpuPercent(prev.cpuUsageSeconds, cur.cpuUsageSeconds, dt);
    const sample: Sample = {
      t: now,
      cpuPercent: cpu === null ? null : clamp(cpu, 0, this.maxCpuPercent),
      memoryBytes: cur.memoryBytes,
      memoryLimitBytes: cur.memoryLimitBytes,
      pids: cur.pids,
      pidsMax: cur.pidsMax,
      ioReadBps: rate(prev?.ioReadBytes, cur.ioReadBytes),
      ioWriteBps: rate(prev?.ioWriteBytes, cur.ioWriteBytes),
      netRxBps: rate(prev?.netRxBytes, cur.netRxBytes),
      netTxBps: rate(prev?.netTxBytes, cur.netTxBytes),
      psiCpu: cur.psiCpu,
      psiMemory: cur.psiMemory,
      psiIo: cur.psiIo,
    };
    s.cur = s.prev;
    s.prev = cur;
    s.prevT = now;
    s.latest = sample;
    s.times.push(now);
    for (let i = 0; i < SAMPLE_METRICS.length; i++) s.rings[i]?.push(sample[SAMPLE_METRICS[i] as SampleMetric] ?? NaN);
    return sample;
  }
}
