import type { ContainerPlanner } from '../core/backend.js';
import { containerRef, type Workload } from '../core/workload.js';
import type { PlanRunner } from '../core/plan.js';
import { PlanExecutor } from '../plan/executor.js';
import type { LogLevel } from '../state/store.js';
import { openCloneForm, type CloneFormDeps } from './cloneForm.js';
import { openCreateWizard, openLimitsForm } from './createWizard.js';
import type { RenderScheduler } from './scheduler.js';
import type { Palette } from './style.js';

/** What the forms on the plan flow (n, l, O) take from the workstation. */
export interface PlanFormHost extends Pick<CloneFormDeps, 'screen' | 'keymap' | 'overlays'> {
  planRunner(): PlanRunner;
  planner?: ContainerPlanner;
  scheduler: RenderScheduler;
}

/** The create wizard, the limits form and the clone form, sharing one set of deps (actions.ts stays small). */
export function planForms(h: PlanFormHost, palette: Palette, store: { addLog(level: LogLevel, text: string): void }) {
  // limits and snapshot clones take milliseconds: no journal (the CLI does the same)
  const quickRunner = () => new PlanExecutor({ journals: null });
  const deps = (runner: () => PlanRunner): CloneFormDeps => ({ screen: h.screen, palette, keymap: h.keymap, overlays: h.overlays, runner, quickRunner, planner: h.planner, log: (l, t) => store.addLog(l, t), changed: () => h.scheduler.markDirty() });
  return {
    create: () => openCreateWizard(deps(h.planRunner)),
    limits: (t: Workload) => (t.id.kind === 'container' ? openLimitsForm(deps(quickRunner), containerRef(t.id)) : undefined),
    clone: (t: Workload) => (t.id.kind === 'container' ? openCloneForm(deps(h.planRunner), containerRef(t.id)) : undefined),
  };
}
