import * as os from 'node:os';
import * as path from 'node:path';
import type { AppContext } from '../app/context.js';
import { systemClock } from '../base/clock.js';
import { writeFileAtomic } from '../host/atomicWrite.js';
import { stateDir } from '../host/paths.js';
import { terminfoColors } from '../host/terminfo.js';
import { readProcesses } from '../host/processes.js';
import { KeptFileReader } from '../host/filereader.js';
import { JobManager } from '../jobs/manager.js';
import { MetricsSampler } from '../metrics/sampler.js';
import type { PaneLaunch, PaneSpec } from '../pane/session.js';
import { detectColorDepth } from '../settings/colors.js';
import { defaultConfigDir } from '../settings/configDir.js';
import { peekSettings } from '../settings/peek.js';
import type { SettingsStore } from '../settings/settings.js';
import { listThemes, themeDirs, themeInUse } from '../settings/themes.js';
import type { WorkstationMetrics } from '../state/sources.js';
import { AppStore } from '../state/store.js';
import { TuiApp, type TuiEnd } from '../ui/app.js';
import { paletteFor } from '../ui/palette.js';
import { TuiRules } from './tuiRules.js';

export interface TuiIo {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

/** A running workstation: how it ended, and the shutdown main runs after that. */
export interface RunningTui {
  ended: Promise<TuiEnd>;
  /** Thaws what the rules froze (the guard ends with the workstation). */
  releaseRules(): Promise<void>;
  /** Ends the pane programs and restores the terminal (never touches a container), then saves the last workspace. */
  close(): Promise<void>;
}

/**
 * Wires the workstation: settings, themes, the sampler, jobs and rules into
 * the UI, over the application context's core interfaces. Called from
 * main.ts only; main owns the shutdown order.
 */
export function startTui(ctx: AppContext, io: TuiIo, header: string, workspace?: string): RunningTui {
  // first frame from a plain read of the settings file; the conf-backed store
  // (slow to import) loads right after and takes over for writes
  const configDir = defaultConfigDir();
  let current = peekSettings(configDir).settings;
  let store: SettingsStore | null = null;
  let pending: Record<string, unknown> = {};
  const dirs = themeDirs(configDir);
  const depth = detectColorDepth(process.env, io.output.isTTY === true, terminfoColors(process.env.TERM ?? '', process.env));
  const reader = new KeptFileReader();
  const sampler = new MetricsSampler({ cgroups: ctx.cgroups, clock: systemClock, read: reader, intervalMs: current.refreshIntervalMs, cpuCount: os.cpus().length });
  const metrics: WorkstationMetrics = {
    setTargets: (t) => sampler.setTargets(t),
    start: () => sampler.start(),
    stop: () => sampler.stop(),
    onSample: sampler.onSample,
    onError: sampler.onError,
    history: (id, metric, seconds) => sampler.history(id, metric, seconds),
    latest: (id) => sampler.latest(id),
    dispose: () => {
      sampler.dispose();
      reader.dispose();
    },
  };
  const jobManager = new JobManager({ host: ctx.cgroups, identity: ctx.identity, fs: ctx.fs });
  const appStore = new AppStore();
  /** Each pane's last launch: its helper's status file says why it ended. */
  const launched = new WeakMap<PaneSpec, PaneLaunch>();
  // nothing but the renderer draws: liblxc's error lines become event-log lines
  const liblxcLines = ctx.captureLiblxcStderr((line) => appStore.addLog('warn', `liblxc: ${line.replace(/^(lxcdeck: )+/, '')}`));
  const rules = new TuiRules(jobManager, ctx.backend, appStore);
  const app = new TuiApp({
    io: { ...io, colorDepth: depth },
    store: appStore,
    rules,
    backend: ctx.backend,
    jobs: {
      list: () =>
        jobManager.list().map((j) => ({
          name: j.record.name,
          state: j.state,
          pid: j.record.pid,
          log: j.record.log,
          command: j.record.command,
          target: jobManager.metricsTarget(j.record),
        })),
      freeze: (n) => jobManager.freeze(n),
      thaw: (n) => jobManager.thaw(n),
      kill: (n) => jobManager.kill(n),
    },
    metrics,
    settings: {
      get theme() {
        return current.theme;
      },
      get refreshIntervalMs() {
        return current.refreshIntervalMs;
      },
      get chartSpanSeconds() {
        return current.chartSpanSeconds;
      },
      get keys() {
        return current.keys;
      },
      get paneShell() {
        return current.paneShell;
      },
      get marks() {
        return current.marks;
      },
      get lastWorkspace() {
        return current.lastWorkspace;
      },
      get restoreLastWorkspace() {
        return current.restoreLastWorkspace;
      },
      save(partial) {
        if (!store) {
          // the store is still loading (first second): apply once it is there
          pending = { ...pending, ...partial };
          return null;
        }
        try {
          current = store.update(partial as never);
          return null;
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      },
    },
    themes: {
      names: () => listThemes(dirs).filter((t) => !t.error).map((t) => t.name),
      palette(name) {
        // the theme drawn with: the fallback when this one is broken, monochrome under NO_COLOR
        const { theme, error, name: inUse } = themeInUse(name, dirs, process.env);
        return { palette: paletteFor(theme, depth), inUse, ...(error ? { error } : {}) };
      },
    },
    header,
    ...(workspace !== undefined ? { workspace } : {}),
    warnings: [],
    planRunner: () => ctx.planRunner(),
    ...(ctx.userStderr !== null ? { userStderr: ctx.userStderr } : {}),
    ...(ctx.planner ? { planner: ctx.planner } : {}),
    processes: (name) => {
      const rt = ctx.backend.runtimeOf(name);
      return rt ? readProcesses(ctx.fs, [...rt.dirs.values()]) : [];
    },
    ...(ctx.networks ? { networks: ctx.networks } : {}),
    ...(ctx.extras ? { extras: ctx.extras } : {}),
    ...(ctx.idmapEditor ? { idmapEditor: ctx.idmapEditor } : {}),
    panes: {
      launch: (spec) => {
        const l = paneLaunch(ctx, spec);
        launched.set(spec, l);
        return l;
      },
      consoleLog: (name) => ctx.backend.consoleLog(name),
      // a job's log pane runs tail, not the helper: its statuses are its own
      exitReason: (spec, code) => (spec.kind === 'log' ? null : ctx.terminals.exitReason(code, launched.get(spec))),
      copy(text) {
        try {
          return { saved: writeFileAtomic(path.join(stateDir(ctx.identity), 'copied.txt'), text, { mode: 0o600, mkdirMode: 0o700 }) };
        } catch (e) {
          return { error: e instanceof Error ? e.message : String(e) };
        }
      },
    },
  });
  // the pane benchmark checks that the sampler keeps ticking during a flood
  if (process.env.LXCDECK_TRACE_TICKS) sampler.onSample(() => process.stderr.write(`tick ${Date.now()}\n`));
  sampler.onSample(() => rules.tick());
  const ended = app.run();
  // after the first frame: the settings store (conf)
  const loading = new Promise<SettingsStore>((resolve, reject) => setImmediate(() => {
    import('../settings/settings.js').then(({ SettingsStore }) => {
      const loaded = new SettingsStore({ cwd: configDir });
      store = loaded;
      current = loaded.get();
      rules.attach(loaded);
      for (const w of loaded.warnings) app.store.addLog('warn', w);
      if (Object.keys(pending).length) {
        try {
          current = loaded.update(pending as never);
        } catch (e) {
          app.store.addLog('warn', e instanceof Error ? e.message : String(e));
        }
      }
      resolve(loaded);
    }, reject);
  }));
  loading.catch((e: unknown) => app.store.addLog('error', `settings: ${e instanceof Error ? e.message : String(e)}`));
  const close = async () => {
    // the workspace on screen is the next start's (restoreLastWorkspace); the terminal first
    const workspace = app.workspace();
    app.dispose();
    liblxcLines.dispose();
    // quitting in the first moment: the settings store (and what waits to be saved) is still loading
    const settings = await loading.catch(() => null);
    if (!settings?.get().restoreLastWorkspace) return;
    try {
      settings.update({ lastWorkspace: workspace });
    } catch {
      /* quitting: a read-only settings file only loses the last workspace */
    }
  };
  return { ended, releaseRules: () => rules.release(), close };
}

/** The program a pane runs: attach or console through the helper, or a job's log followed. */
function paneLaunch(ctx: AppContext, spec: PaneSpec): PaneLaunch {
  // a job's output: its log file, followed (a host process of the user's own)
  if (spec.kind === 'log') return { file: 'tail', args: ['-n', '2000', '-F', spec.file ?? '/dev/null'], env: { ...(process.env as Record<string, string>), TERM: 'xterm-256color' }, cwd: '/' };
  // console escape 0: no Ctrl-a q inside a pane (the pane prefix and close do that job)
  if (spec.kind === 'console') return withTerm(ctx.terminals.console(spec.container, { tty: spec.tty ?? 0, escape: 0 }));
  return withTerm(ctx.terminals.attach(spec.container, { env: { TERM: 'xterm-256color' }, ...(spec.command?.length ? { command: spec.command } : {}) }));
}

const withTerm = (l: PaneLaunch): PaneLaunch => ({ ...l, env: { ...l.env, TERM: 'xterm-256color' } });
