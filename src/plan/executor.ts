import type { Disposable } from '../base/disposable.js';
import { Emitter, type Event } from '../base/event.js';
import { LxcdeckError } from '../core/errors.js';
import { errorText, type Plan, type PlanEvent, type PlanResult, type PlanRunner, type StepFailure } from '../core/plan.js';
import { isAlive, processMark } from '../host/liveness.js';
import type { JournalStore, PlanJournal, StepStatus } from './journal.js';
import type { PlanRegistry } from './registry.js';

type StepEvent = Extract<PlanEvent, { type: 'step' }>;
type ProgressEvent = Extract<PlanEvent, { type: 'progress' }>;
type UndoEvent = Extract<PlanEvent, { type: 'undo' }>;

export interface PlanExecutorDeps {
  /** Where runs are journalled; null runs without a journal (nothing to resume after a crash). */
  journals: JournalStore | null;
  /** Needed by resume and rollback only: rebuilds a journal's plan. */
  registry?: PlanRegistry;
}

/**
 * Runs plans: steps in order, skipping those whose check() says done; on a
 * failure the steps applied before it are undone in reverse (the failing
 * step cleans up after itself). Every status change is journalled before the
 * next action, so after kill -9 the plan can be resumed (check() finds what
 * is done) or rolled back (undo() of every step that was started, including
 * the one that was running).
 */
export class PlanExecutor implements PlanRunner, Disposable {
  private readonly events = new Emitter<PlanEvent>();
  readonly onEvent: Event<PlanEvent> = this.events.event;
  readonly onStep: Event<StepEvent> = (l) => this.events.event((e) => e.type === 'step' && l(e));
  readonly onProgress: Event<ProgressEvent> = (l) => this.events.event((e) => e.type === 'progress' && l(e));
  readonly onUndo: Event<UndoEvent> = (l) => this.events.event((e) => e.type === 'undo' && l(e));

  constructor(private readonly deps: PlanExecutorDeps) {}

  dispose(): void {
    this.events.dispose();
  }

  async run(plan: Plan): Promise<PlanResult> {
    const journal = this.deps.journals?.begin(plan) ?? null;
    return this.forward(plan, journal, false);
  }

  /** Journals left by a process that died (or whose rollback failed). */
  pendingJournals(): PlanJournal[] {
    return this.deps.journals?.pending() ?? [];
  }

  /** Goes on with an interrupted plan: steps already in place are found by check() and skipped. */
  async resume(journal: PlanJournal): Promise<PlanResult> {
    const plan = this.takeOver(journal);
    journal.state = 'applying';
    delete journal.error;
    return this.forward(plan, journal, true);
  }

  /** Undoes every step an interrupted plan started, newest first. */
  async rollback(journal: PlanJournal): Promise<PlanResult> {
    const plan = this.takeOver(journal);
    const id = journal.id;
    this.events.fire({ type: 'plan', plan: id, kind: plan.kind, title: plan.title, steps: plan.steps.length, resumed: true });
    const started = journal.steps.flatMap((s, i) => (s.status === 'applied' || s.status === 'applying' || s.status === 'undoing' ? [i] : []));
    const result: PlanResult = { plan: id, outcome: 'rolled-back', applied: [], skipped: [], undone: [], undoFailures: [] };
    return this.undoAll(plan, journal, started, result);
  }

  private takeOver(journal: PlanJournal): Plan {
    const journals = this.deps.journals;
    if (!journals || !this.deps.registry) throw new Error('resume and rollback need a journal store and a plan registry');
    const mine = journal.owner.pid === process.pid && journal.owner.start === processMark().start;
    if (!mine && isAlive(journal.owner))
      throw new LxcdeckError('wrong-state', `plan ${journal.id} is still being applied by process ${journal.owner.pid}`, 'wait for it to finish, or stop that process first');
    const plan = this.deps.registry.build(journal.kind, journal.params);
    const same = plan.steps.length === journal.steps.length && plan.steps.every((s, i) => s.description === journal.steps[i]?.description);
    if (!same)
      throw new LxcdeckError('internal', `plan ${journal.id} (${journal.title}) no longer rebuilds to the same steps`, `check its changes by hand, then delete ${journals.dir}/${journal.id}.json`);
    journals.claim(journal);
    return plan;
  }

  private save(journal: PlanJournal | null, index?: number, status?: StepStatus): void {
    if (!journal) return;
    const step = index === undefined ? undefined : journal.steps[index];
    if (step && status) step.status = status;
    this.deps.journals?.save(journal);
  }

  /**
   * A status change kept in memory until the next save: a step found done or
   * just applied needs no write of its own, because the next step's
   * 'applying' (or the journal's removal at the end) follows at once, and a
   * step left 'applying' or 'pending' by a crash in between is found by
   * check() on resume, as ours or not as before. Halves a plan's journal
   * writes (each an fsync where the journal is durable).
   */
  private mark(journal: PlanJournal | null, index: number, status: StepStatus): void {
    const step = journal?.steps[index];
    if (step) step.status = status;
  }

  /** A status change during a rollback: a journal that cannot be written must not stop the undo. */
  private saveQuietly(journal: PlanJournal | null, index?: number, status?: StepStatus): void {
    try {
      this.save(journal, index, status);
    } catch {
      // the result still reports every step; only a later resume/rollback loses track
    }
  }

  private finish(journal: PlanJournal | null): void {
    try {
      if (journal) this.deps.journals?.remove(journal.id);
    } catch {
      // nothing is pending: a stale journal is found done by check() on resume
    }
  }

  private async forward(plan: Plan, journal: PlanJournal | null, resumed: boolean): Promise<PlanResult> {
    const id = journal?.id ?? '';
    this.events.fire({ type: 'plan', plan: id, kind: plan.kind, title: plan.title, steps: plan.steps.length, resumed });
    const result: PlanResult = { plan: journal?.id ?? null, outcome: 'applied', applied: [], skipped: [], undone: [], undoFailures: [] };
    const stepEvent = (index: number, phase: StepEvent['phase'], error?: string) =>
      this.events.fire({ type: 'step', plan: id, index, description: plan.steps[index]?.description ?? '', phase, ...(error === undefined ? {} : { error }) });
    for (const step of plan.steps) step.prefetch?.();
    for (const [index, step] of plan.steps.entries()) {
      // a step an earlier run of this journal started is ours to undo, even when it is found done
      const prior = journal?.steps[index]?.status;
      const ours = prior === 'applied' || prior === 'applying' || prior === 'undoing';
      stepEvent(index, 'start');
      try {
        if (await step.check()) {
          this.mark(journal, index, ours ? 'applied' : 'skipped');
          (ours ? result.applied : result.skipped).push(index);
          stepEvent(index, 'skip');
          continue;
        }
        this.save(journal, index, 'applying');
      } catch (e) {
        result.failed = failure(plan, index, e);
        stepEvent(index, 'fail', result.failed.message);
        break;
      }
      try {
        await step.apply((p) => this.events.fire({ type: 'progress', plan: id, index, ...p }));
      } catch (e) {
        result.failed = failure(plan, index, e);
        // a failing apply takes back its own partial work (PlanStep.apply)
        this.saveQuietly(journal, index, 'failed');
        stepEvent(index, 'fail', result.failed.message);
        break;
      }
      // applied: from here on a failure (even of the journal) undoes this step too
      result.applied.push(index);
      this.mark(journal, index, 'applied');
      stepEvent(index, 'done');
    }
    if (!result.failed) {
      this.finish(journal);
      this.events.fire({ type: 'result', plan: id, outcome: 'applied' });
      return result;
    }
    if (journal) journal.error = result.failed.message;
    return this.undoAll(plan, journal, result.applied, result);
  }

  private async undoAll(plan: Plan, journal: PlanJournal | null, indexes: number[], result: PlanResult): Promise<PlanResult> {
    const id = journal?.id ?? '';
    if (journal) journal.state = 'rolling-back';
    this.saveQuietly(journal);
    for (const index of [...indexes].sort((a, b) => b - a)) {
      const step = plan.steps[index];
      if (!step) continue;
      const undoEvent = (phase: UndoEvent['phase'], error?: string) =>
        this.events.fire({ type: 'undo', plan: id, index, description: step.description, phase, ...(error === undefined ? {} : { error }) });
      undoEvent('start');
      try {
        this.saveQuietly(journal, index, 'undoing');
        await step.undo();
        this.saveQuietly(journal, index, 'undone');
        result.undone.push(index);
        undoEvent('done');
      } catch (e) {
        const f = failure(plan, index, e);
        result.undoFailures.push(f);
        undoEvent('fail', f.message);
        // later undos may depend on this one having worked: stop, keep the journal
        break;
      }
    }
    result.outcome = result.undoFailures.length ? 'rollback-failed' : 'rolled-back';
    if (result.undoFailures.length && journal) {
      journal.state = 'stuck';
      journal.error = [result.failed?.message, result.undoFailures[0]?.message].filter(Boolean).join('; undo: ');
      this.saveQuietly(journal);
    } else this.finish(journal);
    const f = result.failed ?? result.undoFailures[0];
    this.events.fire({ type: 'result', plan: id, outcome: result.outcome, ...(f ? { failedStep: f.index, error: f.message } : {}) });
    return result;
  }
}

function failure(plan: Plan, index: number, error: unknown): StepFailure {
  return { index, description: plan.steps[index]?.description ?? '', message: errorText(error), error };
}
