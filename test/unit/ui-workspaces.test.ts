import { describe, expect, it } from 'vitest';
import { effectiveKeymap } from '../../src/commands/keytable.js';
import type { Workspace } from '../../src/core/workspace.js';
import { containerWorkload } from '../../src/core/workload.js';
import type { OpenPane, RestorePlan } from '../../src/pane/workspace.js';
import { MarkStore } from '../../src/state/marks.js';
import { AppStore } from '../../src/state/store.js';
import type { KeyPress } from '../../src/ui/keyRouter.js';
import { WorkspaceMarks } from '../../src/ui/workspaces.js';

const LIST = { filter: '', sort: { column: 'name', reverse: false }, group: false, selected: null };
const key = (ch: string, name = ch): KeyPress => ({ ch, name, key: { name, full: name, sequence: ch } as never });

/** WorkspaceMarks over a fake pane host: what is open, and what each arrange was asked to do. */
function setup(open: OpenPane[], marks: Record<string, Workspace>) {
  const store = new AppStore();
  store.setWorkloads(['web', 'db'].map((name) => containerWorkload({ name, state: 'RUNNING', pid: 1, ipv4: [], groups: [] } as never)));
  const arranged: { ws: Workspace; plan: RestorePlan }[] = [];
  const asked: { question: string; yes: () => void }[] = [];
  const saved: Record<string, unknown>[] = [];
  const panes = {
    openPanes: () => open,
    capture: () => ({ layout: open.length ? { dir: 'row', ratio: 0.5, a: 'main', b: 0 } : 'main', panes: open.slice(0, 1).map((p) => ({ kind: p.spec.kind, container: p.spec.container })), focus: 'main', zoomed: false }),
    arrange: async (ws: Workspace, plan: RestorePlan) => void arranged.push({ ws, plan }),
  };
  const overlays = { confirm: (question: string, yes: () => void) => asked.push({ question, yes }), close: () => undefined, open: () => undefined };
  const w = new WorkspaceMarks({
    screen: null as never,
    store,
    panes: panes as never,
    marks: new MarkStore(marks, (raw) => (saved.push(raw), null)),
    overlays: overlays as never,
    keymap: effectiveKeymap({}),
    changed: () => undefined,
  });
  return { w, store, arranged, asked, saved };
}

const mark = (containers: string[], extra: Partial<Workspace> = {}): Workspace => ({
  layout: containers.length === 0 ? 'main' : containers.length === 1 ? { dir: 'row', ratio: 0.3, a: 'main', b: 0 } : { dir: 'row', ratio: 0.3, a: 'main', b: { dir: 'column', ratio: 0.5, a: 0, b: 1 } },
  panes: containers.map((c) => ({ kind: 'shell', container: c })),
  focus: 'main',
  zoomed: false,
  list: LIST,
  ...extra,
});

describe('workspace marks in the TUI (key mode, store, restore)', () => {
  it('m then a letter stores what is on screen; a bad letter is one line and stores nothing', () => {
    const { w, store, saved } = setup([{ id: 'p1', spec: { kind: 'shell', container: 'web' }, running: true }], {});
    w.arm('store');
    expect(w.active()).toBe(true);
    expect(w.handle(key('a'))).toBe(true);
    expect(w.active()).toBe(false);
    expect(saved).toHaveLength(1);
    expect((saved[0]?.a as Workspace).panes).toEqual([{ kind: 'shell', container: 'web' }]);
    expect(store.activeMark).toBe('a');
    w.arm('store');
    w.handle(key('A', 'A'));
    expect(saved).toHaveLength(1);
    expect(store.status.get()?.text).toBe('"A" is not a mark: use a lowercase letter a–z; nothing stored');
    // Esc cancels quietly; with no mode armed the key is not taken
    w.arm('jump');
    w.handle(key('\x1b', 'escape'));
    expect(w.handle(key('a'))).toBe(false);
  });

  it("' then a letter restores with the list view and the tag; extra panes that still run are closed only after yes", () => {
    const open: OpenPane[] = [
      { id: 'p1', spec: { kind: 'shell', container: 'web' }, running: true },
      { id: 'p2', spec: { kind: 'shell', container: 'db' }, running: true },
    ];
    const { w, store, arranged, asked } = setup(open, { b: mark(['web'], { list: { ...LIST, filter: 'we', group: true, sort: { column: 'cpu', reverse: true } }, tag: { names: ['web'] } }) });
    w.arm('jump');
    w.handle(key('b'));
    expect(arranged).toHaveLength(0);
    expect(asked[0]?.question).toBe('Restore mark b: close 1 pane still running a program (db shell)?');
    expect(store.filter).toBe('');
    asked[0]?.yes();
    expect(arranged).toHaveLength(1);
    expect([...(arranged[0]?.plan.reuse ?? [])]).toEqual([[0, 'p1']]);
    expect(arranged[0]?.plan.close).toEqual(['p2']);
    expect(store.filter).toBe('we');
    expect(store.groupByGroup).toBe(true);
    expect(store.sort).toEqual({ column: 'cpu', reverse: true });
    expect(store.tag).toEqual({ names: ['web'] });
    expect(store.activeMark).toBe('b');
  });

  it("'' goes back to the workspace before the last jump, and forth again", () => {
    const { w, store, arranged } = setup([], { a: mark(['web']), b: mark(['web', 'db']) });
    w.arm('jump');
    w.handle(key("'"));
    expect(store.status.get()?.text).toMatch(/^no jump yet/);
    w.jump('a');
    w.jump('b');
    w.arm('jump');
    w.handle(key("'"));
    expect(store.activeMark).toBe('a');
    w.back();
    expect(store.activeMark).toBe('b');
    expect(arranged.map((x) => x.ws.panes.length)).toEqual([1, 2, 0, 0]);
  });

  it('at start: -w restores the mark; else the last workspace, only when the setting is on and it was taken in this lxcpath', () => {
    const last = { ...mark(['db']), lxcpath: '/var/lib/lxc' };
    let s = setup([], { a: mark(['web']) });
    s.w.startup('a', last, true, '/var/lib/lxc');
    expect(s.arranged.map((x) => x.ws.panes[0]?.container)).toEqual(['web']);
    s = setup([], {});
    s.w.startup(undefined, last, true, '/var/lib/lxc');
    expect(s.arranged.map((x) => x.ws.panes[0]?.container)).toEqual(['db']);
    s = setup([], {});
    s.w.startup(undefined, last, false, '/var/lib/lxc');
    s.w.startup(undefined, last, true, '/home/u/.local/share/lxc');
    expect(s.arranged).toEqual([]);
    s.w.startup(undefined, { panes: 7 }, true, '/var/lib/lxc');
    expect(s.store.status.get()?.text).toMatch(/^the last workspace panes is not a list/);
    s.w.startup('q', null, true, '/var/lib/lxc');
    expect(s.store.status.get()?.text).toMatch(/^--workspace q: there is no such mark/);
  });
});
