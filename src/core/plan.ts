import { isLxcdeckError, LxcdeckError } from './errors.js';

/**
 * Plans: every change lxcdeck makes to the host or to a container (config
 * edits, idmap shifts, network setup, create/clone) is an ordered list of
 * steps that can be shown before it runs (--dry-run, the TUI preview),
 * applied with progress, undone in reverse on failure, and journalled so a
 * run killed half-way can be resumed or rolled back (src/plan).
 */

/** JSON-serialisable data: what a journal can store. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One liblxc config key as a step changes it; [] is "not set". */
export interface ConfigChange {
  key: string;
  old: string[];
  new: string[];
}

/** What a step shows the user before it runs: exactly what will happen. */
export type StepShows =
  /** A host command, argv exactly as it will be run (ip, nft, lxc-create, ...). */
  | { kind: 'command'; argv: string[] }
  /** A file rewritten as a whole (null: the file does not exist / is removed). */
  | { kind: 'file'; path: string; before: string | null; after: string | null }
  /** A change given as unified diff text (for callers that have one already). */
  | { kind: 'diff'; path: string; diff: string }
  /** liblxc config keys of one container. */
  | { kind: 'config'; container: string; file: string; changes: ConfigChange[] }
  /** Anything else, in words. */
  | { kind: 'note'; text: string };

/** Where a long step is; every field optional (a step may know only bytes). */
export interface StepProgress {
  count?: number;
  total?: number;
  bytes?: number;
  totalBytes?: number;
  /** A short word on what it is doing now (a file name, "waiting for DHCP"). */
  detail?: string;
}

export interface PlanStep {
  /** One line: what the step does, e.g. "set lxc.console.buffer.size = 128kB in /var/lib/lxc/c1/config". */
  readonly description: string;
  readonly shows: readonly StepShows[];
  /** True when the step's effect is already there (it is then skipped, not undone). */
  check(): Promise<boolean>;
  /** Does the step; when it throws, it has taken back its own partial work first (it alone knows it). */
  apply(progress: (p: StepProgress) => void): Promise<void>;
  /**
   * Takes the step's effect back. After kill -9 it is also called for the step
   * that was running, which may be half-done or not done at all: undo only
   * what is there, and refuse (throw) rather than clobber what someone else
   * changed since.
   */
  undo(): Promise<void>;
  /**
   * Starts read-only work the step's apply will need, so that it overlaps
   * the steps before it (a check that waits on the kernel); the executor
   * calls it for every step before the first one runs. Must change nothing.
   */
  prefetch?(): void;
}

export interface Plan {
  /** The builder that can make this plan again from `params` (see the plan registry). */
  readonly kind: string;
  readonly title: string;
  /** Everything needed to rebuild the identical plan after a crash (before-texts included). */
  readonly params: Json;
  readonly steps: readonly PlanStep[];
}

/** Events of a run, JSON-serialisable (`--json` prints one per line). */
export type PlanEvent =
  | { type: 'plan'; plan: string; kind: string; title: string; steps: number; resumed: boolean }
  | { type: 'step'; plan: string; index: number; description: string; phase: 'start' | 'skip' | 'done' | 'fail'; error?: string }
  | ({ type: 'progress'; plan: string; index: number } & StepProgress)
  | { type: 'undo'; plan: string; index: number; description: string; phase: 'start' | 'done' | 'fail'; error?: string }
  | { type: 'result'; plan: string; outcome: PlanOutcome; failedStep?: number; error?: string };

/**
 * applied: every step is in place (some may have been done already);
 * rolled-back: a step failed and the steps applied before it are undone (or a rollback was asked for);
 * rollback-failed: an undo failed too: the journal stays for `lxcdeck plan rollback`.
 */
export type PlanOutcome = 'applied' | 'rolled-back' | 'rollback-failed';

export interface StepFailure {
  index: number;
  description: string;
  message: string;
  /** The thrown value (an LxcdeckError keeps its code and fix). */
  error: unknown;
}

export interface PlanResult {
  /** The journal's id (null when run without one). */
  plan: string | null;
  outcome: PlanOutcome;
  /** Indexes applied by this run (or an earlier run of the same journal). */
  applied: number[];
  /** Indexes whose check() said they were done already. */
  skipped: number[];
  undone: number[];
  failed?: StepFailure;
  undoFailures: StepFailure[];
}

/** What the UI needs to run a plan (src/plan's PlanExecutor). */
export interface PlanRunner {
  /** Subscribes to every event of every run (the shape of base/event's Event, spelled out: core imports only core). */
  readonly onEvent: (listener: (e: PlanEvent) => void) => { dispose(): void };
  run(plan: Plan): Promise<PlanResult>;
}

/** Status of each step of a plan, for a preview: already done or still to do. */
export async function checkSteps(plan: Plan): Promise<('done' | 'todo' | { error: string })[]> {
  const out: ('done' | 'todo' | { error: string })[] = [];
  for (const step of plan.steps) {
    try {
      out.push((await step.check()) ? 'done' : 'todo');
    } catch (e) {
      out.push({ error: errorText(e) });
    }
  }
  return out;
}

/** The one line of a thrown value (LxcdeckError's line, an Error's message). */
export function errorText(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'line' in e && typeof (e as { line: unknown }).line === 'string') return (e as { line: string }).line;
  return e instanceof Error ? e.message : String(e);
}

/**
 * The one-line error for a run that did not apply (null when it did, or when
 * an asked-for rollback worked): the failing step, its cause with the cause's
 * code and fix, and what became of the steps before it.
 */
export function planError(result: PlanResult): LxcdeckError | null {
  const f = result.failed;
  const u = result.undoFailures[0];
  const cause = f ?? u;
  if (!cause) return null;
  const orig = isLxcdeckError(cause.error) ? cause.error : null;
  const code = orig?.code ?? 'internal';
  const what = f ? `step ${f.index + 1} (${f.description}) failed: ${orig?.message ?? f.message}` : '';
  if (!u) return new LxcdeckError(code, `${what}; ${result.undone.length ? 'the steps before it are undone' : 'nothing was changed'}`, orig?.fix);
  const undo = `undoing step ${u.index + 1} (${u.description}) failed: ${u.message}`;
  return new LxcdeckError(code, [what, undo].filter(Boolean).join('; and '), `fix that, then run 'lxcdeck plan rollback ${result.plan ?? ''}'`.trim());
}
