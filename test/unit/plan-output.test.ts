import { describe, expect, it } from 'vitest';
import { applyPlan, barLine, renderRun, type PlanTerminal } from '../../src/cli/planOutput.js';
import { LxcdeckError } from '../../src/core/errors.js';
import { planError, type Plan, type PlanEvent } from '../../src/core/plan.js';
import { PlanExecutor } from '../../src/plan/executor.js';

function terminal(tty: boolean): PlanTerminal & { lines: string[]; barText: string } {
  const t = {
    lines: [] as string[],
    barText: '',
    out: (l: string) => t.lines.push(l),
    bar: (s: string) => (t.barText += s),
    barTTY: tty,
    columns: 60,
  };
  return t;
}

const plan = (fail = false): Plan => ({
  kind: 'k',
  title: 'two steps',
  params: null,
  steps: [
    { description: 'copy rootfs', shows: [], check: async () => false, apply: async (p) => (p({ count: 1, total: 4, bytes: 2048 }), p({ count: 4, total: 4, bytes: 8192 })), undo: async () => {} },
    {
      description: 'set keys',
      shows: [],
      check: async () => false,
      apply: async () => {
        if (fail) throw new LxcdeckError('config-key', 'liblxc rejects lxc.x = 1', 'see lxc.container.conf(5)');
      },
      undo: async () => {},
    },
  ],
});

describe('CLI plan rendering', () => {
  it('plain lines on a pipe: one per finished step, no bar, nothing raw', async () => {
    const t = terminal(false);
    const ex = new PlanExecutor({ journals: null });
    await applyPlan(ex, () => ex.run(plan()), t, 'text');
    expect(t.lines).toEqual(['1/2 copy rootfs: done', '2/2 set keys: done']);
    expect(t.barText).toBe('');
  });

  it('a progress bar on a terminal (stderr), erased at the end', async () => {
    const t = terminal(true);
    const ex = new PlanExecutor({ journals: null });
    await applyPlan(ex, () => ex.run(plan()), t, 'text');
    expect(t.barText).toContain('\r\x1b[K[--------------------] 1/2 copy rootfs');
    expect(t.barText).toContain('[###-----------------] 1/2 25% copy rootfs (2.0 KiB)');
    expect(t.barText).toContain('[##########----------] 1/2 100% copy rootfs (8.0 KiB)');
    expect(t.barText).toContain('[##########----------] 2/2 set keys');
    expect(t.barText.endsWith('\r\x1b[K')).toBe(true);
    expect(t.lines).toEqual(['1/2 copy rootfs: done', '2/2 set keys: done']);
  });

  it('--json: one JSON line per event', async () => {
    const t = terminal(false);
    const ex = new PlanExecutor({ journals: null });
    await applyPlan(ex, () => ex.run(plan()), t, 'json');
    const events = t.lines.map((l) => JSON.parse(l) as PlanEvent);
    expect(events.map((e) => e.type)).toEqual(['plan', 'step', 'progress', 'progress', 'step', 'step', 'step', 'result']);
    expect(events[3]).toMatchObject({ type: 'progress', index: 0, count: 4, total: 4, bytes: 8192 });
  });

  it('a failed step becomes one line with the step, the cause, the fix and the exit status of the cause', async () => {
    const t = terminal(false);
    const ex = new PlanExecutor({ journals: null });
    const err = await applyPlan(ex, () => ex.run(plan(true)), t, 'text').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxcdeckError);
    expect((err as LxcdeckError).line).toBe('step 2 (set keys) failed: liblxc rejects lxc.x = 1; the steps before it are undone: see lxc.container.conf(5)');
    expect((err as LxcdeckError).exitCode).toBe(2);
    expect(t.lines).toEqual(['1/2 copy rootfs: done', '2/2 set keys: failed: liblxc rejects lxc.x = 1: see lxc.container.conf(5)', 'undo 1/2 copy rootfs: done']);
  });

  it('a failed undo names the journal to roll back later', () => {
    const e = planError({
      plan: 'k-1',
      outcome: 'rollback-failed',
      applied: [0],
      skipped: [],
      undone: [],
      failed: { index: 1, description: 'b', message: 'boom', error: new Error('boom') },
      undoFailures: [{ index: 0, description: 'a', message: 'busy', error: new Error('busy') }],
    });
    expect(e?.line).toBe("step 2 (b) failed: boom; and undoing step 1 (a) failed: busy: fix that, then run 'lxcdeck plan rollback k-1'");
  });

  it('the bar fits the terminal and shows the fraction of the whole plan', () => {
    expect(barLine({ index: 1, steps: 2, description: 'x', fraction: 0.5, detail: '' }, 80)).toBe('[###############-----] 2/2 50% x');
    expect(barLine({ index: 0, steps: 1, description: 'y'.repeat(200), fraction: null, detail: '' }, 40)).toHaveLength(39);
  });

  it('renderRun stops drawing once disposed', () => {
    const t = terminal(false);
    let fire: (e: PlanEvent) => void = () => {};
    const view = renderRun((l) => ((fire = l), { dispose: () => (fire = () => {}) }), t, 'json');
    fire({ type: 'result', plan: 'p', outcome: 'applied' });
    view.dispose();
    fire({ type: 'result', plan: 'p', outcome: 'applied' });
    expect(t.lines).toHaveLength(1);
  });
});
