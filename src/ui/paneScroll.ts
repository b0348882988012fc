import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import type { LogLevel } from '../state/store.js';
import type { PaneView } from './paneView.js';

export interface ScrollDeps {
  keymap: ResolvedKeymap;
  log(level: LogLevel, text: string): void;
  /** The pane's screen changed: render. */
  changed(): void;
  /** Copies the selection for the user. */
  copy(text: string): void;
}

/**
 * A key in a pane's scroll (copy) mode: scroll.* commands move over the
 * scrollback, select and copy; while a search is typed, search.* commands.
 */
export function scrollModeKey(v: PaneView, ch: string | undefined, name: string, d: ScrollDeps): void {
  const s = v.scroll;
  if (!s) return;
  const page = Math.max(1, v.session.term.rows - 1);
  const km = d.keymap;
  if (s.editing) {
    const id = commandFor(km, 'search', name);
    if (id === 'search.find') {
      s.editing = false;
      if (!v.findNext()) d.log('info', `not found: ${s.search}`);
    } else if (id === 'search.cancel') s.editing = false;
    else if (id === 'search.delete-char') s.search = s.search.slice(0, -1);
    else if (ch && ch >= ' ' && ch !== '\x7f') s.search += ch;
    return d.changed();
  }
  switch (commandFor(km, 'scroll', name)) {
    case 'scroll.up':
      v.scrollBy(-1);
      break;
    case 'scroll.down':
      v.scrollBy(1);
      break;
    case 'scroll.page-up':
      v.scrollBy(-page);
      break;
    case 'scroll.page-down':
      v.scrollBy(page);
      break;
    case 'scroll.top':
      v.scrollTo('top');
      break;
    case 'scroll.bottom':
      v.scrollTo('bottom');
      break;
    case 'scroll.search':
      s.search = '';
      s.editing = true;
      break;
    case 'scroll.next-match':
      if (!v.findNext(true)) d.log('info', `no earlier match for ${s.search}`);
      break;
    case 'scroll.prev-match':
      if (!v.findNext(false)) d.log('info', `no later match for ${s.search}`);
      break;
    case 'scroll.select':
      s.anchor = s.anchor === null ? s.line : null;
      break;
    case 'scroll.copy':
      d.copy(v.selectedText());
      v.leaveScroll();
      break;
    case 'scroll.leave':
      v.leaveScroll();
      break;
  }
  d.changed();
}
