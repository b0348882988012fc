import blessed from 'blessed';
import { DisposableStore, type Disposable } from '../base/disposable.js';
import type { Event } from '../base/event.js';
import type { ContainerBackend, Freezable } from '../core/backend.js';
import type { ContainerInfo, ContainerSummary } from '../core/container.js';
import type { ContainerState } from '../core/state.js';
import { isLxcdeckError } from '../core/errors.js';
import { effectiveKeymap, displayKey } from '../commands/keytable.js';
import type { ResolvedKeymap } from '../commands/keymap.js';
import type { CommandSpec } from '../commands/registry.js';
import { defaultRegistry, type AppActions, type LifecycleOp } from '../commands/table.js';
import type { Hierarchy } from '../host/cgroups.js';
import { sanitize } from '../presentation/format.js';
import { listItems, type LiveFacts } from '../presentation/rows.js';
import { SORT_COLUMNS, type AppStore } from '../state/store.js';
import { MAIN, type Rect } from '../pane/layout.js';
import { DetailView } from './detailView.js';
import { PaneHost, type MouseData, type PaneLauncher } from './paneHost.js';
import { RulesDialog, type RulesDialogActions } from './rulesDialog.js';
import { ListView } from './listView.js';
import { createConfirm, createHelp, helpText, Palette as PaletteOverlay } from './overlays.js';
import { RenderScheduler } from './scheduler.js';
import { createScreen, noLabelRenderOnResize, renderOnlyWhenChanged, setText, type ScreenIo } from './screen.js';
import { esc, fg, type Palette } from './style.js';

/** What the workstation needs from the container engine (main wires LiblxcBackend). */
export interface TuiBackend extends ContainerBackend, Freezable {
  runtimeOf(name: string): { pid: number; dirs: Map<Hierarchy, string> } | null;
  hostInterfaces(name: string): string[];
  enableConsoleBuffer(name: string): void;
}

/** The metrics sampler as the UI uses it. */
export interface TuiMetrics extends Disposable {
  setTargets(targets: { id: string; dirs: ReadonlyMap<Hierarchy, string>; hostInterfaces: readonly string[] }[]): void;
  start(): void;
  stop(): void;
  onSample: Event<unknown>;
  onError: Event<string>;
  history(id: string, metric: string, seconds: number): number[];
  latest(id: string): Record<string, number | null> | undefined;
}

export interface TuiSettings {
  theme: string;
  refreshIntervalMs: number;
  chartSpanSeconds: number;
  keys: Record<string, string[]>;
  /** What a shell pane runs; [] for the container's default shell. */
  paneShell: string[];
  /** Saves changed fields; returns a one-line error or null. */
  save(partial: { theme?: string; chartSpanSeconds?: number }): string | null;
}

export interface TuiThemes {
  names(): string[];
  /** A palette for the theme, or the default one plus a one-line error. */
  palette(name: string): { palette: Palette; error?: string };
}

/** Jobs (commands in cgroups of their own), listed beside the containers as `job:<name>`. */
export interface TuiJob {
  name: string;
  state: 'running' | 'freezing' | 'frozen' | 'finished';
  pid: number;
  log: string;
  command: string[];
  /** The job's cgroups for the sampler. */
  target: { dirs: ReadonlyMap<Hierarchy, string>; hostInterfaces: readonly string[] };
}

export interface TuiJobs {
  list(): TuiJob[];
  freeze(name: string): Promise<void>;
  thaw(name: string): Promise<void>;
  kill(name: string): Promise<void>;
}

export const JOB_PREFIX = 'job:';

const JOB_STATE: Record<string, ContainerState> = { running: 'RUNNING', freezing: 'FREEZING', frozen: 'FROZEN', finished: 'STOPPED' };

/** A job as a list row: same columns, state mapped, grouped under 'jobs'. */
function jobRow(j: TuiJob): ContainerSummary {
  return {
    name: `${JOB_PREFIX}${j.name}`,
    state: JOB_STATE[j.state] ?? 'STOPPED',
    pid: j.state === 'finished' ? null : j.pid,
    ipv4: [],
    ipv6: [],
    unprivileged: process.getuid?.() !== 0,
    autostart: false,
    groups: ['jobs'],
    memoryBytes: null,
    cpuSeconds: null,
  };
}

export interface TuiDeps {
  io: ScreenIo;
  store: AppStore;
  backend: TuiBackend;
  jobs?: TuiJobs;
  metrics: TuiMetrics;
  settings: TuiSettings;
  themes: TuiThemes;
  header: string;
  createDemo: () => Promise<void>;
  /** Warnings found while loading (bad settings, key conflicts) for the event log. */
  warnings: string[];
  /** Runs pane programs (attach, console); without it there are no panes. */
  panes?: PaneLauncher;
  /** Freeze rules (evaluated by main on each sample); shown in the status bar, edited in a dialog. */
  rules?: RulesDialogActions;
}

const SPANS = [60, 300, 900];
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';
const BRACKETED_PASTE_ON = '\x1b[?2004h';
/** Pane output renders at most this often: a flood must not starve the rest. */
const PANE_FRAME_MS = 33;

const noPanes: PaneLauncher = {
  launch: () => {
    throw new Error('panes are not available');
  },
  consoleLog: async () => null,
  exitReason: () => null,
  copy: () => ({ error: 'copying is not available' }),
};

/**
 * The full-screen workstation: list, details with graphs, event log, status
 * bar and overlays. It renders from the store; keys resolve through the
 * registry's keymap; all drawing happens in one scheduled render.
 */
export class TuiApp implements AppActions {
  readonly store: AppStore;
  private readonly d = new DisposableStore();
  private readonly screen: blessed.Widgets.Screen;
  private readonly restoreTerminal: () => void;
  private readonly scheduler: RenderScheduler;
  private readonly headerBox: blessed.Widgets.BoxElement;
  private readonly list: ListView;
  private readonly detail: DetailView;
  private readonly logBox: blessed.Widgets.BoxElement;
  private readonly statusBar: blessed.Widgets.BoxElement;
  private readonly keymap: ResolvedKeymap;
  private readonly registry = defaultRegistry();
  private palette: Palette;
  private overlayEl: blessed.Widgets.BoxElement | null = null;
  private paletteOverlay: PaletteOverlay<AppActions> | null = null;
  private rulesDialog: RulesDialog | null = null;
  private confirmAction: (() => void) | null = null;
  private logLarge = false;
  private metricsStart: NodeJS.Timeout | null = null;
  private sampling = false;
  private quitting = false;
  private keepAlive: NodeJS.Timeout | null = null;
  private jobs: TuiJob[] = [];
  private infoCache: { key: string; at: number; info: ContainerInfo } | null = null;
  private readonly hostIfCache = new Map<string, { pid: number; ifs: string[] }>();
  private busy = 0;
  private readonly panes: PaneHost;
  /** The pane prefix key that was pressed, while waiting for the command key. */
  private prefixArmed: string | null = null;
  /** blessed's keys for a paste that already went to the pane whole: dropped. */
  private pasting = false;
  /** The list, details and log need recomputing (not only pane output). */
  private fullDirty = true;
  private done!: () => void;
  readonly finished: Promise<void>;
  firstFrameAt: number | null = null;

  constructor(private readonly deps: TuiDeps) {
    this.store = deps.store;
    this.finished = new Promise((r) => (this.done = r));
    const { screen, restore, dispose } = createScreen(deps.io, (msg) => process.stderr.write(`lxcdeck: fatal: ${msg}\n`));
    this.screen = screen;
    this.restoreTerminal = restore;
    this.d.add({ dispose });
    const { palette, error } = deps.themes.palette(deps.settings.theme);
    this.palette = palette;
    this.store.themeName = deps.settings.theme;
    this.store.chartSpanSeconds = SPANS.includes(deps.settings.chartSpanSeconds) ? deps.settings.chartSpanSeconds : 60;
    this.keymap = effectiveKeymap(deps.settings.keys);
    for (const w of [...deps.warnings, ...this.keymap.problems, ...(error ? [error] : [])]) this.store.addLog('warn', w);

    this.scheduler = this.d.add(new RenderScheduler(() => this.draw()));
    this.headerBox = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 1, tags: true });
    this.list = this.d.add(new ListView(screen, this.store, (n) => this.liveFacts(n), this.palette, () => this.store.notify()));
    this.detail = this.d.add(new DetailView(screen, this.palette));
    this.logBox = blessed.box({ parent: screen, left: 0, width: '100%', border: { type: 'line' }, label: ' events ', tags: true });
    noLabelRenderOnResize(this.logBox);
    this.statusBar = blessed.box({ parent: screen, left: 0, width: '100%', height: 1, tags: true });
    for (const b of [this.headerBox, this.logBox, this.statusBar]) renderOnlyWhenChanged(b);

    this.panes = this.d.add(
      new PaneHost(
        {
          screen,
          launcher: deps.panes ?? noPanes,
          log: (level, text) => this.store.addLog(level, text),
          stateOf: (name) => this.store.containers.find((c) => c.name === name)?.state,
          paneDirty: (urgent) => this.scheduler.markDirty(urgent ? undefined : PANE_FRAME_MS),
          relayout: () => {
            this.layout();
            this.fullDirty = true;
            this.scheduler.markDirty();
          },
          writeHost: (data) => deps.io.output.write(data),
        },
        this.palette,
      ),
    );
    screen.on('mouse', (data: MouseData) => {
      if (this.store.overlay === null) this.panes.screenMouse(data);
    });
    this.listenForPaste(deps.io.input);
    deps.io.output.write(BRACKETED_PASTE_ON);

    this.d.add(
      this.store.onChange(() => {
        this.fullDirty = true;
        this.scheduler.markDirty();
      }),
    );
    // one tick drives everything: sample, then the list, then one render
    this.d.add(deps.metrics.onSample(() => this.refresh()));
    this.d.add(deps.metrics.onError((m) => this.store.addLog('error', `metrics: ${m}`)));
    const onKey = (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => this.onKey(ch, key);
    screen.on('keypress', onKey);
    // blessed does not free screen listeners on destroy
    this.d.add({ dispose: () => screen.removeListener('keypress', onKey) });
    screen.on('resize', () => {
      this.layout();
      this.scheduler.markDirty();
    });
    this.layout();
  }

  /** Runs until the user quits; containers are never touched on the way out. */
  run(): Promise<void> {
    this.refresh();
    // the first sample waits for the first frame: the list is what a user waits for
    this.metricsStart = setTimeout(() => {
      this.sampling = true;
      this.refresh();
      this.deps.metrics.start();
    }, 50);
    // the sampler's timer is unref'd and a suspended blessed pauses stdin: hold
    // the event loop open ourselves so only quit() ends the workstation
    this.keepAlive = setInterval(() => undefined, 1 << 30);
    return this.finished;
  }

  // ---- data -------------------------------------------------------------

  refresh(): void {
    if (this.quitting) return;
    try {
      // addresses change rarely: re-read them every few seconds, not every tick
      const withMemory = (c: ContainerSummary) => {
        const m = this.deps.metrics.latest(c.name)?.memoryBytes;
        return m == null ? c : { ...c, memoryBytes: m };
      };
      const containers = this.deps.backend.list({ addressesMaxAgeMs: 5000, totals: false, definedMaxAgeMs: 5000 });
      this.jobs = this.listJobs();
      this.store.setContainers([...containers, ...this.jobs.map(jobRow)].map(withMemory));
      // the sampler's targets (a veth lookup per container) wait for the sampler, after the first frame
      if (!this.sampling) return;
      const targets: { id: string; dirs: ReadonlyMap<Hierarchy, string>; hostInterfaces: readonly string[] }[] = containers.flatMap((c) => {
        if (c.pid === null) return [];
        const rt = this.deps.backend.runtimeOf(c.name);
        return rt ? [{ id: c.name, dirs: rt.dirs, hostInterfaces: this.hostInterfaces(c.name, rt.pid) }] : [];
      });
      for (const j of this.jobs) if (j.state !== 'finished') targets.push({ ...j.target, id: `${JOB_PREFIX}${j.name}` });
      this.deps.metrics.setTargets(targets);
    } catch (e) {
      this.store.addLog('error', `refresh: ${isLxcdeckError(e) ? e.line : String(e)}`);
    }
  }

  /** The jobs of this refresh (one read of the records per tick). */
  private listJobs(): TuiJob[] {
    if (!this.deps.jobs) return [];
    try {
      return this.deps.jobs.list();
    } catch (e) {
      this.store.status = `jobs: ${isLxcdeckError(e) ? e.line : String(e)}`;
      return [];
    }
  }

  private hostInterfaces(name: string, pid: number): string[] {
    const cached = this.hostIfCache.get(name);
    if (cached?.pid === pid) return cached.ifs;
    let ifs: string[] = [];
    try {
      ifs = this.deps.backend.hostInterfaces(name);
    } catch {
      /* shown as no network graph */
    }
    this.hostIfCache.set(name, { pid, ifs });
    return ifs;
  }

  private liveFacts(name: string): LiveFacts | undefined {
    const latest = this.deps.metrics.latest(name);
    if (!latest) return undefined;
    return { cpuPercent: latest.cpuPercent ?? null, pids: latest.pids ?? null, cpuHistory: this.deps.metrics.history(name, 'cpuPercent', 60) };
  }

  private selectedInfo(): ContainerInfo | null {
    const c = this.store.selectedContainer();
    if (!c) return null;
    if (c.name.startsWith(JOB_PREFIX)) {
      const job = this.jobs.find((j) => `${JOB_PREFIX}${j.name}` === c.name);
      return { ...c, lxcpath: '', configFile: job?.log ?? '', rootfs: `job: ${job?.command.join(' ') ?? ''}`, idmap: [], cgroups: {}, hostInterfaces: [], consoleBufferSize: '' };
    }
    // liblxc's info costs a config parse and monitor round trips: keep it while the
    // listing (which re-checks configs and addresses itself) shows the same facts
    const key = `${c.name}:${c.pid}:${c.state}:${c.autostart}:${c.unprivileged}:${c.groups.join(',')}`;
    if (this.infoCache?.key === key && performance.now() - this.infoCache.at < 60_000) return { ...this.infoCache.info, state: c.state, ipv4: c.ipv4, ipv6: c.ipv6 };
    try {
      const info = this.deps.backend.info(c.name);
      this.infoCache = { key, at: performance.now(), info };
      return info;
    } catch {
      return null;
    }
  }

  // ---- drawing ----------------------------------------------------------

  /** Places the panes, then the list, details and log inside the MAIN leaf. */
  private layout(): void {
    const w = this.screen.width as number;
    const h = this.screen.height as number;
    this.statusBar.top = h - 1;
    const area: Rect = { x: 0, y: 1, w, h: Math.max(3, h - 2) };
    const main = this.panes.place(area);
    const boxes = [this.list.box, this.detail.box, this.logBox];
    if (!main) {
      for (const b of boxes) b.hide();
      return;
    }
    const place = (b: blessed.Widgets.BoxElement, top: number, height: number) => {
      b.left = main.x;
      b.width = main.w;
      b.top = top;
      b.height = height;
    };
    // the log gives way first when the main view is small (a pane beside it, 80x24)
    const logH = main.h < 12 ? 0 : this.logLarge ? Math.max(5, Math.floor(main.h / 2)) : main.h >= 28 ? 6 : main.h >= 18 ? 4 : 3;
    const body = main.h - logH;
    const showDetail = this.store.view === 'detail';
    const listH = showDetail ? Math.max(5, Math.min(body - 8, Math.floor(body * 0.4))) : body;
    place(this.list.box, main.y, listH);
    this.list.box.show();
    place(this.detail.box, main.y + listH, Math.max(3, body - listH));
    if (showDetail) this.detail.box.show();
    else this.detail.box.hide();
    place(this.logBox, main.y + body, Math.max(3, logH));
    if (logH) this.logBox.show();
    else this.logBox.hide();
  }

  private draw(): void {
    if (this.quitting) return;
    // frames for pane output alone skip the list, details and log
    if (this.fullDirty) this.drawMain();
    this.fullDirty = false;
    this.panes.drawChrome(this.prefixArmed !== null);
    setText(this.statusBar, this.statusLine());
    this.screen.render();
    if (this.firstFrameAt === null) {
      this.firstFrameAt = performance.now();
      // startup timing for the benchmark: ms since the process started
      if (process.env.LXCDECK_TRACE_STARTUP) process.stderr.write(`first frame ${this.firstFrameAt.toFixed(0)} ms, ${this.store.containers.length} rows\n`);
    }
  }

  private drawMain(): void {
    const p = this.palette;
    const s = this.store;
    const cts = s.containers.filter((c) => !c.name.startsWith(JOB_PREFIX));
    const jobs = s.containers.length - cts.length;
    const running = cts.filter((c) => c.pid !== null).length;
    setText(
      this.headerBox,
      `${fg(p, 'title', ' lxcdeck ')} ${cts.length} containers, ${running} running${jobs ? `, ${jobs} jobs` : ''}${s.marked.size ? `, ${s.marked.size} marked` : ''}  theme ${esc(s.themeName)}  ${esc(this.deps.header)}`,
    );
    const items = listItems(s.containers, s, (n) => this.liveFacts(n));
    this.list.setItems(items);
    // actions apply to what is highlighted: never to a row the filter hid
    const shown = this.list.names();
    if (s.selected === null || !shown.includes(s.selected)) s.selected = shown[0] ?? null;
    this.list.draw(s.overlay === null && !s.filterEditing && this.panes.layout.focused === MAIN);
    if (s.containers.length === 0)
      this.list.box.setContent(
        `\n  No containers in ${esc(this.deps.backend.lxcpath)} yet.\n\n  Press ${fg(p, 'helpKey', 'c')} to create and start a demo busybox container named "demo", ${fg(p, 'helpKey', '?')} for help, ${fg(p, 'helpKey', 'q')} to quit.`,
      );
    if (s.view === 'detail') {
      const info = this.selectedInfo();
      const name = info?.name;
      this.detail.draw(
        info,
        name ? (metric, seconds) => this.deps.metrics.history(name, metric, seconds) : null,
        s.chartSpanSeconds,
        (name && this.deps.metrics.latest(name)) || {},
      );
    }
    const logLines = Math.max(1, (this.logBox.height as number) - 2);
    setText(
      this.logBox,
      s.log
        .slice(-logLines)
        .map((e) => `${fg(p, 'dim', e.at.toTimeString().slice(0, 8))} ${fg(p, e.level === 'error' ? 'logError' : e.level === 'warn' ? 'logWarn' : 'logInfo', esc(sanitize(e.text)))}`)
        .join('\n'),
    );
  }

  private statusLine(): string {
    const p = this.palette;
    const s = this.store;
    if (s.filterEditing) return `${fg(p, 'helpKey', '/')}${esc(s.filter)}█  ${fg(p, 'dim', 'Enter keeps the filter, Esc clears it')}`;
    const key = (id: string) => displayKey(this.keymap.byCommand.get(id)?.[0] ?? '');
    const chord = (id: string) => {
      const k = (this.keymap.byCommand.get(id) ?? []).find((x) => x.includes(' ') && x.length > 1);
      return k ? displayKey(k.slice(k.indexOf(' ') + 1)) : '';
    };
    const mode = (label: string) => `{inverse} ${label} {/inverse} `;
    const pane = this.panes.focused();
    const hintsOf = (list: [string, string][], keyOf: (id: string) => string) =>
      list
        .map(([id, label]) => [keyOf(id), label])
        .filter(([k]) => k)
        .map(([k, label]) => `${fg(p, 'helpKey', esc(k as string))} ${label}`)
        .join('  ');
    if (this.prefixArmed !== null)
      return `${mode('PREFIX')}${hintsOf(
        [
          ['pane.split-right', 'split right'],
          ['pane.split-down', 'split down'],
          ['pane.focus-next', 'next'],
          ['pane.zoom', 'zoom'],
          ['pane.close', 'close'],
          ['pane.scroll-mode', 'scroll'],
          ['pane.attach', 'shell'],
          ['pane.console', 'console'],
          ['app.help', 'help'],
        ],
        chord,
      )}  ${fg(p, 'helpKey', esc(displayKey(this.prefixArmed)))} sends it to the pane`;
    if (pane?.scroll)
      return `${mode('SCROLL')}${fg(p, 'helpKey', '↑↓ PgUp PgDn')} move  ${fg(p, 'helpKey', '/')} search  ${fg(p, 'helpKey', 'n N')} next  ${fg(p, 'helpKey', 'v')} select  ${fg(p, 'helpKey', 'y')} copy  ${fg(p, 'helpKey', 'q')} leave`;
    if (pane) {
      const prefix = displayKey(this.keymap.byCommand.get('pane.prefix')?.[0] ?? 'C-b');
      return `${mode(`PANE ${esc(sanitize(pane.session.spec.container))}`)}keys go to the pane; ${fg(p, 'helpKey', esc(prefix))} then ${hintsOf(
        [
          ['pane.focus-next', 'next'],
          ['pane.split-right', 'split'],
          ['pane.zoom', 'zoom'],
          ['pane.scroll-mode', 'scroll'],
          ['pane.close', 'close'],
          ['app.help', 'help'],
        ],
        chord,
      )}${this.statusTail()}`;
    }
    const hints = hintsOf(
      [
        ['app.help', 'help'],
        ['view.filter', 'filter'],
        ['view.details', 'details'],
        ['container.start', 'start'],
        ['container.stop', 'stop'],
        ['container.freeze-toggle', 'freeze'],
        ['pane.attach', 'shell'],
        ['app.palette', 'commands'],
        ['app.quit', 'quit'],
      ],
      key,
    );
    return `${hints}${this.rulesStatus()}${this.statusTail()}`;
  }

  /** Freeze rules at a glance: how many are armed, which have tripped. */
  private rulesStatus(): string {
    const rows = this.deps.rules?.rows() ?? [];
    if (!rows.length) return '';
    const p = this.palette;
    const tripped = rows.filter((r) => r.tripped).map((r) => r.name);
    const armed = rows.length - tripped.length;
    return `  ${fg(p, 'dim', 'rules')} ${armed ? `${armed} armed` : ''}${tripped.length ? `${armed ? ' ' : ''}${fg(p, 'logError', `TRIPPED ${esc(tripped.join(','))}`)}` : ''}`;
  }

  private statusTail(): string {
    const p = this.palette;
    const busy = this.busy ? fg(p, 'logWarn', ` working (${this.busy}) `) : '';
    const status = this.store.status ? `  ${fg(p, 'logError', esc(sanitize(this.store.status)))}` : '';
    return `${busy}${status}`;
  }

  // ---- keys ---------------------------------------------------------------

  private onKey(ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg): void {
    const s = this.store;
    // blessed names Shift+letter 'S-t'; the keymap writes it as the letter 'T'
    const full = key.full ?? key.name ?? ch ?? '';
    // blessed reports Enter twice, as 'enter' and then 'return': act once
    if (full === 'return') return;
    const name = /^S-[a-z]$/.test(full) && ch ? ch : full;
    if (this.confirmAction) {
      const yes = name === 'y' || name === 'Y';
      const act = this.confirmAction;
      this.closeOverlay();
      if (yes) act();
      return;
    }
    if (this.rulesDialog) {
      if (this.rulesDialog.key(ch, name) === 'close') this.closeOverlay();
      this.fullDirty = true;
      this.scheduler.markDirty();
      return;
    }
    if (this.paletteOverlay) {
      const r = this.paletteOverlay.key(ch, name);
      if (r === 'close') this.closeOverlay();
      else if (r) {
        this.closeOverlay();
        this.execute(r);
      }
      this.scheduler.markDirty();
      return;
    }
    if (this.overlayEl) {
      if (name === 'escape' || name === 'q' || name === '?') this.closeOverlay();
      return;
    }
    if (this.pasting) return;
    // the pane prefix, tmux-style: the next key is a command for lxcdeck
    if (this.prefixArmed !== null) {
      const used = this.prefixArmed;
      this.prefixArmed = null;
      if (name === used) this.panes.sendRaw(key.sequence ?? '');
      else {
        const id = this.keymap.byKey.get(`${used} ${name}`);
        const cmd = id ? this.registry.get(id) : undefined;
        if (cmd) this.execute(cmd);
      }
      this.scheduler.markDirty();
      return;
    }
    if (!s.filterEditing && (this.keymap.byCommand.get('pane.prefix') ?? []).includes(name)) {
      this.prefixArmed = name;
      this.scheduler.markDirty();
      return;
    }
    if (this.panes.focused()) {
      this.panes.key(ch, key, name);
      return;
    }
    if (s.filterEditing) {
      if (name === 'escape') {
        s.filter = '';
        s.filterEditing = false;
      } else if (name === 'enter') s.filterEditing = false;
      else if (name === 'backspace') s.filter = s.filter.slice(0, -1);
      else if (ch && ch >= ' ' && ch !== '\u007f' && !key.ctrl) s.filter += ch;
      s.notify();
      return;
    }
    const id = this.keymap.byKey.get(name);
    const cmd = id ? this.registry.get(id) : undefined;
    if (cmd) this.execute(cmd);
  }

  /**
   * The host terminal's bracketed paste, taken whole from the input before
   * blessed splits it into keys: a paste into a pane arrives as one write,
   * bracketed if the program asked for it.
   */
  private listenForPaste(input: NodeJS.ReadableStream): void {
    let text: string | null = null;
    const onData = (d: Buffer | string) => {
      let str = d.toString();
      if (text === null) {
        const i = str.indexOf(PASTE_START);
        if (i < 0 || !this.panes.focused()) return;
        text = '';
        str = str.slice(i + PASTE_START.length);
      }
      // blessed turns this same chunk into keys right after this listener: drop them
      this.pasting = true;
      const end = str.indexOf(PASTE_END);
      if (end < 0) {
        text += str;
        return;
      }
      this.panes.paste(text + str.slice(0, end));
      text = null;
      setImmediate(() => (this.pasting = false));
    };
    const stream = input as NodeJS.ReadableStream & { prependListener(e: 'data', f: (d: Buffer | string) => void): void };
    stream.prependListener('data', onData);
    this.d.add({ dispose: () => input.removeListener('data', onData) });
  }

  private execute(cmd: CommandSpec<AppActions>): void {
    if (cmd.available && !cmd.available(this)) return;
    const run = () => {
      try {
        const r = cmd.run(this);
        if (r instanceof Promise) r.catch((e: unknown) => this.store.addLog('error', String(e)));
      } catch (e) {
        this.store.addLog('error', `${cmd.id}: ${isLxcdeckError(e) ? e.line : String(e)}`);
      }
    };
    if (cmd.dangerous) {
      const names = this.store.targets();
      this.confirm(`${cmd.title}: ${names.join(', ')}?`, run);
    } else run();
  }

  private confirm(question: string, onYes: () => void): void {
    this.closeOverlay();
    this.confirmAction = onYes;
    this.overlayEl = createConfirm(this.screen, sanitize(question), this.palette);
    this.store.overlay = { kind: 'confirm', question, onYes };
    this.store.notify();
  }

  private closeOverlay(): void {
    this.overlayEl?.destroy();
    this.overlayEl = null;
    this.paletteOverlay?.destroy();
    this.paletteOverlay = null;
    this.rulesDialog?.dispose();
    this.rulesDialog = null;
    this.confirmAction = null;
    this.store.overlay = null;
    this.store.notify();
  }

  // ---- actions (AppActions) -------------------------------------------------

  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    if (this.metricsStart) clearTimeout(this.metricsStart);
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.deps.metrics.stop();
    this.deps.metrics.dispose();
    this.d.dispose();
    this.restoreTerminal();
    this.done();
  }

  suspend(): void {
    const screen = this.screen as blessed.Widgets.Screen & { sigtstp(cb: () => void): void };
    // blessed buffers its leave-alternate-screen sequence and mutes the output
    // before flushing it, so the shell would come back inside our screen:
    // leave it (and mouse reporting) ourselves first
    this.deps.io.output.write('\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?25h\x1b[?1049l');
    screen.sigtstp(() => {
      this.deps.io.output.write(BRACKETED_PASTE_ON);
      screen.alloc();
      this.scheduler.markDirty();
    });
  }

  redraw(): void {
    (this.screen as blessed.Widgets.Screen & { realloc(): void }).realloc();
    this.scheduler.markDirty();
  }

  lifecycle(op: LifecycleOp, names: string[]): void {
    for (const name of names) {
      const c = this.store.containers.find((x) => x.name === name);
      const thaw = op === 'freeze-toggle' && (c?.state === 'FROZEN' || c?.state === 'FREEZING');
      const verb = op === 'freeze-toggle' ? (thaw ? 'thaw' : 'freeze') : op;
      this.busy++;
      this.store.addLog('info', `${verb} ${name}…`);
      const b = this.deps.backend;
      const jobs = this.deps.jobs;
      const job = name.startsWith(JOB_PREFIX) ? name.slice(JOB_PREFIX.length) : null;
      const work = (async () => {
        if (job !== null) {
          if (!jobs) throw new Error('jobs are not available');
          if (verb === 'freeze') return jobs.freeze(job);
          if (verb === 'thaw') return jobs.thaw(job);
          if (verb === 'kill' || verb === 'stop') return jobs.kill(job);
          throw new Error(`${verb} is for containers; jobs are started with 'lxcdeck job run'`);
        }
        switch (verb) {
          case 'start':
            return b.start(name);
          case 'stop':
            return b.stop(name, { timeoutSeconds: 30 });
          case 'kill':
            return b.kill(name);
          case 'restart':
            if (c && c.pid !== null) await b.stop(name, { timeoutSeconds: 30 });
            return b.start(name);
          case 'freeze':
            return b.freeze(name);
          case 'thaw':
            return b.thaw(name);
        }
      })();
      work
        .then(() => this.store.addLog('info', `${verb} ${name}: done`))
        .catch((e: unknown) => this.store.addLog('error', `${verb} ${name}: ${isLxcdeckError(e) ? e.line : String(e)}`))
        .finally(() => {
          this.busy--;
          this.refresh();
        });
    }
    this.refresh();
  }

  createDemo(): void {
    if (this.store.containers.some((c) => c.name === 'demo')) {
      this.store.addLog('warn', 'a container named demo exists already');
      return;
    }
    this.busy++;
    this.store.addLog('info', 'creating demo (lxc-create -t busybox)…');
    this.deps
      .createDemo()
      .then(() => {
        this.store.addLog('info', 'demo created; starting it');
        this.refresh();
        this.lifecycle('start', ['demo']);
      })
      .catch((e: unknown) => this.store.addLog('error', `create demo: ${isLxcdeckError(e) ? e.line : String(e)}`))
      .finally(() => {
        this.busy--;
        this.refresh();
      });
  }

  openHelp(): void {
    this.closeOverlay();
    // the overlay is 80% of the screen, inside its border
    const size = { width: Math.floor((this.screen.width as number) * 0.8) - 3, height: Math.floor((this.screen.height as number) * 0.8) - 2 };
    const content = helpText(this.registry.all(), (id) => this.keymap.byCommand.get(id) ?? [], this.palette, '', size);
    this.overlayEl = createHelp(this.screen, content);
    this.store.overlay = { kind: 'help' };
    this.store.notify();
  }

  openPalette(): void {
    this.closeOverlay();
    const cmds = this.registry.all().filter((c) => !c.available || c.available(this));
    this.paletteOverlay = new PaletteOverlay(this.screen, cmds, (id) => this.keymap.byCommand.get(id) ?? [], this.palette);
    this.store.overlay = { kind: 'palette' };
    this.store.notify();
  }

  startFilter(): void {
    // like htop and k9s: '/' starts a new filter
    this.store.filter = '';
    this.store.filterEditing = true;
    this.store.notify();
  }

  clearFilter(): void {
    this.store.filter = '';
    this.store.notify();
  }

  toggleDetails(): void {
    this.store.view = this.store.view === 'detail' ? 'list' : 'detail';
    this.layout();
    this.store.notify();
  }

  back(): void {
    if (this.store.view === 'detail') this.toggleDetails();
    else if (this.store.filter) this.clearFilter();
    else if (this.store.marked.size) {
      this.store.marked.clear();
      this.store.notify();
    }
  }

  move(to: number | 'top' | 'bottom' | 'page-up' | 'page-down'): void {
    const names = this.list.names();
    if (!names.length) return;
    const cur = Math.max(0, names.indexOf(this.store.selected ?? ''));
    const page = this.list.pageSize;
    const next =
      to === 'top' ? 0 : to === 'bottom' ? names.length - 1 : to === 'page-up' ? cur - page : to === 'page-down' ? cur + page : cur + to;
    this.store.selected = names[Math.max(0, Math.min(names.length - 1, next))] ?? null;
    this.store.notify();
  }

  toggleMark(): void {
    const n = this.store.selected;
    if (!n) return;
    if (this.store.marked.has(n)) this.store.marked.delete(n);
    else this.store.marked.add(n);
    this.move(1);
  }

  markAll(): void {
    const names = this.list.names();
    if (this.store.marked.size) this.store.marked.clear();
    else for (const n of names) this.store.marked.add(n);
    this.store.notify();
  }

  sort(step: 1 | -1): void {
    const i = SORT_COLUMNS.indexOf(this.store.sort.column);
    this.store.sort = { ...this.store.sort, column: SORT_COLUMNS[(i + step + SORT_COLUMNS.length) % SORT_COLUMNS.length] ?? 'name' };
    this.store.notify();
  }

  invertSort(): void {
    this.store.sort = { ...this.store.sort, reverse: !this.store.sort.reverse };
    this.store.notify();
  }

  toggleGroup(): void {
    this.store.groupByGroup = !this.store.groupByGroup;
    this.store.notify();
  }

  nextSpan(): void {
    const i = SPANS.indexOf(this.store.chartSpanSeconds);
    this.store.chartSpanSeconds = SPANS[(i + 1) % SPANS.length] ?? 60;
    const err = this.deps.settings.save({ chartSpanSeconds: this.store.chartSpanSeconds });
    if (err) this.store.addLog('warn', err);
    this.store.notify();
  }

  nextTheme(): void {
    const names = this.deps.themes.names();
    const next = names[(names.indexOf(this.store.themeName) + 1) % names.length] ?? 'dark';
    this.applyTheme(next);
  }

  applyTheme(name: string): void {
    const { palette, error } = this.deps.themes.palette(name);
    if (error) {
      this.store.addLog('error', error);
      return;
    }
    this.palette = palette;
    this.list.setPalette(palette);
    this.detail.setPalette(palette);
    this.panes.setPalette(palette);
    this.store.themeName = name;
    const err = this.deps.settings.save({ theme: name });
    if (err) this.store.addLog('warn', err);
    this.store.addLog('info', `theme ${name}`);
  }

  get hasPanes(): boolean {
    return this.panes.count > 0;
  }

  openRules(): void {
    if (!this.deps.rules) return void this.store.addLog('warn', 'rules are not available yet (settings still loading)');
    this.closeOverlay();
    const sel = this.store.selected;
    const target = sel ? (sel.startsWith(JOB_PREFIX) ? `job:${sel.slice(JOB_PREFIX.length)}` : `container:${sel}`) : 'jobs:*';
    this.rulesDialog = new RulesDialog(this.screen, this.deps.rules, this.palette, { target });
    this.store.overlay = { kind: 'rules' };
    this.store.notify();
  }

  openPane(kind: 'shell' | 'console'): void {
    const name = this.store.selected;
    const job = name?.startsWith(JOB_PREFIX) ? this.jobs.find((j) => `${JOB_PREFIX}${j.name}` === name) : undefined;
    if (job) {
      if (kind === 'console') return void this.store.addLog('warn', 'a job has no console: a (shell) follows its output');
      return void this.panes.open({ kind: 'log', container: name as string, file: job.log });
    }
    if (!name) return void this.store.addLog('warn', `${kind}: select a container first`);
    const c = this.store.containers.find((x) => x.name === name);
    if (c && c.state !== 'RUNNING' && c.state !== 'FROZEN') return void this.store.addLog('warn', `${kind}: ${name} is ${c.state}; start it first (s)`);
    if (c?.state === 'FROZEN') this.store.addLog('warn', `${name} is frozen: the ${kind} answers once it is thawed (f)`);
    // a second console on the same container takes the next tty
    if (kind === 'console') this.panes.open({ kind, container: name, tty: this.panes.freeTty(name) });
    else this.panes.open({ kind, container: name, ...(this.deps.settings.paneShell.length ? { command: this.deps.settings.paneShell } : {}) });
  }

  splitPane(where: 'right' | 'down'): void {
    const sel = this.store.selected;
    this.panes.split(where, sel && !sel.startsWith(JOB_PREFIX) ? sel : null, this.deps.settings.paneShell);
  }

  focusPane(to: 1 | -1 | 'left' | 'right' | 'up' | 'down'): void {
    this.panes.focus(to);
  }

  zoomPane(): void {
    this.panes.zoom();
  }

  closePane(): void {
    const v = this.panes.focused();
    if (!v) return;
    if (v.session.running) this.confirm(`Close the ${v.session.spec.kind} pane on ${v.session.spec.container}? (the container keeps running)`, () => this.panes.close());
    else this.panes.close();
  }

  scrollMode(): void {
    this.panes.scrollMode();
  }

  resizePane(dir: 'left' | 'right' | 'up' | 'down'): void {
    this.panes.resize(dir);
  }

  enableConsoleBuffer(names: string[]): void {
    for (const name of names) {
      if (name.startsWith(JOB_PREFIX)) continue;
      try {
        this.deps.backend.enableConsoleBuffer(name);
        this.store.addLog('info', `${name}: console ring buffer enabled (lxc.console.buffer.size); it starts with the next start`);
      } catch (e) {
        this.store.addLog('error', `${name}: ${isLxcdeckError(e) ? e.line : String(e)}`);
      }
    }
  }

  toggleLog(): void {
    this.logLarge = !this.logLarge;
    this.layout();
    this.store.notify();
  }
}
