import type blessed from 'blessed';
import { DisposableStore } from '../base/disposable.js';
import { effectiveKeymap } from '../commands/keytable.js';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import { Lifecycle } from '../commands/lifecycle.js';
import type { CommandSpec } from '../commands/registry.js';
import { defaultRegistry, type AppActions } from '../commands/table.js';
import { MAIN } from '../pane/layout.js';
import { statusLine } from '../presentation/statusLine.js';
import { filterKey } from '../state/listActions.js';
import type { Workspace } from '../core/workspace.js';
import { MarkStore } from '../state/marks.js';
import { Refresher } from '../state/refresher.js';
import type { AppStore } from '../state/store.js';
import { WorkstationActions } from './actions.js';
import { runCommand } from './commandRunner.js';
import { KeyRouter, typedChar } from './keyRouter.js';
import { LogMode } from './logMode.js';
import { MainView } from './mainView.js';
import { ExtrasCache } from '../state/extrasCache.js';
import { OverlayHost } from './overlayHost.js';
import { noPanes, PaneHost, type MouseData } from './paneHost.js';
import { PasteCatcher } from './paste.js';
import { PrefixMode } from './prefixMode.js';
import { RenderScheduler } from './scheduler.js';
import { createScreen, type ScreenEnd } from './screen.js';
import type { TuiDeps } from './tuiDeps.js';
import { WorkspaceMarks } from './workspaces.js';

export type { TuiSettings, TuiThemes } from './actions.js';
export type { TuiDeps } from './tuiDeps.js';


/** How the workstation ended: the user quit, or the screen reported a signal or a fatal error. */
export type TuiEnd = { kind: 'quit' } | ScreenEnd;

const BRACKETED_PASTE_ON = '\x1b[?2004h';
/** Pane output renders at most this often: a flood must not starve the rest. */
const PANE_FRAME_MS = 33;


/**
 * The workstation: it wires the rooms (main view, panes, overlays, key modes,
 * refresher, lifecycle), routes keys and renders once per tick. Commands run
 * through WorkstationActions; nothing here decides what a key does.
 */
export class TuiApp {
  readonly store: AppStore;
  private readonly d = new DisposableStore();
  private readonly screen: blessed.Widgets.Screen;
  private readonly restoreTerminal: () => void;
  private readonly flushFrame: () => void;
  private readonly scheduler: RenderScheduler;
  private readonly keymap: ResolvedKeymap;
  private readonly registry = defaultRegistry();
  private readonly refresher: Refresher;
  private readonly main: MainView;
  private readonly panes: PaneHost;
  private readonly overlays: OverlayHost;
  private readonly keys = new KeyRouter();
  private readonly paste: PasteCatcher;
  private readonly actions: WorkstationActions;
  private readonly workspaces: WorkspaceMarks;
  private metricsStart: NodeJS.Timeout | null = null;
  /** Redraws the status line when its message fades. */
  private fadeTimer: NodeJS.Timeout | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private ending = false;
  private readonly prefix: PrefixMode;
  /** The list, details and log need recomputing (not only pane output). */
  private fullDirty = true;
  private end!: (how: TuiEnd) => void;
  readonly finished: Promise<TuiEnd>;
  firstFrameAt: number | null = null;

  constructor(private readonly deps: TuiDeps) {
    this.store = deps.store;
    this.finished = new Promise((r) => (this.end = r));
    const ws = this.d.add(createScreen(deps.io));
    this.screen = ws.screen;
    this.restoreTerminal = ws.restore;
    this.flushFrame = ws.flush;
    this.d.add(ws.onEnd((e) => this.finish(e)));
    this.keymap = effectiveKeymap(deps.settings.keys);
    const theme = deps.themes.palette(deps.settings.theme);
    for (const w of [...deps.warnings, ...this.keymap.problems, ...(theme.error ? [theme.error] : [])]) this.store.addLog('warn', w);

    this.scheduler = this.d.add(new RenderScheduler(() => this.draw()));
    const render = () => this.scheduler.markDirty();
    // the list, details and log too, not only pane output
    const renderAll = () => {
      this.fullDirty = true;
      render();
    };
    this.refresher = new Refresher({ store: this.store, backend: deps.backend, metrics: deps.metrics, ...(deps.jobs ? { jobs: deps.jobs } : {}) });
    const lifecycle = new Lifecycle({
      backend: deps.backend,
      ...(deps.planner ? { demo: { planner: deps.planner, runner: deps.planRunner } } : {}),
      ...(deps.jobs ? { jobs: deps.jobs } : {}),
      log: (level, text) => this.store.addLog(level, text),
      say: (text) => {
        this.store.status.show('info', text);
        render();
      },
      refresh: () => this.refresh(),
      busyChanged: render,
    });
    this.main = this.d.add(new MainView({ screen: this.screen, store: this.store, refresher: this.refresher, metrics: deps.metrics, extras: new ExtrasCache(deps.extras, () => this.scheduler.markDirty()), header: deps.header, lxcpath: deps.backend.lxcpath, palette: theme.palette }));
    this.panes = this.d.add(
      new PaneHost(
        {
          screen: this.screen,
          launcher: deps.panes ?? noPanes,
          log: (level, text) => this.store.addLog(level, text),
          stateOf: (name) => this.store.container(name)?.state,
          paneDirty: (urgent) => this.scheduler.markDirty(urgent ? undefined : PANE_FRAME_MS),
          relayout: () => (this.layout(), renderAll()),
          writeHost: (data) => deps.io.output.write(data),
          startContainer: (name) => {
            const w = this.store.container(name);
            if (w) lifecycle.run('start', [w]);
          },
          keymap: this.keymap,
        },
        theme.palette,
      ),
    );
    this.overlays = this.d.add(new OverlayHost(this.screen, this.store, this.keymap, () => this.actions.palette, renderAll));
    const marks = new MarkStore(deps.settings.marks, (raw) => deps.settings.save({ marks: raw }));
    for (const w of marks.warnings) this.store.addLog('warn', w);
    this.workspaces = new WorkspaceMarks({ screen: this.screen, store: this.store, panes: this.panes, marks, overlays: this.overlays, keymap: this.keymap, changed: () => this.store.notify() });
    this.actions = new WorkstationActions({
      workspaces: this.workspaces,
      store: this.store,
      screen: this.screen,
      io: deps.io,
      scheduler: this.scheduler,
      registry: this.registry,
      keymap: this.keymap,
      main: this.main,
      panes: this.panes,
      overlays: this.overlays,
      refresher: this.refresher,
      lifecycle,
      backend: deps.backend,
      settings: deps.settings,
      themes: deps.themes,
      palette: theme.palette,
      themeInUse: theme.inUse ?? deps.settings.theme,
      ...(deps.rules ? { rules: deps.rules } : {}),
      planRunner: deps.planRunner,
      ...(deps.planner ? { planner: deps.planner } : {}),
      ...(deps.processes ? { processes: deps.processes } : {}),
      ...(deps.userStderr !== undefined ? { userStderr: deps.userStderr } : {}),
      ...(deps.networks ? { networks: deps.networks } : {}),
      ...(deps.idmapEditor ? { idmapEditor: deps.idmapEditor } : {}),
      layout: () => this.layout(),
      refresh: () => this.refresh(),
      quit: () => this.finish({ kind: 'quit' }),
      execute: (cmd) => this.execute(cmd),
    });

    this.prefix = new PrefixMode({
      keymap: this.keymap,
      mayArm: () => !this.store.filterEditing,
      sendThrough: (bytes) => this.panes.sendRaw(bytes),
      run: (id) => this.runKey(id),
      changed: render,
    });
    this.pushKeyModes();
    this.screen.on('mouse', (data: MouseData) => {
      if (this.store.overlay === null) this.panes.screenMouse(data);
    });
    this.paste = this.d.add(new PasteCatcher(deps.io.input, () => this.panes.focused() !== null, (text) => this.panes.paste(text)));
    deps.io.output.write(BRACKETED_PASTE_ON);
    this.d.add(this.store.onChange(renderAll));
    // one tick drives everything: sample, then the list, then one render
    this.d.add(deps.metrics.onSample(() => this.refresh()));
    this.d.add(deps.metrics.onError((m) => this.store.addLog('error', `metrics: ${m}`)));
    const onKey = (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => {
      // an error on the status line has been seen once a key comes (the key's own result stays)
      this.store.status.keyPressed();
      this.keys.dispatch(ch, key);
      this.scheduler.markDirty();
    };
    this.screen.on('keypress', onKey);
    // blessed does not free screen listeners on destroy
    this.d.add({ dispose: () => this.screen.removeListener('keypress', onKey) });
    this.screen.on('resize', () => {
      this.layout();
      this.overlays.resize();
      render();
    });
    this.layout();
  }

  /** Runs until the user quits or the screen ends; containers are never touched on the way out. */
  run(): Promise<TuiEnd> {
    this.refresh();
    // the list is there (refresh lists synchronously): a mark knows which containers exist
    this.workspaces.startup(this.deps.workspace, this.deps.settings.lastWorkspace, this.deps.settings.restoreLastWorkspace, this.deps.backend.lxcpath);
    // the first sample waits for the first frame: the list is what a user waits for
    this.metricsStart = setTimeout(() => this.refresher.startSampling(), 50);
    // someone with marks jumps to panes: load the pane modules once the first frame is out
    if (this.workspaces.hasMarks) setTimeout(() => this.panes.preload(), 300).unref();
    // the sampler's timer is unref'd and a suspended blessed pauses stdin: hold
    // the event loop open ourselves so only the end of the workstation ends it
    this.keepAlive = setInterval(() => undefined, 1 << 30);
    return this.finished;
  }

  refresh(): void {
    if (!this.ending) this.refresher.refresh();
  }

  /** Stops ticking and reports how it ended; the screen stays until dispose() (main releases rules first). */
  private finish(how: TuiEnd): void {
    if (this.ending) return;
    this.ending = true;
    if (this.metricsStart) clearTimeout(this.metricsStart);
    if (this.keepAlive) clearInterval(this.keepAlive);
    if (this.fadeTimer) clearTimeout(this.fadeTimer);
    this.deps.metrics.stop();
    this.end(how);
  }

  /** What is on screen, as a mark keeps it (saved as the last workspace on quit). */
  workspace(): Workspace {
    return { ...this.workspaces.capture(), lxcpath: this.deps.backend.lxcpath };
  }

  /** Ends every pane program and restores the terminal (never touches a container). */
  dispose(): void {
    this.finish({ kind: 'quit' });
    this.deps.metrics.dispose();
    this.d.dispose();
    this.restoreTerminal();
  }

  /** The key modes, lowest first: the list, the filter line, a focused pane, the prefix, a paste, overlays. */
  private pushKeyModes(): void {
    const s = this.store;
    const km = this.keymap;
    this.keys.push({ id: 'list', active: () => true, handle: (k) => this.runKey(km.byKey.get(k.name)) });
    this.keys.push({ id: 'filter', active: () => s.filterEditing, handle: (k) => (filterKey(s, commandFor(km, 'filter', k.name), typedChar(k)), true) });
    this.keys.push(new LogMode(s, km, () => this.main.logRows, () => this.layout()));
    this.keys.push({ id: 'pane', active: () => this.panes.focused() !== null, handle: (k) => (this.panes.key(k.ch, k.key, k.name), true) });
    this.keys.push(this.prefix);
    this.keys.push(this.workspaces);
    this.keys.push({ id: 'paste', active: () => this.paste.dropping, handle: () => true });
    this.keys.push(this.overlays);
  }

  private runKey(id: string | undefined): boolean {
    const cmd = id ? this.registry.get(id) : undefined;
    if (cmd) this.execute(cmd);
    return true;
  }

  private execute(cmd: CommandSpec<AppActions>): void {
    runCommand(cmd, this.actions, this.overlays);
  }

  /** Places the panes, then the list, details and log inside the MAIN leaf. */
  private layout(): void {
    const w = this.screen.width as number;
    const h = this.screen.height as number;
    this.main.layout(this.panes.place({ x: 0, y: 1, w, h: Math.max(3, h - 2) }), h);
  }

  private draw(): void {
    if (this.ending) return;
    // frames for pane output alone skip the list, details and log
    const s = this.store;
    const theme = this.deps.io.colorDepth === 'none' ? 'none (no colour)' : s.themeName;
    if (this.fullDirty) this.main.draw(s.overlay === null && !s.filterEditing && this.panes.layout.focused === MAIN, theme, this.panes.count > 0);
    this.fullDirty = false;
    this.panes.drawChrome(this.prefix.armed !== null);
    const pane = this.panes.focused();
    this.main.drawStatus(
      statusLine({
        palette: this.actions.palette,
        keymap: this.keymap,
        filter: { editing: s.filterEditing, text: s.filter },
        prefixArmed: this.prefix.armed,
        pane: pane ? { container: pane.session.spec.container, scroll: pane.scroll !== null } : null,
        rules: this.deps.rules?.rows() ?? [],
        busy: this.actions.busy,
        status: s.status.get(),
        width: this.screen.width as number,
      }),
    );
    const fades = s.status.fadesIn();
    if (this.fadeTimer) clearTimeout(this.fadeTimer);
    this.fadeTimer = fades === null ? null : setTimeout(() => this.scheduler.markDirty(), fades + 20);
    this.screen.render();
    if (this.firstFrameAt === null) {
      // out now: blessed writes on its next setImmediate, behind the settings store's import (~5 ms). Only the first:
      // later frames keep blessed's timing (a plan's "checking" frame, say, would reach the terminal before its checks end)
      this.flushFrame();
      this.firstFrameAt = performance.now();
      // startup timing for the benchmark: ms since the process started
      if (process.env.LXCDECK_TRACE_STARTUP) process.stderr.write(`first frame ${this.firstFrameAt.toFixed(0)} ms, ${s.workloads.length} rows\n`);
    }
  }
}
