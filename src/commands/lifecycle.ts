import type { ContainerBackend, ContainerPlanner, Freezable } from '../core/backend.js';
import { isLxcdeckError } from '../core/errors.js';
import { planError, type PlanRunner } from '../core/plan.js';
import { containerRef, containerWorkload, workloadLabel, workloadTitle, type Workload } from '../core/workload.js';
import type { WorkstationJobs } from '../state/sources.js';
import type { LogLevel } from '../state/store.js';

export type LifecycleOp = 'start' | 'stop' | 'restart' | 'kill' | 'freeze-toggle';

export interface LifecycleDeps {
  backend: ContainerBackend & Freezable;
  /** The create plan (as `lxcdeck create` and the n wizard make it) for the demo key. */
  demo?: { planner: ContainerPlanner; runner(): PlanRunner };
  jobs?: WorkstationJobs;
  log(level: LogLevel, text: string): void;
  /** A line for the status bar only: progress and success (the event log gets the state changes a refresh sees, not three lines per action). */
  say(text: string): void;
  /** Re-list now (after each action, and when one starts). */
  refresh(): void;
  /** The number of actions under way changed (the status bar shows it). */
  busyChanged(): void;
}

const lineOf = (e: unknown) => (isLxcdeckError(e) ? e.line : String(e));

/** The verb an op means for this row (the freeze toggle thaws a frozen one). */
export function verbOf(op: LifecycleOp, w: Workload): string {
  if (op !== 'freeze-toggle') return op;
  return w.state === 'FROZEN' || w.state === 'FREEZING' ? 'thaw' : 'freeze';
}

/**
 * Why the op would do nothing on this row as the last refresh saw it
 * ("is already stopped"), or null when it applies. Checked before asking,
 * so stop on a stopped container says so instead of asking.
 */
export function notApplicable(op: LifecycleOp, w: Workload): string | null {
  const s = w.state;
  const stopped = s === 'STOPPED' || s === 'ABORTING';
  switch (op) {
    case 'start':
      if (w.id.kind === 'job') return null; // the job action names the fix
      return s === 'RUNNING' ? 'is already running' : s === 'FROZEN' || s === 'FREEZING' ? 'is running, frozen: thaw it (f)' : s === 'STARTING' ? 'is starting already' : null;
    case 'stop':
    case 'kill':
      return stopped ? 'is already stopped' : s === 'STOPPING' && op === 'stop' ? 'is stopping already' : null;
    case 'freeze-toggle':
      return stopped ? 'is stopped: start it first (s)' : null;
    case 'restart':
      return null;
  }
}

/** The rows the op applies to, and a line for each one it skips. */
export function applicableTargets(op: LifecycleOp, targets: readonly Workload[]): { todo: Workload[]; skipped: string[] } {
  const todo: Workload[] = [];
  const skipped: string[] = [];
  for (const w of targets) {
    const why = notApplicable(op, w);
    if (why === null) todo.push(w);
    else skipped.push(`${verbOf(op, w)} ${workloadTitle(w.id)}: ${workloadLabel(w.id)} ${why}`);
  }
  return { todo, skipped };
}

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

  /** Runs the op on each target it applies to; the others get a line saying why not. */
  run(op: LifecycleOp, targets: readonly Workload[]): void {
    const { todo, skipped } = applicableTargets(op, targets);
    for (const line of skipped) this.deps.log('warn', line);
    if (!todo.length) return;
    for (const w of todo) {
      const verb = verbOf(op, w);
      const label = workloadTitle(w.id);
      this.track(`${verb} ${label}`, () => (w.id.kind === 'job' ? this.jobAction(verb, w.id.name) : this.containerAction(verb, w)));
    }
    this.deps.refresh();
  }

  /** Creates the demo busybox container and starts it: the create plan (console buffer, map, terminals), no preview. */
  createDemo(exists: boolean): void {
    const demo = this.deps.demo;
    if (exists) return this.deps.log('warn', 'a container named demo exists already');
    if (!demo) return this.deps.log('warn', 'creating containers is not available');
    this.deps.log('info', 'creating demo from busybox and starting it…');
    this.track('create demo', async () => {
      const plan = await demo.planner.createPlan({ name: 'demo', from: 'busybox', start: true });
      const err = planError(await demo.runner().run(plan));
      if (err) throw err;
      this.deps.log('info', 'demo created and started');
    }, false);
  }

  private track(what: string, work: () => Promise<void>, logStart = true): void {
    this.running++;
    this.deps.busyChanged();
    if (logStart) this.deps.say(`${what}…`);
    work()
      .then(() => logStart && this.deps.say(`${what}: done`))
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
    // the container's reference: its lxcpath's container, not a namesake in another
    const name = containerRef(w.id);
    switch (verb) {
      case 'start':
        return b.start(name);
      case 'stop':
        return b.stop(name, { timeoutSeconds: 30 });
      case 'kill':
        return b.kill(name);
      case 'restart':
        if (w.pid !== null) {
          await b.stop(name, { timeoutSeconds: 30 });
          // list it while it is down: the log shows RUNNING → STOPPED → RUNNING, not nothing
          this.deps.refresh();
        }
        return b.start(name);
      case 'freeze':
        return b.freeze(name);
      case 'thaw':
        return b.thaw(name);
    }
  }
}
