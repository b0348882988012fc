import type blessed from 'blessed';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import { checkSteps, errorText, planError, type Plan, type PlanEvent, type PlanRunner } from '../core/plan.js';
import { defineForm } from '../core/fields.js';
import { elapsedText, planLines, progressHeading } from '../presentation/planText.js';
import type { LogLevel } from '../state/store.js';
import { FormView } from './form.js';
import type { OverlayHost } from './overlayHost.js';
import type { Palette } from './style.js';

export interface PlanFlowDeps {
  screen: blessed.Widgets.Screen;
  palette: Palette;
  keymap: ResolvedKeymap;
  overlays: OverlayHost;
  runner(): PlanRunner;
  log(level: LogLevel, text: string): void;
  /** The overlay's text changed outside a key press (checks done, progress): render. */
  changed(): void;
}

const EMPTY = defineForm([]);

/**
 * A change in the TUI, the same way every time: the plan's preview (each
 * step with what it runs or edits, and whether it is done already), Enter to
 * apply with the steps and progress shown as they run, then the result; Esc
 * leaves before applying. The event log keeps one line per plan.
 */
export function openPlanFlow(d: PlanFlowDeps, title: string, plans: readonly Plan[]): void {
  const view = new FormView(d.screen, d.palette, EMPTY, {
    label: ` ${title} `,
    heading: title,
    previewResolve: (k) => commandFor(d.keymap, 'preview', k),
    keysOf: (id) => d.keymap.byCommand.get(id) ?? [],
  });
  let phase: 'checking' | 'preview' | 'running' | 'done' = 'checking';
  let preview: string[] = [];
  const lines: string[] = [];
  let closed = false;
  const show = (heading: string, body: string[], confirm: string) => {
    if (closed) return;
    view.showPreview(heading, body.join('\n'), confirm);
    d.changed();
  };
  show('checking what is done already…', plans.flatMap((p) => planLines(p)), 'apply');
  void Promise.all(plans.map(async (p) => planLines(p, { checks: await checkSteps(p) })))
    .then((texts) => {
      if (phase !== 'checking') return;
      phase = 'preview';
      preview = texts.flat();
      show('Enter applies, Esc leaves without a change', preview, 'apply');
    })
    .catch((e: unknown) => {
      phase = 'done';
      show('cannot check the plan', [errorText(e)], 'close');
    });

  // what the heading says while a plan runs; a timer keeps its elapsed time moving between events
  const run = { title: '', step: null as number | null, done: 0, total: 0, started: 0, plan: 0 };
  const heading = () => progressHeading({ title: run.title, step: run.step, done: run.done, total: run.total, elapsedMs: Date.now() - run.started, plans: { index: run.plan, count: plans.length } });
  let ticker: ReturnType<typeof setInterval> | null = null;
  const stopTicker = () => {
    if (ticker) clearInterval(ticker);
    ticker = null;
  };
  const onEvent = (e: PlanEvent) => {
    if (e.type === 'step') {
      run.step = e.phase === 'start' ? e.index : run.step;
      if (e.phase === 'done' || e.phase === 'skip') run.done++;
    }
    if (e.type === 'step' && e.phase !== 'start') lines.push(`${e.phase === 'fail' ? '✗' : e.phase === 'skip' ? '=' : '✓'} ${e.index + 1}. ${e.description}${e.error ? `: ${e.error}` : ''}`);
    else if (e.type === 'step') lines.push(`… ${e.index + 1}. ${e.description}`);
    else if (e.type === 'progress') {
      const pct = e.total ? ` ${Math.floor((100 * (e.count ?? 0)) / e.total)}%` : '';
      lines.push(`  ${pct}${e.detail ? ` ${e.detail}` : ''}`.trimEnd());
    } else if (e.type === 'undo') lines.push(`↶ undo ${e.index + 1}. ${e.description}${e.phase === 'fail' ? ` failed: ${e.error ?? ''}` : e.phase === 'done' ? ': done' : ''}`);
    show(heading(), lines.slice(-200), 'wait');
  };

  const apply = async () => {
    phase = 'running';
    let failed = 0;
    const started = Date.now();
    ticker = setInterval(() => show(heading(), lines.slice(-200), 'wait'), 1000);
    ticker.unref?.();
    for (const [i, plan] of plans.entries()) {
      Object.assign(run, { title: plan.title, step: null, done: 0, total: plan.steps.length, started: Date.now(), plan: i });
      show(heading(), lines, 'wait');
      const runner = d.runner();
      const sub = runner.onEvent(onEvent);
      try {
        const result = await runner.run(plan);
        const err = planError(result);
        if (err) {
          failed++;
          d.log('error', `${plan.title}: ${err.line}`);
        } else d.log('info', `${plan.title}: ${result.outcome === 'applied' ? 'applied' : result.outcome}`);
      } catch (e) {
        failed++;
        d.log('error', `${plan.title}: ${errorText(e)}`);
      } finally {
        sub.dispose();
      }
    }
    phase = 'done';
    stopTicker();
    show(`${failed ? `${failed} of ${plans.length} failed (undone; see the event log)` : 'done'} — Enter or Esc closes (took ${elapsedText(Date.now() - started)})`, lines, 'close');
  };

  d.overlays.open(
    { kind: 'plan', title },
    {
      key: (k) => {
        if (phase === 'running') return undefined;
        const r = view.key(k.ch, k.name);
        if (phase === 'done' && (r === 'confirm' || r === 'back')) return 'close';
        if (r === 'back' || r === 'cancel') return 'close';
        if (r === 'confirm' && phase === 'preview') void apply();
        return undefined;
      },
      dispose: () => {
        closed = true;
        stopTicker();
        view.dispose();
      },
      resize: () => view.draw(),
    },
  );
}
