import type { AppBackend } from '../app/context.js';
import type { ContainerInfo, ContainerSummary } from '../core/container.js';
import { isLxcdeckError } from '../core/errors.js';
import type { ContainerState } from '../core/state.js';
import { containerRef, containerWorkload, jobId, workloadKey, type Workload } from '../core/workload.js';
import type { MetricsTarget } from '../metrics/sampler.js';
import type { LiveFacts } from '../presentation/rows.js';
import type { JobView, WorkstationJobs, WorkstationMetrics } from './sources.js';
import type { AppStore } from './store.js';

const JOB_STATE: Record<JobView['state'], ContainerState> = { running: 'RUNNING', freezing: 'FREEZING', frozen: 'FROZEN', finished: 'STOPPED' };

/** A job as a list row: the same columns, its state mapped, grouped under 'jobs'. */
function jobRow(j: JobView): Workload {
  const id = jobId(j.name);
  return {
    id,
    key: workloadKey(id),
    name: j.name,
    state: JOB_STATE[j.state],
    pid: j.state === 'finished' ? null : j.pid,
    ipv4: [],
    ipv6: [],
    unprivileged: process.getuid?.() !== 0,
    autostart: false,
    groups: ['jobs'],
    memoryBytes: null,
    cpuSeconds: null,
  };
}

export interface RefresherDeps {
  store: AppStore;
  backend: AppBackend;
  jobs?: WorkstationJobs;
  metrics: WorkstationMetrics;
}

/**
 * The refresh of every tick: containers and jobs into the store, then the
 * sampler's targets. Also the read-side caches the views need (live facts,
 * the selected container's info). It draws nothing.
 */
export class Refresher {
  private jobs: JobView[] = [];
  private sampling = false;
  private infoCache: { key: string; at: number; info: ContainerInfo } | null = null;
  private readonly hostIfCache = new Map<string, { pid: number; ifs: string[] }>();

  constructor(private readonly deps: RefresherDeps) {}

  /** From now on each refresh also sets the sampler's targets (they wait for the first frame). */
  startSampling(): void {
    this.sampling = true;
    this.refresh();
    this.deps.metrics.start();
  }

  refresh(): void {
    const { store, backend, metrics } = this.deps;
    try {
      const withMemory = (w: Workload): Workload => {
        const m = metrics.latest(w.key)?.memoryBytes;
        return m == null ? w : { ...w, memoryBytes: m };
      };
      // addresses change rarely: re-read them every few seconds, not every tick
      const containers = backend.list({ addressesMaxAgeMs: 5000, totals: false, definedMaxAgeMs: 5000 });
      this.jobs = this.listJobs();
      store.setWorkloads([...containers.map((c) => containerWorkload(c, backend.lxcpath)), ...this.jobs.map(jobRow)].map(withMemory));
      // the sampler's targets (a veth lookup per container) wait for the sampler, after the first frame
      if (!this.sampling) return;
      metrics.setTargets([...containers.flatMap((c) => this.containerTarget(c)), ...this.jobTargets()]);
    } catch (e) {
      store.addLog('error', `refresh: ${isLxcdeckError(e) ? e.line : String(e)}`);
    }
  }

  /** A job's record as of the last refresh. */
  job(name: string): JobView | undefined {
    return this.jobs.find((j) => j.name === name);
  }

  liveFacts(key: string): LiveFacts | undefined {
    const latest = this.deps.metrics.latest(key);
    if (!latest) return undefined;
    return { cpuPercent: latest.cpuPercent, pids: latest.pids, cpuHistory: this.deps.metrics.history(key, 'cpuPercent', 60) };
  }

  /** The details of the selected row: liblxc's info for a container, the record for a job. */
  selectedInfo(): ContainerInfo | null {
    const w = this.deps.store.selectedWorkload();
    if (!w) return null;
    if (w.id.kind === 'job') {
      const job = this.job(w.id.name);
      return { ...w, lxcpath: '', configFile: job?.log ?? '', rootfs: `job: ${job?.command.join(' ') ?? ''}`, idmap: [], cgroups: {}, hostInterfaces: [], consoleBufferSize: '' };
    }
    // liblxc's info costs a config parse and monitor round trips: keep it while the
    // listing (which re-checks configs and addresses itself) shows the same facts
    const key = `${w.key}:${w.pid}:${w.state}:${w.autostart}:${w.unprivileged}:${w.groups.join(',')}`;
    if (this.infoCache?.key === key && performance.now() - this.infoCache.at < 60_000) return { ...this.infoCache.info, state: w.state, ipv4: w.ipv4, ipv6: w.ipv6 };
    try {
      const info = this.deps.backend.info(containerRef(w.id));
      this.infoCache = { key, at: performance.now(), info };
      return info;
    } catch {
      return null;
    }
  }

  /** The jobs of this refresh (one read of the records per tick). */
  private listJobs(): JobView[] {
    if (!this.deps.jobs) return [];
    try {
      return this.deps.jobs.list();
    } catch (e) {
      this.deps.store.status.show('error', `jobs: ${isLxcdeckError(e) ? e.line : String(e)}`);
      return [];
    }
  }

  private containerTarget(c: ContainerSummary): MetricsTarget[] {
    if (c.pid === null) return [];
    // the backend takes references: 'web', or '/srv/lxc/web' outside the first lxcpath
    const id = containerWorkload(c, this.deps.backend.lxcpath).id;
    const ref = containerRef(id);
    const rt = this.deps.backend.runtimeOf(ref);
    return rt ? [{ id: workloadKey(id), dirs: rt.dirs, hostInterfaces: this.hostInterfaces(ref, rt.pid) }] : [];
  }

  private jobTargets(): MetricsTarget[] {
    return this.jobs.filter((j) => j.state !== 'finished').map((j) => ({ ...j.target, id: workloadKey(jobId(j.name)) }));
  }

  private hostInterfaces(name: string, pid: number): string[] {
    const cached = this.hostIfCache.get(name);
    if (cached?.pid === pid) return cached.ifs;
    let ifs: string[] = [];
    try {
      ifs = this.deps.backend.hostInterfaces(name);
    } catch {
      /* shown as no network graph */
    }
    this.hostIfCache.set(name, { pid, ifs });
    return ifs;
  }
}
