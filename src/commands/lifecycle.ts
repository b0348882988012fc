import type { ContainerBackend, ContainerFactory, Freezable } from '../core/backend.js';
import { isLxcdeckError } from '../core/errors.js';
import { containerWorkload, workloadLabel, type Workload } from '../core/workload.js';
import type { WorkstationJobs } from '../state/sources.js';
import type { LogLevel } from '../state/store.js';

export type LifecycleOp = 'start' | 'stop' | 'restart' | 'kill' | 'freeze-toggle';

export interface LifecycleDeps {
  backend: ContainerBackend & Freezable;
  factory?: ContainerFactory;
  jobs?: WorkstationJobs;
  log(level: LogLevel, text: string): void;
  /** Re-list now (after each action, and when one starts). */
  refresh(): void;
  /** The number of actions under way changed (the status bar shows it). */
  busyChanged(): void;
}

const lineOf = (e: unknown) => (isLxcdeckError(e) ? e.line : String(e));

/**
 * Start, stop, restart, kill, freeze and thaw on containers and jobs, through
 * the core interfaces only. Each action runs on its own; the event log says
 * when it began and how it ended.
 */
export class Lifecycle {
  private running = 0;

  constructor(private readonly deps: LifecycleDeps) {}

  /** Actions under way. */
  get busy(): number {
    return this.running;
  }

  run(op: LifecycleOp, targets: readonly Workload[]): void {
    for (const w of targets) {
      const thaw = op === 'freeze-toggle' && (w.state === 'FROZEN' || w.state === 'FREEZING');
      const verb = op === 'freeze-toggle' ? (thaw ? 'thaw' : 'freeze') : op;
      const label = workloadLabel(w.id);
      this.track(`${verb} ${label}`, () => (w.id.kind === 'job' ? this.jobAction(verb, w.id.name) : this.containerAction(verb, w)));
    }
    this.deps.refresh();
  }

  /** Creates the demo busybox container and starts it. */
  createDemo(exists: boolean): void {
    const factory = this.deps.factory;
    if (exists) return this.deps.log('warn', 'a container named demo exists already');
    if (!factory) return this.deps.log('warn', 'creating containers is not available');
    this.deps.log('info', 'creating demo (lxc-create -t busybox)…');
    this.track('create demo', async () => {
      await factory.create('demo', 'busybox');
      this.deps.log('info', 'demo created; starting it');
      this.deps.refresh();
      this.run('start', [demoRow()]);
    }, false);
  }

  private track(what: string, work: () => Promise<void>, logStart = true): void {
    this.running++;
    this.deps.busyChanged();
    if (logStart) this.deps.log('info', `${what}…`);
    work()
      .then(() => logStart && this.deps.log('info', `${what}: done`))
      .catch((e: unknown) => this.deps.log('error', `${what}: ${lineOf(e)}`))
      .finally(() => {
        this.running--;
        this.deps.busyChanged();
        this.deps.refresh();
      });
  }

  private async jobAction(verb: string, name: string): Promise<void> {
    const jobs = this.deps.jobs;
    if (!jobs) throw new Error('jobs are not available');
    if (verb === 'freeze') return jobs.freeze(name);
    if (verb === 'thaw') return jobs.thaw(name);
    if (verb === 'kill' || verb === 'stop') return jobs.kill(name);
    throw new Error(`${verb} is for containers; jobs are started with 'lxcdeck job run'`);
  }

  private async containerAction(verb: string, w: Workload): Promise<void> {
    const b = this.deps.backend;
    const name = w.id.name;
    switch (verb) {
      case 'start':
        return b.start(name);
      case 'stop':
        return b.stop(name, { timeoutSeconds: 30 });
      case 'kill':
        return b.kill(name);
      case 'restart':
        if (w.pid !== null) await b.stop(name, { timeoutSeconds: 30 });
        return b.start(name);
      case 'freeze':
        return b.freeze(name);
      case 'thaw':
        return b.thaw(name);
    }
  }
}

/** The demo container's row before a refresh lists it (stopped, just created). */
function demoRow(): Workload {
  return containerWorkload({ name: 'demo', state: 'STOPPED', pid: null, ipv4: [], ipv6: [], unprivileged: false, autostart: false, groups: [], memoryBytes: null, cpuSeconds: null });
}
