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
import { DetailView } from './detailView.js';
import { ListView } from './listView.js';
import { createConfirm, createHelp, helpText, Palette as PaletteOverlay } from './overlays.js';
import { RenderScheduler } from './scheduler.js';
import { createScreen, noLabelRenderOnResize, renderOnlyWhenChanged, setText, type ScreenIo } from './screen.js';
import { esc, fg, type Palette } from './style.js';

/** What the workstation needs from the container engine (main wires LiblxcBackend). */
export interface TuiBackend extends ContainerBackend, Freezable {
  runtimeOf(name: string): { pid: number; dirs: Map<Hierarchy, string> } | null;
  hostInterfaces(name: string): string[];
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
}

const SPANS = [60, 300, 900];

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

    this.d.add(this.store.onChange(() => this.scheduler.markDirty()));
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

  private layout(): void {
    const h = this.screen.height as number;
    const logH = this.logLarge ? Math.max(5, Math.floor(h / 2)) : h >= 30 ? 6 : h >= 20 ? 4 : 3;
    const body = h - 2 - logH;
    const showDetail = this.store.view === 'detail';
    const listH = showDetail ? Math.max(5, Math.min(body - 8, Math.floor(body * 0.4))) : body;
    this.list.box.top = 1;
    this.list.box.height = listH;
    this.list.box.width = '100%';
    this.detail.box.top = 1 + listH;
    this.detail.box.height = Math.max(3, body - listH);
    this.detail.box.width = '100%';
    if (showDetail) this.detail.box.show();
    else this.detail.box.hide();
    this.logBox.top = h - 1 - logH;
    this.logBox.height = logH;
    this.statusBar.top = h - 1;
  }

  private draw(): void {
    if (this.quitting) return;
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
    this.list.draw(s.overlay === null && !s.filterEditing);
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
    setText(this.statusBar, this.statusLine());
    this.screen.render();
    if (this.firstFrameAt === null) {
      this.firstFrameAt = performance.now();
      // startup timing for the benchmark: ms since the process started
      if (process.env.LXCDECK_TRACE_STARTUP) process.stderr.write(`first frame ${this.firstFrameAt.toFixed(0)} ms, ${s.containers.length} rows\n`);
    }
  }

  private statusLine(): string {
    const p = this.palette;
    const s = this.store;
    if (s.filterEditing) return `${fg(p, 'helpKey', '/')}${esc(s.filter)}█  ${fg(p, 'dim', 'Enter keeps the filter, Esc clears it')}`;
    const key = (id: string) => displayKey(this.keymap.byCommand.get(id)?.[0] ?? '');
    const hints = (
      [
        ['app.help', 'help'],
        ['view.filter', 'filter'],
        ['view.details', 'details'],
        ['container.start', 'start'],
        ['container.stop', 'stop'],
        ['container.freeze-toggle', 'freeze'],
        ['app.palette', 'commands'],
        ['app.quit', 'quit'],
      ] as const
    )
      .map(([id, label]) => `${fg(p, 'helpKey', esc(key(id)))} ${label}`)
      .join('  ');
    const busy = this.busy ? fg(p, 'logWarn', ` working (${this.busy}) `) : '';
    const status = s.status ? `  ${fg(p, 'logError', esc(sanitize(s.status)))}` : '';
    return `${hints}${busy}${status}`;
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
    this.deps.io.output.write('\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1005l\x1b[?1006l\x1b[?25h\x1b[?1049l');
    screen.sigtstp(() => {
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
    const content = helpText(this.registry.all(), (id) => this.keymap.byCommand.get(id) ?? [], this.palette, '');
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
    this.store.themeName = name;
    const err = this.deps.settings.save({ theme: name });
    if (err) this.store.addLog('warn', err);
    this.store.addLog('info', `theme ${name}`);
  }

  toggleLog(): void {
    this.logLarge = !this.logLarge;
    this.layout();
    this.store.notify();
  }
}
