import { commandFor } from '../commands/keymap.js';
import { choiceField, defineForm, textField } from '../core/fields.js';
import type { PlanRunner } from '../core/plan.js';
import { nameCheck, type CreateWizardDeps } from './createWizard.js';
import { FormView } from './form.js';
import { openFormPlan } from './formPlan.js';

/**
 * `O`: clone the selected container, as `lxcdeck clone` does: a full copy,
 * or an overlay snapshot clone sharing the original's rootfs (instant; the
 * original must then stay unchanged). The engine checks the name and the
 * source, the plan flow previews and applies the same plan as the CLI.
 */
const CLONE = defineForm([
  textField({ key: 'name', label: 'New name', required: true, hint: 'letters, digits, - _ . (a hostname label)', check: nameCheck }),
  choiceField({ key: 'kind', label: 'Kind', choices: ['copy', 'overlay snapshot'], hint: 'left/right: a full copy, or an overlay clone that shares the rootfs (instant)' }),
] as const);

export interface CloneFormDeps extends CreateWizardDeps {
  /** A runner without a journal, for snapshot clones (milliseconds; the CLI does the same). */
  quickRunner(): PlanRunner;
}

export function openCloneForm(d: CloneFormDeps, from: string): void {
  const planner = d.planner;
  if (!planner) return d.log('warn', 'cloning containers is not available here');
  const km = d.keymap;
  const view = new FormView(d.screen, d.palette, CLONE, {
    label: ` clone ${from} `,
    heading: `clone ${from}: checked, then shown as a plan before anything is copied`,
    initial: { name: `${from}-copy`.slice(0, 63) },
    submitTitle: 'preview',
    cancelTitle: 'cancel',
    resolve: (k) => commandFor(km, 'form', k),
    previewResolve: (k) => commandFor(km, 'preview', k),
    keysOf: (id) => km.byCommand.get(id) ?? [],
  });
  const snapshot = (v: { kind: string }) => v.kind === 'overlay snapshot';
  openFormPlan(d, view, `clone ${from}`, (v) => planner.clonePlan(from, v.name, { snapshot: snapshot(v) }), (v) => (snapshot(v) ? { ...d, runner: d.quickRunner } : d));
}
