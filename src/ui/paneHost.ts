import type blessed from 'blessed';
import type { Disposable } from '../base/disposable.js';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import type { ContainerState } from '../core/state.js';
import { keyBytes, pasteBytes } from '../pane/input.js';
import { MAIN, PaneLayout, type Direction, type Rect } from '../pane/layout.js';
import type { PaneLaunch, PaneSpec } from '../pane/session.js';
import { captureLayout, specOf, treeFromJson, type OpenPane, type RestorePlan } from '../pane/workspace.js';
import type { Workspace, WorkspacePane } from '../core/workspace.js';
import type { LogLevel } from '../state/store.js';
import { PaneView } from './paneView.js';
import { LayoutMouse, paneMouse, scrollKey } from './paneInput.js';
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

/** Without a launcher there are no panes: opening one says so. */
export const noPanes: PaneLauncher = {
  launch: () => {
    throw new Error('panes are not available');
  },
  consoleLog: async () => null,
  exitReason: () => null,
  copy: () => ({ error: 'copying is not available' }),
};

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
  /** Starts a container (s in a pane that says it is stopped). */
  startContainer(name: string): void;
  /** Scroll mode's, the search line's and an ended pane's keys (scopes scroll, search, pane-ended). */
  keymap: ResolvedKeymap;
}

type Key = blessed.Widgets.Events.IKeyEventArg;
type SessionClass = typeof import('../pane/session.js').PaneSession;

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
  private readonly mouse = new LayoutMouse(this.layout, () => this.area, () => this.deps.relayout());
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

  private openWith(Session: SessionClass, spec: PaneSpec, where: 'right' | 'down' | 'auto'): void {
    const rect = this.layout.rects(this.area).get(this.layout.focused) ?? this.area;
    // side by side only when both halves keep a usable width
    const side = where === 'auto' ? (rect.w >= 100 ? 'right' : 'down') : where;
    const id = `p${this.nextId++}`;
    const target = this.layout.zoomed ?? this.layout.focused;
    // the program starts at its final size: compute the rect before spawning
    this.layout.split(target, id, side);
    const view = this.create(Session, spec, id);
    this.deps.relayout();
    void this.start(view);
  }

  /** A pane's view and session for a leaf already in the layout (not started yet). */
  private create(Session: SessionClass, spec: PaneSpec, id: string): PaneView {
    const r = this.layout.rects(this.area).get(id) ?? this.area;
    const { cols, rows } = PaneView.inner(r);
    const session = new Session(spec, cols, rows);
    const view = new PaneView(this.deps.screen, id, session, this.palette);
    this.views.set(id, view);
    session.onUpdate(() => this.deps.paneDirty(performance.now() - this.lastInputAt < 250));
    session.onExit((e) => this.onExit(view, e.code, e.signal));
    view.box.on('mouse', (data: MouseData) => this.paneMouse(view, data));
    return view;
  }

  // ---- workspaces ------------------------------------------------------------

  /** The open panes, for a workspace's restore plan. */
  openPanes(): OpenPane[] {
    return [...this.views.values()].map((v) => ({ id: v.id, spec: v.session.spec, running: v.session.running }));
  }

  /** The layout half of the workspace on screen now. */
  capture(): Pick<Workspace, 'layout' | 'panes' | 'focus' | 'zoomed'> {
    const specs = new Map([...this.views].map(([id, v]) => [id, v.session.spec]));
    return captureLayout(this.layout.tree(), this.layout.focused, this.layout.zoomed, specs);
  }

  /**
   * Lays out a workspace: the plan's reused panes keep their program, the
   * closed ones end, new ones attach (with `note` as their first line), and a
   * pane whose container is missing or stopped says so instead. Resolves
   * once every new pane's program has shown its first output (or ended).
   */
  async arrange(ws: Workspace, plan: RestorePlan, note: string | null): Promise<void> {
    // the emulator and node-pty only when a pane is new (a list-only workspace at start must not load them)
    const fresh = ws.panes.some((_, i) => !plan.reuse.has(i));
    const PaneSession = fresh ? (await import('../pane/session.js')).PaneSession : null;
    // a pane may have gone while the module loaded: what is not there any more is attached
    const reuse = new Map([...plan.reuse].filter(([, id]) => this.views.has(id)));
    const ids = ws.panes.map((_, i) => reuse.get(i) ?? `p${this.nextId++}`);
    const idOf = (i: number) => ids[i] ?? MAIN;
    // the plan's extra panes, and any the mark has no leaf for (a restore that raced this one)
    for (const id of [...this.views.keys()]) if (!ids.includes(id)) this.closeId(id, false);
    this.layout.setTree(treeFromJson(ws.layout, idOf), ws.focus === 'main' ? MAIN : idOf(ws.focus), ws.zoomed && ws.focus !== 'main' ? idOf(ws.focus) : null);
    // sizes first: every new program starts at its final size
    this.place(this.area);
    const started: Promise<void>[] = [];
    for (const [i, pane] of ws.panes.entries()) {
      if (reuse.has(i) || !PaneSession) continue;
      const view = this.create(PaneSession, specOf(pane), idOf(i));
      if (this.blocked(view)) continue;
      if (note) view.session.term.write(`\x1b[2m── ${note} ──\x1b[0m\r\n`);
      started.push(
        new Promise<void>((resolve) => {
          const d = view.session.onUpdate(() => (d.dispose(), resolve()));
          view.session.onExit(() => resolve());
          // a program that could not start (or a pane closed meanwhile) is done too
          void this.start(view).then(() => view.session.running || resolve());
        }),
      );
    }
    this.deps.relayout();
    await Promise.all(started);
  }

  /** Shows why a pane cannot attach (its container is gone or stopped); true when it cannot. */
  private blocked(v: PaneView): boolean {
    const spec = v.session.spec;
    if (spec.kind === 'log') return false;
    const state = this.deps.stateOf(spec.container);
    const why = state === undefined ? `container ${spec.container} not found — Enter to retry` : state === 'STOPPED' ? 'stopped — s to start, Enter to attach' : null;
    if (why && v.ended !== why) v.session.term.write(`\x1b[1m${why}\x1b[0m\r\n`);
    v.ended = why;
    return why !== null;
  }

  /** Loads the emulator and node-pty ahead of the first pane (a mark's restore should not wait for them). */
  preload(): void {
    void import('../pane/session.js').catch(() => undefined);
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
    if (v) this.closeId(v.id);
  }

  /** Ends a pane's program and removes it (never the container). */
  closeId(id: string, relayout = true): void {
    const v = this.views.get(id);
    if (!v) return;
    this.views.delete(id);
    this.layout.close(id);
    v.session.dispose();
    v.dispose();
    if (relayout) this.deps.relayout();
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
    if (v.scroll) {
      const d = this.deps;
      scrollKey(v, ch, name, { keymap: d.keymap, log: d.log, copy: (t) => d.launcher.copy(t), writeHost: d.writeHost });
      return d.paneDirty();
    }
    if (v.ended) {
      const id = commandFor(this.deps.keymap, 'pane-ended', name);
      if (id === 'pane.start-container' && v.session.spec.kind !== 'log') this.deps.startContainer(v.session.spec.container);
      else if (id === 'pane.reattach' && !this.blocked(v)) {
        v.ended = null;
        v.session.term.write('\r\n\x1b[2m── re-attached ──\x1b[0m\r\n');
        void this.start(v);
      }
      return this.deps.paneDirty();
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

  // ---- mouse -------------------------------------------------------------------

  /** Screen-level mouse: focus follows clicks, dividers drag. Returns true when it used the event. */
  screenMouse(data: MouseData): boolean {
    return this.mouse.event(data);
  }

  private paneMouse(v: PaneView, data: MouseData): void {
    if (!this.mouse.dragging && paneMouse(v, data)) this.deps.paneDirty();
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
