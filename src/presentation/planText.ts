import type { ConfigChange, Plan, StepShows } from '../core/plan.js';
import { sanitize } from './format.js';
import { unifiedDiff } from './lineDiff.js';

/**
 * A plan as text lines, the same for `--dry-run` and the TUI preview: each
 * step's description, then what it shows (the command, the config keys, the
 * file diff), indented under it. Everything from outside (paths, values,
 * file contents) is stripped of control characters.
 */
export type StepCheck = 'done' | 'todo' | { error: string };

/** argv as a shell line a user could paste (single quotes where needed). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function values(v: string[]): string {
  return v.length === 0 ? '(unset)' : v.map((x) => (x === '' ? '""' : x)).join(', ');
}

function changeLine(c: ConfigChange): string {
  return `${c.key}: ${values(c.old)} -> ${values(c.new)}`;
}

/** The lines one "shows" entry renders to (without indentation). */
export function showsLines(s: StepShows): string[] {
  switch (s.kind) {
    case 'command':
      return [`$ ${shellLine(s.argv)}`];
    case 'config':
      return [`config of ${s.container} (${s.file}):`, ...s.changes.map((c) => `  ${changeLine(c)}`)];
    case 'file':
      return unifiedDiff(s.path, s.before, s.after);
    case 'diff':
      return s.diff.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    case 'note':
      return [s.text];
  }
}

function checkLabel(c: StepCheck | undefined): string {
  if (c === undefined || c === 'todo') return '';
  if (c === 'done') return '  [already done]';
  return `  [cannot check: ${c.error}]`;
}

export interface PlanTextOptions {
  /** Per-step result of check(), to mark what is already done. */
  checks?: readonly StepCheck[];
  /** Leave file diffs out (a short preview). */
  diffs?: boolean;
}

export function planLines(plan: Plan, options: PlanTextOptions = {}): string[] {
  const n = plan.steps.length;
  const out = [`${plan.title} (${n} step${n === 1 ? '' : 's'})`];
  plan.steps.forEach((step, i) => {
    out.push(`${i + 1}. ${step.description}${checkLabel(options.checks?.[i])}`);
    for (const s of step.shows) {
      if (options.diffs === false && (s.kind === 'file' || s.kind === 'diff')) continue;
      for (const line of showsLines(s)) out.push(`   ${line}`);
    }
  });
  return out.map(sanitize);
}

/** A step's shows as JSON-friendly data (for `--dry-run --json`). */
export function planJson(plan: Plan, checks?: readonly StepCheck[]): object {
  return {
    type: 'plan',
    kind: plan.kind,
    title: plan.title,
    steps: plan.steps.map((s, i) => ({ index: i, description: s.description, shows: s.shows, ...(checks?.[i] ? { check: checks[i] } : {}) })),
  };
}

/** Elapsed time as the progress shows it: 7 s, 1:05, 1:02:03. */
export function elapsedText(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h) return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return m ? `${m}:${String(sec).padStart(2, '0')}` : `${sec} s`;
}

/** The heading while a plan runs: which step, how many are done of all, and the time since Enter. */
export function progressHeading(p: { title: string; step: number | null; done: number; total: number; elapsedMs: number; plans?: { index: number; count: number } }): string {
  const of = p.plans && p.plans.count > 1 ? ` (plan ${p.plans.index + 1} of ${p.plans.count})` : '';
  const step = p.step === null ? '' : `step ${p.step + 1}/${p.total}, `;
  return `applying ${p.title}${of}: ${step}${p.done}/${p.total} done, ${elapsedText(p.elapsedMs)}`;
}
