/** Pane input that is not the program's keys: scroll mode's keys, the mouse over a pane and over the layout (focus, dividers). */
import { encodeMouse, type PaneMouseEvent } from '../pane/input.js';
import type { Divider, PaneLayout, Rect } from '../pane/layout.js';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import type { LogLevel } from '../state/store.js';
import type { MouseData } from './paneHost.js';
import type { PaneView } from './paneView.js';

export interface PaneScrollDeps {
  keymap: ResolvedKeymap;
  log(level: LogLevel, text: string): void;
  /** Keeps copied text for the user; returns where (a file) or an error line. */
  copy(text: string): { saved: string } | { error: string };
  /** Writes lxcdeck's own bytes to the host terminal (the copy's OSC 52). */
  writeHost(data: string): void;
}

/** A key in a pane's scroll mode (scopes scroll and search): move, search, select, copy, leave. */
export function scrollKey(v: PaneView, ch: string | undefined, name: string, d: PaneScrollDeps): void {
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
    return;
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
      copy(v, d);
      v.leaveScroll();
      break;
    case 'scroll.leave':
      v.leaveScroll();
      break;
  }
}

function copy(v: PaneView, d: PaneScrollDeps): void {
  const text = v.selectedText();
  const r = d.copy(text);
  // OSC 52: the host terminal's clipboard, from lxcdeck itself, on the user's request
  d.writeHost(`\x1b]52;c;${Buffer.from(text).toString('base64')}\x07`);
  const lines = text.split('\n').length;
  if ('saved' in r) d.log('info', `copied ${lines} line${lines === 1 ? '' : 's'} (clipboard via OSC 52, and ${r.saved})`);
  else d.log('warn', `copy: ${r.error}`);
}

/** A mouse event on a pane: to the program when it asked for the mouse, else the wheel scrolls. True when the pane needs a redraw. */
export function paneMouse(v: PaneView, data: MouseData): boolean {
  const x = data.x - (v.box.aleft as number) - 1;
  const y = data.y - (v.box.atop as number) - 1;
  const wheel = data.action === 'wheelup' || data.action === 'wheeldown';
  const modes = v.session.term.modes;
  if (!v.scroll && !v.ended && modes.mouseTrackingMode !== 'none' && x >= 0 && y >= 0 && x < v.session.term.cols && y < v.session.term.rows) {
    const ev: PaneMouseEvent = {
      action: data.action === 'mousedown' ? 'down' : data.action === 'mouseup' ? 'up' : data.action === 'mousemove' ? 'move' : (data.action as 'wheelup' | 'wheeldown'),
      button: data.button === 'left' || data.button === 'middle' || data.button === 'right' ? data.button : 'none',
      x,
      y,
      shift: data.shift,
      meta: data.meta,
      ctrl: data.ctrl,
    };
    const bytes = encodeMouse(ev, modes.mouseTrackingMode, v.session.mouseEncoding);
    if (bytes) v.session.write(bytes);
    return false;
  }
  if (!wheel) return false;
  // the wheel scrolls the scrollback (and leaves scroll mode at the bottom, like tmux)
  v.scrollBy(data.action === 'wheelup' ? -3 : 3);
  const buf = v.session.term.buffer.active;
  if (data.action === 'wheeldown' && v.scroll && v.scroll.top >= buf.baseY && v.scroll.anchor === null) v.leaveScroll();
  return true;
}

/** The mouse over the whole layout: focus follows clicks, a divider drags with the mouse. */
export class LayoutMouse {
  private drag: Divider | null = null;

  constructor(
    private readonly layout: PaneLayout,
    private readonly area: () => Rect,
    private readonly relayout: () => void,
  ) {}

  get dragging(): boolean {
    return this.drag !== null;
  }

  /** True when it used the event. */
  event(data: MouseData): boolean {
    const area = this.area();
    if (data.action === 'mousedown') {
      const d = this.layout.dividerAt(data.x, data.y, area);
      if (d) {
        this.drag = d;
        return true;
      }
      for (const [id, r] of this.layout.rects(area))
        if (data.x >= r.x && data.x < r.x + r.w && data.y >= r.y && data.y < r.y + r.h && this.layout.focused !== id) {
          this.layout.focused = id;
          this.relayout();
        }
      return false;
    }
    if (this.drag && (data.action === 'mousemove' || data.action === 'mousedown')) {
      this.layout.dragDivider(this.drag, data.x, data.y);
      this.relayout();
      return true;
    }
    if (this.drag && data.action === 'mouseup') {
      this.drag = null;
      return true;
    }
    return false;
  }
}
