import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import { logKey } from '../state/logView.js';
import type { AppStore } from '../state/store.js';
import { typedChar, type KeyMode, type KeyPress } from './keyRouter.js';

/**
 * The focused event log (e): log.* keys scroll it, search.* keys type a
 * search; keys it does not use still reach the list (s starts the selected row).
 */
export class LogMode implements KeyMode {
  readonly id = 'log';

  constructor(
    private readonly store: AppStore,
    private readonly keymap: ResolvedKeymap,
    /** Lines the log shows now (a page). */
    private readonly rows: () => number,
    /** The log gave the keys back: lay out again. */
    private readonly left: () => void,
  ) {}

  active(): boolean {
    return this.store.logView !== null;
  }

  handle(k: KeyPress): boolean {
    const s = this.store;
    const view = s.logView;
    if (!view) return false;
    const id = commandFor(this.keymap, view.editing ? 'search' : 'log', k.name);
    if (!view.editing && !id) return false;
    logKey(s, id, typedChar(k), Math.max(1, this.rows() - 1));
    if (s.logView === null) this.left();
    return true;
  }
}
