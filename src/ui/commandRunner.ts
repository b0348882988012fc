import { isLxcdeckError } from '../core/errors.js';
import { workloadLabel } from '../core/workload.js';
import type { CommandSpec } from '../commands/registry.js';
import type { AppActions } from '../commands/table.js';
import type { OverlayHost } from './overlayHost.js';

/**
 * Runs a command of the table: skipped when not available, asked first when
 * dangerous (its own question, or its title and targets), and a failure is
 * one event-log line, never an exception out of a key handler.
 */
export function runCommand(cmd: CommandSpec<AppActions>, a: AppActions, overlays: OverlayHost): void {
  if (cmd.available && !cmd.available(a)) return;
  const run = () => {
    try {
      const r = cmd.run(a);
      if (r instanceof Promise) r.catch((e: unknown) => a.store.addLog('error', String(e)));
    } catch (e) {
      a.store.addLog('error', `${cmd.id}: ${isLxcdeckError(e) ? e.line : String(e)}`);
    }
  };
  const question = !cmd.dangerous ? null : cmd.question ? cmd.question(a) : `${cmd.title}: ${a.store.targets().map((w) => workloadLabel(w.id)).join(', ')}?`;
  if (question !== null) overlays.confirm(question, run);
  else run();
}
