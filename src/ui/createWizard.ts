import type blessed from 'blessed';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import type { ContainerPlanner } from '../core/backend.js';
import { choiceField, defineForm, numberField, optional, sizeField, textField } from '../core/fields.js';
import { validateContainerName } from '../core/names.js';
import { errorText } from '../core/plan.js';
import { formatSize } from '../core/size.js';
import { FormView } from './form.js';
import type { OverlayHost } from './overlayHost.js';
import { openFormPlan } from './formPlan.js';
import type { PlanFlowDeps } from './planFlow.js';

/**
 * `n`: the create wizard on the form kit. The engine checks the request
 * (name free, source usable, keys valid) and builds the create plan; the
 * plan flow then shows it, applies it with its progress and logs the result.
 */
export const nameCheck = (s: string): string | null => {
  try {
    validateContainerName(s);
    return null;
  } catch (e) {
    return errorText(e);
  }
};

const WIZARD = defineForm([
  textField({ key: 'name', label: 'Name', required: true, hint: 'letters, digits, - _ . (a hostname label)', check: nameCheck }),
  textField({ key: 'from', label: 'From', required: true, hint: 'busybox, debian[:RELEASE], dir:PATH, tar:FILE, download:DIST/RELEASE/ARCH, clone:OTHER' }),
  optional(sizeField({ key: 'memory', label: 'Memory max', hint: 'e.g. 256M; empty: no limit', min: 1024 * 1024 })),
  choiceField({ key: 'start', label: 'Start it', choices: ['yes', 'no'], hint: 'left/right: start it once it is made' }),
  choiceField({ key: 'inPlace', label: 'Dir in place', choices: ['no', 'yes'], hint: 'dir:PATH only: yes uses the directory itself (no copy; the plan shows a warning)' }),
] as const);

export interface CreateWizardDeps extends PlanFlowDeps {
  screen: blessed.Widgets.Screen;
  keymap: ResolvedKeymap;
  overlays: OverlayHost;
  planner: ContainerPlanner | undefined;
}

export function openCreateWizard(d: CreateWizardDeps): void {
  const planner = d.planner;
  if (!planner) return d.log('warn', 'creating containers is not available here');
  const km = d.keymap;
  const view = new FormView(d.screen, d.palette, WIZARD, {
    label: ' new container ',
    heading: 'new container: checked, then shown as a plan before anything is made',
    initial: { from: 'busybox' },
    submitTitle: 'preview',
    cancelTitle: 'cancel',
    resolve: (k) => commandFor(km, 'form', k),
    previewResolve: (k) => commandFor(km, 'preview', k),
    keysOf: (id) => km.byCommand.get(id) ?? [],
  });
  openFormPlan(d, view, 'new container', (values) =>
    planner.createPlan({ name: values.name, from: values.from, start: values.start === 'yes', ...(values.inPlace === 'yes' ? { inPlace: true } : {}), ...(values.memory !== undefined ? { memoryMax: formatSize(values.memory) } : {}) }),
  );
}

const LIMITS = defineForm([
  optional(sizeField({ key: 'memory', label: 'Memory max', hint: 'e.g. 256M; empty: leave as it is', min: 1024 * 1024 })),
  optional(numberField({ key: 'pids', label: 'Pids max', hint: 'most processes; empty: leave as it is', min: 1, max: 4194304, integer: true })),
  optional(numberField({ key: 'cpu', label: 'CPU max %', hint: 'percent of one CPU (150 = one and a half); empty: leave as it is', min: 1, max: 100000, integer: true })),
] as const);

/** `l`: the limits form; the plan sets them live on a running container and keeps them in its config. */
export function openLimitsForm(d: CreateWizardDeps, name: string): void {
  const planner = d.planner;
  if (!planner) return d.log('warn', 'limits are not available here');
  const km = d.keymap;
  const view = new FormView(d.screen, d.palette, LIMITS, {
    label: ` limits of ${name} `,
    heading: `limits of ${name}: set live when it runs, and kept in its config`,
    submitTitle: 'preview',
    cancelTitle: 'cancel',
    resolve: (k) => commandFor(km, 'form', k),
    previewResolve: (k) => commandFor(km, 'preview', k),
    keysOf: (id) => km.byCommand.get(id) ?? [],
  });
  openFormPlan(d, view, `limits of ${name}`, (v) =>
    planner.limitPlan(name, { ...(v.memory !== undefined ? { memoryMax: formatSize(v.memory) } : {}), ...(v.pids !== undefined ? { pidsMax: String(v.pids) } : {}), ...(v.cpu !== undefined ? { cpuMax: String(v.cpu) } : {}) }),
  );
}
