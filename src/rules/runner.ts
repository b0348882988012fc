import { containerId, containerRef, jobId, parseWorkloadKey, workloadKey } from '../core/workload.js';
import type { Clock } from '../base/clock.js';
import type { JobManager } from '../jobs/manager.js';
import { ARMED, evaluateRule, parseSource, parseTarget, type Rule, type RuleSource, type RuleState, type RuleTarget, type TargetView } from './rules.js';
import { sourceUnit } from './sources.js';

/**
 * Containers as rule targets, supplied by the caller (the CLI wires liblxc,
 * the TUI its backend) so this module stays free of lxc/.
 */
export interface ContainerControl {
  freeze(name: string): Promise<void>;
  thaw(name: string): Promise<void>;
  /** Names of the containers in an lxc.group. */
  listGroup(group: string): string[];
  /** Whether it is frozen; null when it is not running (not a target now). */
  isFrozen(name: string): boolean | null;
}

export type RuleJobs = Pick<JobManager, 'list' | 'freeze' | 'thaw'>;

interface Compiled {
  rule: Rule;
  source: RuleSource;
  target: RuleTarget;
  state: RuleState;
  unreadable: boolean;
  /** Why the last read failed, when it said (a FIFO, a stuck read): logged once per change. */
  problem: string | null;
}

export interface RuleRunnerOptions {
  rules: readonly Rule[];
  /** The value now, or null; may throw (or reject) with a one-line reason the log shows. */
  read: (s: RuleSource) => number | null | Promise<number | null>;
  jobs: RuleJobs;
  containers?: ContainerControl;
  clock: Clock;
  /** Trips, releases and failures, one line each. */
  log: (line: string) => void;
  freezeTimeoutMs?: number;
}

/** Evaluates every rule each tick and carries out what evaluateRule asks for. */
export class RuleRunner {
  private readonly compiled: Compiled[];
  private ticking: Promise<void> | null = null;

  constructor(private readonly opts: RuleRunnerOptions) {
    this.compiled = opts.rules.map((rule) => ({ rule, source: parseSource(rule.source), target: parseTarget(rule.target), state: ARMED, unreadable: false, problem: null }));
  }

  /** Rule name -> armed/tripped, for a status bar. */
  states(): Map<string, RuleState> {
    return new Map(this.compiled.map((c) => [c.rule.name, c.state]));
  }

  tick(): Promise<void> {
    // never two ticks at once: a slow freeze must not interleave with the next evaluation
    this.ticking ??= this.doTick().finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** Ticks every `intervalMs` until `signal` aborts, then thaws what the rules froze. */
  async run(intervalMs: number, signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    while (!signal.aborted) {
      await this.tick();
      if (signal.aborted) break;
      await Promise.race([this.opts.clock.sleep(intervalMs), aborted]);
    }
    await this.ticking;
    await this.releaseAll();
  }

  /** Thaws everything the rules froze (on stop); returns the targets thawed. */
  async releaseAll(): Promise<string[]> {
    const thawed: string[] = [];
    for (const c of this.compiled) {
      for (const id of c.state.owned) if (await this.act('thaw', id, c.rule)) thawed.push(id);
      c.state = ARMED;
    }
    if (thawed.length) this.opts.log(`stopped: thawed ${thawed.join(', ')}`);
    return thawed;
  }

  private async doTick(): Promise<void> {
    const jobs = this.opts.jobs.list();
    for (const c of this.compiled) {
      const value = await this.readSafely(c);
      const targets = this.targetsOf(c.target, jobs);
      const step = evaluateRule(c.rule, c.state, value, targets);
      c.state = step.state;
      const label = `${c.rule.source} = ${value === null ? '?' : value.toFixed(1)}${sourceUnit(c.source)}`;
      const done: string[] = [];
      for (const a of step.actions) {
        if (a.kind === 'thaw' && this.handOver(c, a.target)) continue;
        if (await this.act(a.kind, a.target, c.rule)) done.push(a.target);
        // a freeze that failed is not ours; drop it so the next tick tries again
        else if (a.kind === 'freeze') c.state = { ...c.state, owned: c.state.owned.filter((x) => x !== a.target), seen: c.state.seen.filter((x) => x !== a.target) };
      }
      const kept = step.skipped.length ? ` (left alone, frozen already: ${step.skipped.join(', ')})` : '';
      if (step.event === 'trip') this.opts.log(`trip ${c.rule.name}: ${label} > ${c.rule.high}: froze ${done.join(', ') || 'nothing'}${kept}`);
      else if (step.event === 'release') this.opts.log(`release ${c.rule.name}: ${label} < ${c.rule.low}: thawed ${done.join(', ') || 'nothing'}`);
      else if (done.length) this.opts.log(`trip ${c.rule.name}: ${label}: froze ${done.join(', ')} (new)`);
    }
  }

  /** Another tripped rule covering the same target keeps it frozen and takes it over. */
  private handOver(from: Compiled, id: string): boolean {
    const heir = this.compiled.find((o) => o !== from && o.state.tripped && o.state.seen.includes(id));
    if (!heir) return false;
    heir.state = { ...heir.state, owned: [...heir.state.owned, id] };
    return true;
  }

  private async readSafely(c: Compiled): Promise<number | null> {
    let v: number | null;
    let problem: string | null = null;
    try {
      v = await this.opts.read(c.source);
    } catch (e) {
      v = null;
      problem = (e as { line?: string }).line ?? (e instanceof Error ? e.message : String(e));
    }
    // only a real change of readability (or of the reason) is worth a line, not every tick
    if ((v === null) !== c.unreadable || problem !== c.problem) {
      c.unreadable = v === null;
      // cpu:<name> reads null on its first tick by design
      if (problem !== null) this.opts.log(`rule ${c.rule.name}: not reading ${c.rule.source}: ${problem}; holding its state`);
      else if (c.unreadable && c.source.kind !== 'cpu') this.opts.log(`rule ${c.rule.name}: cannot read ${c.rule.source}; holding its state`);
      else if (!c.unreadable && c.source.kind !== 'cpu') this.opts.log(`rule ${c.rule.name}: ${c.rule.source} readable again`);
    }
    c.problem = problem;
    return v;
  }

  private targetsOf(t: RuleTarget, jobs: ReturnType<RuleJobs['list']>): TargetView[] {
    const live = jobs.filter((j) => j.state !== 'finished');
    const containers = this.opts.containers;
    const container = (name: string): TargetView[] => {
      const f = containers?.isFrozen(name) ?? null;
      return f === null ? [] : [{ id: workloadKey(containerId(name)), frozen: f }];
    };
    switch (t.kind) {
      case 'job':
        return live.filter((j) => j.record.name === t.name).map((j) => ({ id: workloadKey(jobId(j.record.name)), frozen: j.state !== 'running' }));
      case 'jobs':
        return live.map((j) => ({ id: workloadKey(jobId(j.record.name)), frozen: j.state !== 'running' }));
      case 'container':
        return container(t.name);
      case 'group':
        return (containers?.listGroup(t.name) ?? []).flatMap(container);
    }
  }

  private async act(kind: 'freeze' | 'thaw', id: string, rule: Rule): Promise<boolean> {
    const w = parseWorkloadKey(id);
    if (!w) return false;
    const type = w.kind;
    // a container by reference: a namesake in another lxcpath is another container
    const name = type === 'container' ? containerRef(w) : w.name;
    try {
      if (type === 'job') await (kind === 'freeze' ? this.opts.jobs.freeze(name, this.opts.freezeTimeoutMs) : this.opts.jobs.thaw(name, this.opts.freezeTimeoutMs));
      else if (this.opts.containers) await (kind === 'freeze' ? this.opts.containers.freeze(name) : this.opts.containers.thaw(name));
      else return false;
      return true;
    } catch (e) {
      const msg = (e as { line?: string; message?: string }).line ?? (e as Error).message;
      this.opts.log(`rule ${rule.name}: cannot ${kind} ${id}: ${msg}`);
      return false;
    }
  }
}
