import { commandFor } from '../commands/keymap.js';
import { choiceField, defineForm, textField } from '../core/fields.js';
import { errorText, type PlanRunner } from '../core/plan.js';
import { nameCheck, type CreateWizardDeps } from './createWizard.js';
import { FormView } from './form.js';
import { openPlanFlow } from './planFlow.js';

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
  let busy = false;
  d.overlays.open(
    { kind: 'plan', title: `clone ${from}` },
    {
      key: (k) => {
        if (busy) return undefined;
        const r = view.key(k.ch, k.name);
        if (r === 'cancel') return 'close';
        const values = r === 'submit' ? view.state.values() : null;
        if (!values) return undefined;
        busy = true;
        view.showError('checking…');
        d.changed();
        const snapshot = values.kind === 'overlay snapshot';
        planner
          .clonePlan(from, values.name, { snapshot })
          .then((plan) => openPlanFlow(snapshot ? { ...d, runner: d.quickRunner } : d, plan.title, [plan]))
          .catch((e: unknown) => {
            busy = false;
            view.showError(errorText(e));
            d.changed();
          });
        return undefined;
      },
      dispose: () => view.dispose(),
      resize: () => view.draw(),
    },
  );
}
