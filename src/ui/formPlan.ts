import type { AnyField, ValuesOf } from '../core/fields.js';
import { errorText, type Plan } from '../core/plan.js';
import type { FormView } from './form.js';
import type { OverlayHost } from './overlayHost.js';
import { openPlanFlow, type PlanFlowDeps } from './planFlow.js';

/** What a form on the plan flow needs: the overlay host and the flow's own deps. */
export interface FormPlanDeps extends PlanFlowDeps {
  overlays: OverlayHost;
}

/**
 * Opens a form whose valid values become a plan: Enter asks the engine for
 * it (the form shows "checking…" and takes no keys meanwhile), then the
 * shared plan flow previews and applies it; a refusal is the form's error
 * line, and the form stays for another try. `flow` may swap the runner
 * (quick plans without a journal).
 */
export function openFormPlan<F extends readonly AnyField[]>(
  d: FormPlanDeps,
  view: FormView<F>,
  title: string,
  plan: (values: ValuesOf<F>) => Promise<Plan> | Plan,
  flow: (values: ValuesOf<F>) => PlanFlowDeps = () => d,
): void {
  let busy = false;
  d.overlays.open(
    { kind: 'plan', title },
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
        Promise.resolve()
          .then(() => plan(values))
          .then((p) => {
            busy = false;
            openPlanFlow(flow(values), p.title, [p]);
          })
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
