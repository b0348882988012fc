import type blessed from 'blessed';
import type { Disposable } from '../base/disposable.js';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import type { ContainerState } from '../core/state.js';
import { encodeMouse, keyBytes, pasteBytes, type PaneMouseEvent } from '../pane/input.js';
import { MAIN, PaneLayout, type Direction, type Divider, type Rect } from '../pane/layout.js';
import type { PaneLaunch, PaneSpec } from '../pane/session.js';
import type { LogLevel } from '../state/store.js';
import { PaneView } from './paneView.js';
import type { Palette } from './style.js';

/** What panes need from main: how to run the helper, the console ring buffer, a place for copies. */
export interface PaneLauncher {
  launch(spec: PaneSpec): PaneLaunch;
  consoleLog(container: string): Promise<Uint8Array | null>;
  /** Why the pane's program exited when the status is the launcher's own (the helper's 120-124); else null. */
  exitReason(spec: PaneSpec, code: number): string | null;
  /** Keeps copied text for the user; returns where (a file) or an error line. */
  copy(text: string): { saved: string } | { error: string };
}

export interface PaneHostDeps {
  screen: blessed.Widgets.Screen;
  launcher: PaneLauncher;
  log(level: LogLevel, text: string): void;
  /** The container's state as of the last refresh. */
  stateOf(container: string): ContainerState | undefined;
  /** A pane's screen changed: render soon (coalesced; `urgent` right after the user typed). */
  paneDirty(urgent?: boolean): void;
  /** Layout or chrome changed: lay out and render. */
  relayout(): void;
  /** Writes lxcdeck's own bytes to the host terminal (the copy's OSC 52). */
  writeHost(data: string): void;
  /** Scroll mode's, the search line's and an ended pane's keys (scopes scroll, search, pane-ended). */
  keymap: ResolvedKeymap;
}

type Key = blessed.Widgets.Events.IKeyEventArg;

/**
 * The panes of the workspace: the layout tree, one PaneView + PaneSession
 * per pane, key and mouse routing into the focused program, scroll mode.
 * The list/detail view is the tree's MAIN leaf and stays drawn by TuiApp.
 */
export class PaneHost implements Disposable {
  readonly layout = new PaneLayout();
  private readonly views = new Map<string, PaneView>();
  private nextId = 1;
  private area: Rect = { x: 0, y: 0, w: 80, h: 24 };
  private drag: Divider | null = null;
  /** When the user last typed into a pane: its echo renders at full rate. */
  private lastInputAt = 0;
  private palette: Palette;

  constructor(
    private readonly deps: PaneHostDeps,
    palette: Palette,
  ) {
    this.palette = palette;
  }

  get count(): number {
    return this.views.size;
  }

  /** Pane programs still running (quitting ends them: it asks first). */
  get running(): number {
    return [...this.views.values()].filter((v) => v.session.running).length;
  }

  /** Every shown leaf (the list is MAIN) and its place, in layout order: display-panes numbers them. */
  places(): [id: string, at: Rect][] {
    const rects = this.layout.rects(this.area);
    return this.layout.leaves().flatMap((id) => (rects.has(id) ? [[id, rects.get(id) as Rect] as [string, Rect]] : []));
  }

  focusLeaf(id: string): void {
    this.layout.focused = id;
    this.deps.relayout();
  }

  /** The focused pane, or null when the list/detail view has focus. */
  focused(): PaneView | null {
    return this.views.get(this.layout.focused) ?? null;
  }

  setPalette(p: Palette): void {
    this.palette = p;
    for (const v of this.views.values()) v.setPalette(p);
  }

  /** Opens a pane beside the focused leaf: to the right when there is room, else below. */
  open(spec: PaneSpec, where: 'right' | 'down' | 'auto' = 'auto'): void {
    // the emulator and node-pty load with the first pane, not before the first frame
    void import('../pane/session.js')
      .then(({ PaneSession }) => this.openWith(PaneSession, spec, where))
      .catch((e: unknown) => this.deps.log('error', `${spec.kind} on ${spec.container}: ${e instanceof Error ? e.message : String(e)}`));
  }

  private openWith(Session: typeof import('../pane/session.js').PaneSession, spec: PaneSpec, where: 'right' | 'down' | 'auto'): void {
    const rect = this.layout.rects(this.area).get(this.layout.focused) ?? this.area;
    // side by side only when both halves keep a usable width
    const side = where === 'auto' ? (rect.w >= 100 ? 'right' : 'down') : where;
    const id = `p${this.nextId++}`;
    const target = this.layout.zoomed ?? this.layout.focused;
    // the program starts at its final size: compute the rect before spawning
    this.layout.split(target, id, side);
    const r = this.layout.rects(this.area).get(id) ?? this.area;
    const { cols, rows } = PaneView.inner(r);
    const session = new Session(spec, cols, rows);
    const view = new PaneView(this.deps.screen, id, session, this.palette);
    this.views.set(id, view);
    session.onUpdate(() => this.deps.paneDirty(performance.now() - this.lastInputAt < 250));
    session.onExit((e) => this.onExit(view, e.code, e.signal));
    view.box.on('mouse', (data: MouseData) => this.paneMouse(view, data));
    this.deps.relayout();
    void this.start(view);
  }

  /** The lowest console tty of a container that no pane shows yet (0: the console). */
  freeTty(container: string): number {
    const used = new Set([...this.views.values()].filter((v) => v.session.spec.kind === 'console' && v.session.spec.container === container).map((v) => v.session.spec.tty ?? 0));
    let n = 0;
    while (used.has(n)) n++;
    return n;
  }

  /** A new shell beside the focused pane, on the same container (the selected one from the list). */
  split(where: 'right' | 'down', selected: string | null, shell: string[]): void {
    // from a container's pane: its container; from the list or a job's log: the selected container
    const f = this.focused();
    const container = f && f.session.spec.kind !== 'log' ? f.session.spec.container : selected;
    if (!container) return this.deps.log('warn', 'split: select a container first');
    this.open({ kind: 'shell', container, ...(shell.length ? { command: shell } : {}) }, where);
  }

  private async start(view: PaneView): Promise<void> {
    const spec = view.session.spec;
    let prelude: Uint8Array | null = null;
    // the ring buffer is the console's (tty 0) own
    if (spec.kind === 'console' && !spec.tty) {
      try {
        prelude = await this.deps.launcher.consoleLog(spec.container);
        if (prelude === null) this.deps.log('info', `${spec.container} has no console ring buffer: press B on it to enable one (from its next start)`);
      } catch (e) {
        this.deps.log('warn', `console buffer of ${spec.container}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (!this.views.has(view.id)) return;
    try {
      view.session.start(this.deps.launcher.launch(spec), prelude);
      this.deps.log('info', `${spec.kind} pane on ${spec.container} opened`);
    } catch (e) {
      view.ended = `cannot start: ${e instanceof Error ? e.message : String(e)}`;
      this.deps.log('error', `${spec.kind} on ${spec.container}: ${view.ended}`);
    }
    this.deps.paneDirty();
  }

  private onExit(view: PaneView, code: number, signal: number): void {
    const spec = view.session.spec;
    const plain = signal ? `killed by signal ${signal}` : `exited ${code}`;
    const reason = () => {
      const state = this.deps.stateOf(spec.container);
      const launcher = this.deps.launcher.exitReason(spec, code);
      if (launcher) return launcher;
      if (state !== 'RUNNING' && state !== 'FROZEN' && state !== 'FREEZING') return 'container stopped';
      return plain;
    };
    // the list learns about a stopped container on its next refresh: decide then
    setTimeout(() => {
      if (!this.views.has(view.id) || view.session.running) return;
      view.ended = reason();
      this.deps.log('info', `${spec.kind} pane on ${spec.container}: ${view.ended}`);
      this.deps.paneDirty();
    }, 1200).unref();
    view.ended = plain;
    this.deps.paneDirty();
  }

  close(): void {
    const v = this.focused();
    if (!v) return;
    this.views.delete(v.id);
    this.layout.close(v.id);
    v.session.dispose();
    v.dispose();
    this.deps.relayout();
  }

  /** Positions every pane; returns where the list/detail view goes (null when zoomed away). */
  place(area: Rect): Rect | null {
    this.area = area;
    const rects = this.layout.rects(area);
    for (const [id, v] of this.views) {
      const r = rects.get(id);
      if (r) v.place(r);
      else v.hide();
    }
    return rects.get(MAIN) ?? null;
  }

  drawChrome(prefixArmed: boolean): void {
    for (const v of this.views.values()) {
      v.focused = this.layout.focused === v.id;
      v.zoomed = this.layout.zoomed === v.id;
      v.drawChrome(prefixArmed);
    }
  }

  focus(to: 1 | -1 | Direction): void {
    if (to === 1 || to === -1) this.layout.focusNext(to);
    else this.layout.focusDirection(to, this.area);
    this.deps.relayout();
  }

  resize(dir: Direction): void {
    this.layout.resize(dir, dir === 'left' || dir === 'right' ? 4 : 2, this.area);
    this.deps.relayout();
  }

  zoom(): void {
    this.layout.toggleZoom();
    this.deps.relayout();
  }

  scrollMode(): void {
    const v = this.focused();
    if (!v) return;
    if (v.scroll) v.leaveScroll();
    else v.enterScroll();
    this.deps.paneDirty();
  }

  // ---- keys ------------------------------------------------------------------

  /** A key for the focused pane: scroll mode, re-attach, or the program's input. */
  key(ch: string | undefined, key: Key, name: string): void {
    const v = this.focused();
    if (!v) return;
    if (v.scroll) return this.scrollKey(v, ch, name);
    if (v.ended) {
      if (commandFor(this.deps.keymap, 'pane-ended', name) === 'pane.reattach') {
        v.ended = null;
        v.session.term.write('\r\n\x1b[2m── re-attached ──\x1b[0m\r\n');
        void this.start(v);
      }
      return;
    }
    const seq = key.sequence ?? ch ?? '';
    this.lastInputAt = performance.now();
    if (seq) v.session.write(keyBytes(seq, v.session.term.modes.applicationCursorKeysMode));
  }

  /** Pasted text (the host terminal's bracketed paste) for the focused pane. */
  paste(text: string): void {
    const v = this.focused();
    if (v && !v.scroll && !v.ended) v.session.write(pasteBytes(text, v.session.term.modes.bracketedPasteMode));
  }

  /** Sends the prefix key itself to the program (prefix pressed twice). */
  sendRaw(bytes: string): void {
    this.focused()?.session.write(bytes);
  }

  private scrollKey(v: PaneView, ch: string | undefined, name: string): void {
    const s = v.scroll;
    if (!s) return;
    const page = Math.max(1, v.session.term.rows - 1);
    const km = this.deps.keymap;
    if (s.editing) {
      const id = commandFor(km, 'search', name);
      if (id === 'search.find') {
        s.editing = false;
        if (!v.findNext()) this.deps.log('info', `not found: ${s.search}`);
      } else if (id === 'search.cancel') s.editing = false;
      else if (id === 'search.delete-char') s.search = s.search.slice(0, -1);
      else if (ch && ch >= ' ' && ch !== '\x7f') s.search += ch;
      return this.deps.paneDirty();
    }
    const act: Record<string, () => void> = {
      'scroll.up': () => v.scrollBy(-1),
      'scroll.down': () => v.scrollBy(1),
      'scroll.page-up': () => v.scrollBy(-page),
      'scroll.page-down': () => v.scrollBy(page),
      'scroll.top': () => v.scrollTo('top'),
      'scroll.bottom': () => v.scrollTo('bottom'),
      'scroll.search': () => Object.assign(s, { search: '', editing: true }),
      'scroll.next-match': () => v.findNext(true) || this.deps.log('info', `no earlier match for ${s.search}`),
      'scroll.prev-match': () => v.findNext(false) || this.deps.log('info', `no later match for ${s.search}`),
      'scroll.select': () => (s.anchor = s.anchor === null ? s.line : null),
      'scroll.copy': () => (this.copy(v), v.leaveScroll()),
      'scroll.leave': () => v.leaveScroll(),
    };
    act[commandFor(km, 'scroll', name) ?? '']?.();
    this.deps.paneDirty();
  }

  private copy(v: PaneView): void {
    const text = v.selectedText();
    const r = this.deps.launcher.copy(text);
    // OSC 52: the host terminal's clipboard, from lxcdeck itself, on the user's request
    this.deps.writeHost(`\x1b]52;c;${Buffer.from(text).toString('base64')}\x07`);
    const lines = text.split('\n').length;
    if ('saved' in r) this.deps.log('info', `copied ${lines} line${lines === 1 ? '' : 's'} (clipboard via OSC 52, and ${r.saved})`);
    else this.deps.log('warn', `copy: ${r.error}`);
  }

  // ---- mouse -------------------------------------------------------------------

  /** Screen-level mouse: focus follows clicks, dividers drag. Returns true when it used the event. */
  screenMouse(data: MouseData): boolean {
    if (data.action === 'mousedown') {
      const d = this.layout.dividerAt(data.x, data.y, this.area);
      if (d) {
        this.drag = d;
        return true;
      }
      for (const [id, r] of this.layout.rects(this.area))
        if (data.x >= r.x && data.x < r.x + r.w && data.y >= r.y && data.y < r.y + r.h && this.layout.focused !== id) {
          this.layout.focused = id;
          this.deps.relayout();
        }
      return false;
    }
    if (this.drag && (data.action === 'mousemove' || data.action === 'mousedown')) {
      this.layout.dragDivider(this.drag, data.x, data.y);
      this.deps.relayout();
      return true;
    }
    if (this.drag && data.action === 'mouseup') {
      this.drag = null;
      return true;
    }
    return false;
  }

  private paneMouse(v: PaneView, data: MouseData): void {
    if (this.drag) return;
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
      return;
    }
    if (wheel) {
      // the wheel scrolls the scrollback (and leaves scroll mode at the bottom, like tmux)
      v.scrollBy(data.action === 'wheelup' ? -3 : 3);
      const buf = v.session.term.buffer.active;
      if (data.action === 'wheeldown' && v.scroll && v.scroll.top >= buf.baseY && v.scroll.anchor === null) v.leaveScroll();
      this.deps.paneDirty();
    }
  }

  /** Ends every pane's program (never a container). */
  dispose(): void {
    for (const v of this.views.values()) {
      v.session.dispose();
      v.dispose();
    }
    this.views.clear();
  }
}

export interface MouseData {
  x: number;
  y: number;
  action: string;
  button?: string;
  shift?: boolean;
  meta?: boolean;
  ctrl?: boolean;
}
