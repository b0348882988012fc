import { appendFileSync } from 'node:fs';
import type blessed from 'blessed';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import { isMarkLetter, markLetterError, parseWorkspace, tagFromText, tagText, type Workspace } from '../core/workspace.js';
import { planRestore } from '../pane/workspace.js';
import type { MarkStore } from '../state/marks.js';
import { SORT_COLUMNS, type AppStore, type SortColumn } from '../state/store.js';
import { typedChar, type KeyMode, type KeyPress } from './keyRouter.js';
import type { OverlayHost } from './overlayHost.js';
import { MarksDialog } from './marksDialog.js';
import type { PaneHost } from './paneHost.js';
import type { Palette } from './style.js';

export interface WorkspaceDeps {
  screen: blessed.Widgets.Screen;
  store: AppStore;
  panes: PaneHost;
  marks: MarkStore;
  overlays: OverlayHost;
  keymap: ResolvedKeymap;
  /** The list was changed (filter, sort, selection): lay out and draw. */
  changed(): void;
}

/**
 * Workspace marks in the TUI: the key mode after `m` / `'` (the next key is
 * the mark's letter), storing what is on screen, and restoring a mark
 * through the pure restore plan (reuse, attach, close after asking).
 */
export class WorkspaceMarks implements KeyMode {
  readonly id = 'mark';
  private pending: 'store' | 'jump' | null = null;

  constructor(private readonly d: WorkspaceDeps) {}

  active(): boolean {
    return this.pending !== null;
  }

  get hasMarks(): boolean {
    return this.d.marks.rows().length > 0;
  }

  /** `m` or `'`: the next key names the mark. */
  arm(mode: 'store' | 'jump'): void {
    this.pending = mode;
    this.d.store.status.show('warn', mode === 'store' ? 'store the workspace under: a letter a–z (Esc: cancel)' : "restore the mark: a letter a–z, ' for the one before the last jump (Esc: cancel)");
    this.d.store.notify();
  }

  handle(k: KeyPress): boolean {
    const mode = this.pending;
    if (mode === null) return false;
    this.pending = null;
    this.d.store.status.clear();
    const id = commandFor(this.d.keymap, 'mark', k.name);
    const letter = typedChar(k);
    if (id === 'mark.back' && mode === 'jump') this.back();
    else if (id === 'mark.cancel') this.d.store.notify();
    else if (letter !== null && isMarkLetter(letter)) {
      if (mode === 'store') this.store(letter);
      else this.jump(letter);
    } else this.d.store.addLog('warn', `${markLetterError(letter ?? k.name)}; nothing ${mode === 'store' ? 'stored' : 'restored'}`);
    return true;
  }

  /** The marks overlay (workspace.marks). */
  openOverlay(palette: Palette): void {
    const { marks, keymap: km, overlays } = this.d;
    overlays.close();
    const dialog = new MarksDialog(
      this.d.screen,
      {
        rows: () => marks.rows(),
        jump: (letter) => this.jump(letter),
        rename: (from, to) => marks.rename(from, to),
        remove: (letter) => marks.remove(letter),
        retag: (letter, text) => {
          const t = tagFromText(text);
          return t.ok ? marks.retag(letter, t.value) : `tag ${t.error}`;
        },
        tagOf: (letter) => tagText(marks.get(letter)?.tag),
      },
      palette,
      { marks: (k) => commandFor(km, 'marks', k), form: (k) => commandFor(km, 'form', k), keysOf: (id) => km.byCommand.get(id) ?? [] },
    );
    overlays.open({ kind: 'marks' }, { key: (k) => dialog.key(k.ch, k.name), dispose: () => dialog.dispose(), resize: () => dialog.draw() });
  }

  /** What is on screen now, as a mark would keep it. */
  capture(): Workspace {
    const s = this.d.store;
    const tag = s.tag ?? undefined;
    return { ...this.d.panes.capture(), list: { filter: s.filter, sort: { ...s.sort }, group: s.groupByGroup, selected: s.selected }, ...(tag ? { tag } : {}) };
  }

  store(letter: string): void {
    const ws = this.capture();
    // storing again over a tagged mark keeps its tag
    const tag = this.d.marks.get(letter)?.tag ?? ws.tag;
    const err = this.d.marks.set(letter, { ...ws, ...(tag ? { tag } : {}), savedAt: new Date().toISOString() });
    if (err) return void this.d.store.addLog('warn', `mark ${letter}: ${err}`);
    this.d.store.activeMark = letter;
    this.d.marks.active = letter;
    this.d.store.addLog('info', `mark ${letter}: stored ${ws.panes.length} pane${ws.panes.length === 1 ? '' : 's'}`);
  }

  jump(letter: string): void {
    const ws = this.d.marks.get(letter);
    if (!ws) return void this.d.store.addLog('warn', `there is no mark ${letter}: store one with m${letter}, or see the marks overlay (W)`);
    this.restore(ws, letter, null, true);
  }

  /** `''`: back to the workspace before the last jump (and again: forth). */
  back(): void {
    const p = this.d.marks.previous;
    if (!p) return void this.d.store.addLog('warn', "no jump yet: '' goes back to the workspace before the last jump");
    this.restore(p.workspace, p.mark, null, true);
  }

  /** At start: `-w a`, else the last session's workspace when restoreLastWorkspace is on. */
  startup(letter: string | undefined, last: unknown, restoreLast: boolean, lxcpath: string): void {
    const note = 'attached afresh (the earlier session ended with lxcdeck)';
    if (letter !== undefined) {
      const ws = this.d.marks.get(letter);
      if (!ws) return void this.d.store.addLog('warn', `--workspace ${letter}: there is no such mark: 'lxcdeck workspace ls' lists them`);
      return this.restore(ws, letter, `mark ${letter}: ${note}`, false);
    }
    if (!restoreLast || last === null || last === undefined) return;
    const r = parseWorkspace(last);
    if (!r.ok) return void this.d.store.addLog('warn', `the last workspace ${r.error}: starting without it`);
    // another containers' directory (-P) has other containers: its panes would all be "not found"
    if (r.value.lxcpath !== undefined && r.value.lxcpath !== lxcpath) return;
    this.restore(r.value, null, `last workspace: ${note}`, false);
  }

  private restore(ws: Workspace, mark: string | null, note: string | null, remember: boolean): void {
    const plan = planRestore(this.d.panes.openPanes(), ws.panes);
    const go = () => {
      if (remember) this.d.marks.previous = { workspace: this.capture(), mark: this.d.store.activeMark };
      this.applyList(ws, mark);
      const t0 = performance.now();
      const name = mark === null ? 'the workspace' : `mark ${mark}`;
      void this.d.panes.arrange(ws, plan, note).then(
        () => {
          const line = `${name} restored: ${ws.panes.length} pane${ws.panes.length === 1 ? '' : 's'} (${plan.reuse.size} reused, ${plan.attach.length} attached, ${plan.close.length} closed) in ${Math.round(performance.now() - t0)} ms`;
          this.d.store.addLog('info', line);
          // the restore benchmark reads it (keypress to every new pane's first output)
          const trace = process.env.LXCDECK_TRACE_WORKSPACE;
          if (trace) appendFileSync(trace, `${line}\n`);
        },
        (e: unknown) => this.d.store.addLog('error', `${name}: ${e instanceof Error ? e.message : String(e)}`),
      );
    };
    if (!plan.running.length) return go();
    const what = this.d.panes.openPanes().filter((p) => plan.running.includes(p.id)).map((p) => `${p.spec.container} ${p.spec.kind}`);
    this.d.overlays.confirm(`Restore ${mark === null ? 'the workspace' : `mark ${mark}`}: close ${what.length} pane${what.length === 1 ? '' : 's'} still running a program (${what.join(', ')})?`, go);
  }

  private applyList(ws: Workspace, mark: string | null): void {
    const s = this.d.store;
    s.filter = ws.list.filter;
    s.filterEditing = false;
    if ((SORT_COLUMNS as readonly string[]).includes(ws.list.sort.column)) s.sort = { column: ws.list.sort.column as SortColumn, reverse: ws.list.sort.reverse };
    s.groupByGroup = ws.list.group;
    if (ws.list.selected && s.workload(ws.list.selected)) s.selected = ws.list.selected;
    s.tag = ws.tag ?? null;
    s.activeMark = mark;
    this.d.marks.active = mark;
    this.d.changed();
  }
}
