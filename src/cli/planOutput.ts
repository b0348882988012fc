import type { Disposable } from '../base/disposable.js';
import type { Event } from '../base/event.js';
import { checkSteps, planError, type Plan, type PlanEvent, type PlanResult } from '../core/plan.js';
import { formatBytes, sanitize } from '../presentation/format.js';
import { planJson, planLines } from '../presentation/planText.js';
import { processIo } from './io.js';

/**
 * How the CLI shows a plan: `--dry-run` prints it (with what is already
 * done); applying prints one line per step on stdout, plus a progress bar on
 * stderr when that is a terminal; `--json` prints one JSON line per event.
 */
export interface PlanTerminal {
  /** One line of the command's output (stdout). */
  out(line: string): void;
  /** Raw text for the progress bar (stderr); only used when barTTY. */
  bar(text: string): void;
  barTTY: boolean;
  columns: number;
}

export const processTerminal = (): PlanTerminal => ({
  // through io.ts, like every command's output: one writer of fd 1 keeps the order
  out: (l) => processIo.out(l),
  bar: (t) => process.stderr.write(t),
  barTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns || 80,
});

export type PlanMode = 'json' | 'text';

/** --dry-run: the plan, each step marked when check() finds it done; nothing is changed. */
export async function printPlan(plan: Plan, term: PlanTerminal, mode: PlanMode): Promise<void> {
  const checks = await checkSteps(plan);
  if (mode === 'json') term.out(JSON.stringify({ ...planJson(plan, checks), dryRun: true }));
  else for (const line of planLines(plan, { checks })) term.out(line);
}

interface BarState {
  index: number;
  steps: number;
  description: string;
  fraction: number | null;
  detail: string;
}

/** One progress bar line, cut to the terminal's width. */
export function barLine(s: BarState, columns: number): string {
  const width = 20;
  const overall = s.steps === 0 ? 1 : (s.index + (s.fraction ?? 0)) / s.steps;
  const filled = Math.max(0, Math.min(width, Math.round(overall * width)));
  const pct = s.fraction === null ? '' : ` ${Math.floor(s.fraction * 100)}%`;
  const text = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${s.index + 1}/${s.steps}${pct} ${s.description}${s.detail ? ` (${s.detail})` : ''}`;
  return sanitize(text).slice(0, Math.max(10, columns - 1));
}

function stepLine(e: Extract<PlanEvent, { type: 'step' | 'undo' }>, steps: number): string | null {
  const where = `${e.index + 1}/${steps} ${e.description}`;
  if (e.type === 'undo') return e.phase === 'start' ? null : `undo ${where}: ${e.phase === 'done' ? 'done' : `failed: ${e.error ?? ''}`}`;
  if (e.phase === 'start') return null;
  return `${where}: ${e.phase === 'skip' ? 'already done' : e.phase === 'done' ? 'done' : `failed: ${e.error ?? ''}`}`;
}

/** Shows a run's events until disposed. */
export function renderRun(onEvent: Event<PlanEvent>, term: PlanTerminal, mode: PlanMode): Disposable {
  let steps = 0;
  let bar: BarState | null = null;
  let lastDraw = 0;
  const clearBar = () => {
    if (bar && term.barTTY) term.bar('\r\x1b[K');
  };
  let lastPct = -1;
  // at most ~10 redraws a second, plus one per whole percent
  const draw = (force: boolean) => {
    const now = Date.now();
    const pct = bar?.fraction === null || !bar ? -1 : Math.floor(bar.fraction * 100);
    if (!bar || !term.barTTY || (!force && pct === lastPct && now - lastDraw < 100)) return;
    lastDraw = now;
    lastPct = pct;
    term.bar(`\r\x1b[K${barLine(bar, term.columns)}`);
  };
  const sub = onEvent((e) => {
    if (mode === 'json') return term.out(JSON.stringify(e));
    if (e.type === 'plan') steps = e.steps;
    else if (e.type === 'step' && e.phase === 'start') {
      bar = { index: e.index, steps, description: e.description, fraction: null, detail: '' };
      draw(true);
    } else if (e.type === 'progress' && bar) {
      const total = e.totalBytes ?? e.total;
      const done = e.totalBytes !== undefined ? e.bytes : e.count;
      bar.fraction = total && done !== undefined ? Math.min(1, done / total) : bar.fraction;
      bar.detail = [e.detail, e.bytes !== undefined ? formatBytes(e.bytes) : ''].filter(Boolean).join(', ');
      draw(false);
    } else if (e.type === 'step' || e.type === 'undo') {
      const line = stepLine(e, steps);
      if (line) {
        // the step is over: its line replaces the bar until the next step starts
        clearBar();
        bar = null;
        term.out(sanitize(line));
      }
    } else if (e.type === 'result') {
      clearBar();
      bar = null;
    }
  });
  return { dispose: () => (clearBar(), sub.dispose()) };
}

/** Runs a plan with the CLI's rendering; throws the run's one-line error. */
export async function applyPlan(run: { onEvent: Event<PlanEvent> }, go: () => Promise<PlanResult>, term: PlanTerminal, mode: PlanMode): Promise<PlanResult> {
  const view = renderRun(run.onEvent, term, mode);
  let result: PlanResult;
  try {
    result = await go();
  } finally {
    view.dispose();
  }
  const err = planError(result);
  if (err) throw err;
  return result;
}
