import { containerRef, workloadTitle } from '../core/workload.js';
import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { Disposable } from '../base/disposable.js';
import { DisposableStore } from '../base/disposable.js';
import type { Rect } from '../pane/layout.js';
import { sanitize } from '../presentation/format.js';
import { tagText } from '../core/workspace.js';
import { listItems } from '../presentation/rows.js';
import { visibleLog } from '../state/logView.js';
import type { Refresher } from '../state/refresher.js';
import type { ExtrasCache } from '../state/extrasCache.js';
import type { WorkstationMetrics } from '../state/sources.js';
import type { AppStore } from '../state/store.js';
import { DetailView } from './detailView.js';
import { ListView } from './listView.js';
import { noLabelRenderOnResize, renderOnlyWhenChanged, setText } from './screen.js';
import { color, esc, fg, type Palette } from './style.js';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * The header: counts, then user@host, lxcpath and the cgroup layout (from
 * `facts`, two spaces apart), then the theme. When it is too wide user@host
 * goes first, then the theme, then the lxcpath; the counts and the cgroup
 * layout stay.
 */
export function headerLine(p: Palette, h: { containers: number; running: number; jobs: number; marked: number; mark?: string; theme: string; facts: string }, width: number): string {
  const counts = `${plural(h.containers, 'container')}, ${h.running} running${h.jobs ? `, ${plural(h.jobs, 'job')}` : ''}${h.marked ? `, ${h.marked} marked` : ''}${h.mark ? `  ${h.mark}` : ''}`;
  const facts = h.facts.split(/ {2,}/).filter(Boolean);
  let parts = [...facts, `theme ${h.theme}`];
  const drop = [facts[0], `theme ${h.theme}`, facts[1]];
  const text = () => ` lxcdeck  ${counts}  ${parts.join('  ')}`;
  for (const d of drop) {
    if (text().length <= width) break;
    parts = parts.filter((x) => x !== d);
  }
  return `${fg(p, 'title', ' lxcdeck ')} ${esc(counts)}  ${esc(parts.join('  '))}`;
}

export interface MainViewDeps {
  screen: blessed.Widgets.Screen;
  store: AppStore;
  refresher: Refresher;
  metrics: WorkstationMetrics;
  /** The selected container's snapshots, networks and idmap check (cached, refreshed in the background). */
  extras?: ExtrasCache;
  /** user@host, lxcpath, cgroup layout. */
  header: string;
  lxcpath: string;
  palette: Palette;
}

/**
 * The workstation's own leaf of the pane layout, and the bars around it: the
 * header, the list, the details with graphs, the event log and the status
 * bar. It draws from the store; it decides nothing.
 */
export class MainView implements Disposable {
  private readonly d = new DisposableStore();
  private readonly headerBox: blessed.Widgets.BoxElement;
  readonly list: ListView;
  private readonly detail: DetailView;
  private readonly logBox: blessed.Widgets.BoxElement;
  private readonly statusBar: blessed.Widgets.BoxElement;
  private palette: Palette;
  logLarge = false;
  private logLabel = ' events ';

  constructor(private readonly deps: MainViewDeps) {
    const { screen, store, refresher } = deps;
    this.palette = deps.palette;
    this.headerBox = widgets.box({ parent: screen, top: 0, left: 0, width: '100%', height: 1, tags: true });
    this.list = this.d.add(new ListView(screen, store, (k) => refresher.liveFacts(k), this.palette, () => store.notify()));
    this.detail = this.d.add(new DetailView(screen, this.palette));
    this.logBox = widgets.box({ parent: screen, left: 0, width: '100%', border: { type: 'line' }, label: ' events ', tags: true });
    noLabelRenderOnResize(this.logBox);
    this.statusBar = widgets.box({ parent: screen, left: 0, width: '100%', height: 1, tags: true });
    for (const b of [this.headerBox, this.logBox, this.statusBar]) renderOnlyWhenChanged(b);
  }

  setPalette(p: Palette): void {
    this.palette = p;
    this.list.setPalette(p);
    this.detail.setPalette(p);
  }

  /** Places the list, details and log inside the MAIN leaf (null: a zoomed pane hides it). */
  layout(main: Rect | null, screenHeight: number): void {
    this.statusBar.top = screenHeight - 1;
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
    // a focused log is a large one
    const large = this.logLarge || this.deps.store.logView !== null;
    const logH = main.h < 12 ? (large ? Math.max(3, Math.floor(main.h / 2)) : 0) : large ? Math.max(5, Math.floor(main.h / 2)) : main.h >= 28 ? 6 : main.h >= 18 ? 4 : 3;
    const body = main.h - logH;
    const showDetail = this.deps.store.view === 'detail';
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

  /** The header, list, details and log (skipped on frames for pane output alone). */
  draw(focused: boolean, themeShown: string, panesShown = false): void {
    const p = this.palette;
    const s = this.deps.store;
    const cts = s.workloads.filter((w) => w.id.kind === 'container');
    const jobs = s.workloads.length - cts.length;
    const running = cts.filter((c) => c.pid !== null).length;
    const mark = s.activeMark ? `mark ${s.activeMark}${s.tag ? ` (tag ${tagText(s.tag)})` : ''}` : '';
    setText(this.headerBox, headerLine(p, { containers: cts.length, running, jobs, marked: s.marked.size, mark, theme: themeShown, facts: this.deps.header }, this.headerBox.width as number));
    this.list.setItems(listItems(s.workloads, s, (k) => this.deps.refresher.liveFacts(k)));
    // actions apply to what is highlighted: never to a row the filter hid
    const shown = this.list.keys();
    if (s.selected === null || !shown.includes(s.selected)) s.selected = shown[0] ?? null;
    this.list.draw(focused, panesShown);
    if (s.workloads.length === 0)
      this.list.box.setContent(
        `\n  No containers in ${esc(this.deps.lxcpath)} yet.\n\n  Press ${fg(p, 'helpKey', 'c')} to create and start a demo busybox container named "demo", ${fg(p, 'helpKey', '?')} for help, ${fg(p, 'helpKey', 'q')} to quit.`,
      );
    if (s.view === 'detail') {
      const info = this.deps.refresher.selectedInfo();
      const key = s.selectedWorkload()?.key;
      const metrics = this.deps.metrics;
      const id = s.selectedWorkload()?.id;
      const kind = id?.kind;
      // by reference: the same name may be in two lxcpaths
      const extras = info && id && kind === 'container' ? (this.deps.extras?.get(containerRef(id), `${info.state}:${info.pid ?? ''}`) ?? null) : null;
      this.detail.draw(info, key ? (metric, seconds) => metrics.history(key, metric, seconds) : null, s.chartSpanSeconds, (key && metrics.latest(key)) || {}, kind, extras, id ? workloadTitle(id) : undefined);
    }
    this.drawLog();
  }

  /** Lines inside the event log's border. */
  get logRows(): number {
    return Math.max(1, (this.logBox.height as number) - 2);
  }

  /** The event log: the newest lines, or where the focused log is scrolled to, its match highlighted and its search line. */
  private drawLog(): void {
    const p = this.palette;
    const s = this.deps.store;
    const view = s.logView;
    const rows = this.logRows - (view?.editing ? 1 : 0);
    const { from, entries } = visibleLog(s.log, view, rows);
    const lines = entries.map((e, i) => {
      const text = `${fg(p, 'dim', e.at.toTimeString().slice(0, 8))} ${fg(p, e.level === 'error' ? 'logError' : e.level === 'warn' ? 'logWarn' : 'logInfo', esc(sanitize(e.text)))}`;
      return view?.match === from + i ? `{inverse}${text}{/inverse}` : text;
    });
    if (view?.editing) lines.push(`${fg(p, 'helpKey', '/')}${esc(sanitize(view.search))}█`);
    const label = view ? ` ▶ events${view.offset ? ` (${view.offset} newer below)` : ''} — ↑↓ PgUp PgDn scroll, / search, n next, Esc back ` : ' events ';
    if (this.logLabel !== label) this.logBox.setLabel((this.logLabel = label));
    this.logBox.style.border = { fg: color(p, view ? 'borderFocus' : 'border') } as never;
    setText(this.logBox, lines.join('\n'));
  }

  drawStatus(text: string): void {
    setText(this.statusBar, text);
  }

  dispose(): void {
    this.d.dispose();
  }
}
