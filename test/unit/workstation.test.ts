import { describe, expect, it } from 'vitest';
import { effectiveKeymap, KEYED_COMMANDS } from '../../src/commands/keytable.js';
import { commandFor, resolveKeymap } from '../../src/commands/keymap.js';
import { Lifecycle } from '../../src/commands/lifecycle.js';
import { containerWorkload, jobId, parseWorkloadKey, workloadKey, workloadLabel, type Workload } from '../../src/core/workload.js';
import { statusLine, type StatusFacts } from '../../src/presentation/statusLine.js';
import { filterKey, markAll, moveSelection, toggleMark } from '../../src/state/listActions.js';
import { AppStore } from '../../src/state/store.js';
import { KeyRouter, type KeyPress } from '../../src/ui/keyRouter.js';

const row = (name: string, state: Workload['state'] = 'RUNNING'): Workload =>
  containerWorkload({ name, state, pid: state === 'STOPPED' ? null : 1, ipv4: [], ipv6: [], unprivileged: false, autostart: false, groups: [], memoryBytes: null, cpuSeconds: null });

describe('typed workloads', () => {
  it('keys and labels tell containers and jobs apart without parsing names', () => {
    expect(workloadKey(jobId('build'))).toBe('job:build');
    expect(parseWorkloadKey('container:job:x')).toEqual({ kind: 'container', name: 'job:x' });
    expect(parseWorkloadKey('nope')).toBeNull();
    expect(workloadLabel(jobId('build'))).toBe('job:build');
    expect(workloadLabel(row('web').id)).toBe('web');
    // a container may be named like a job's label: still a container
    expect(row('job:web').key).toBe('container:job:web');
  });

  it('the store logs outside changes by label and keeps marks by key', () => {
    const s = new AppStore();
    s.setWorkloads([row('a'), row('b')]);
    s.marked.add('container:b');
    s.setWorkloads([row('a', 'FROZEN')]);
    expect(s.log.map((e) => e.text)).toEqual(['a: RUNNING → FROZEN', 'b was destroyed']);
    expect(s.marked.size).toBe(0);
    expect(s.targets().map((w) => w.name)).toEqual(['a']);
  });
});

describe('keymap scopes', () => {
  it('every mode key resolves in its own scope, shadowing the shared keys', () => {
    const km = effectiveKeymap({});
    expect(km.problems).toEqual([]);
    expect(km.byKey.get('q')).toBe('app.quit');
    expect(commandFor(km, 'scroll', 'q')).toBe('scroll.leave');
    expect(commandFor(km, 'palette', 'enter')).toBe('palette.run');
    expect(commandFor(km, 'list', 'enter')).toBe('view.details');
    // every command of every scope has keys that resolve back to it
    for (const c of KEYED_COMMANDS) for (const k of km.byCommand.get(c.id) ?? []) expect([c.id, commandFor(km, c.scope, k) !== undefined]).toEqual([c.id, true]);
  });

  it('an override clashes only with keys live at the same time', () => {
    const defaults = [
      { id: 'app.quit', keys: ['q'], scope: 'global' },
      { id: 'scroll.leave', keys: ['escape'], scope: 'scroll' },
      { id: 'list.x', keys: ['x'], scope: 'list' },
    ];
    const ok = resolveKeymap(defaults, { 'scroll.leave': ['q'] });
    expect(ok.problems).toEqual([]);
    expect(commandFor(ok, 'scroll', 'q')).toBe('scroll.leave');
    const clash = resolveKeymap(defaults, { 'list.x': ['q'] });
    expect(clash.problems[0]).toMatch(/q is already bound to app.quit/);
    expect(clash.byKey.get('x')).toBe('list.x');
  });

  it('scroll-mode keys can be overridden from the settings', () => {
    const km = effectiveKeymap({ 'scroll.leave': ['x'] });
    expect(commandFor(km, 'scroll', 'x')).toBe('scroll.leave');
    expect(commandFor(km, 'scroll', 'q')).toBeUndefined();
  });
});

describe('key router', () => {
  const press = (name: string): [string, { full: string; name: string }] => [name, { full: name, name }];
  it('gives a key to the topmost active mode that takes it, and names Shift+letter as the letter', () => {
    const r = new KeyRouter();
    const got: string[] = [];
    let overlay = false;
    r.push({ id: 'list', active: () => true, handle: (k: KeyPress) => (got.push(`list:${k.name}`), true) });
    r.push({ id: 'overlay', active: () => overlay, handle: (k: KeyPress) => (got.push(`overlay:${k.name}`), true) });
    r.push({ id: 'picky', active: () => true, handle: (k: KeyPress) => k.name === 'z' && (got.push('picky'), true) });
    r.dispatch(...(press('a') as [string, never]));
    overlay = true;
    r.dispatch(...(press('a') as [string, never]));
    r.dispatch('z', { full: 'z', name: 'z' } as never);
    r.dispatch('T', { full: 'S-t', name: 't' } as never);
    r.dispatch(undefined, { full: 'return', name: 'return' } as never);
    expect(got).toEqual(['list:a', 'overlay:a', 'picky', 'overlay:T']);
    expect(r.current()).toBe('picky');
  });
});

describe('list actions', () => {
  it('moves, marks and filters through the store', () => {
    const s = new AppStore();
    s.setWorkloads([row('a'), row('b'), row('c')]);
    const shown = s.workloads.map((w) => w.key);
    moveSelection(s, shown, 'bottom', 10);
    expect(s.selected).toBe('container:c');
    moveSelection(s, shown, 'page-up', 10);
    expect(s.selected).toBe('container:a');
    toggleMark(s, shown, 10);
    expect([...s.marked]).toEqual(['container:a']);
    expect(s.selected).toBe('container:b');
    markAll(s, shown);
    expect(s.marked.size).toBe(0);
    s.filterEditing = true;
    filterKey(s, undefined, 'w');
    filterKey(s, undefined, 'x');
    filterKey(s, 'filter.delete-char', null);
    filterKey(s, 'filter.keep', null);
    expect([s.filter, s.filterEditing]).toEqual(['w', false]);
  });
});

describe('lifecycle', () => {
  it('runs container verbs on the backend and job verbs on the jobs, one log line each way', async () => {
    const calls: string[] = [];
    const logs: string[] = [];
    const backend = {
      lxcpath: '/x',
      list: () => [],
      info: () => {
        throw new Error('unused');
      },
      start: async (n: string) => void calls.push(`start ${n}`),
      stop: async (n: string) => void calls.push(`stop ${n}`),
      kill: async () => {
        throw new Error('no such luck');
      },
      freeze: async (n: string) => void calls.push(`freeze ${n}`),
      thaw: async (n: string) => void calls.push(`thaw ${n}`),
    };
    const jobs = { list: () => [], freeze: async (n: string) => void calls.push(`job freeze ${n}`), thaw: async () => undefined, kill: async () => undefined };
    let settled = 0;
    const said: string[] = [];
    const lc = new Lifecycle({ backend, jobs, log: (_l, t) => logs.push(t), say: (t) => said.push(t), refresh: () => undefined, busyChanged: () => settled++ });
    const job: Workload = { ...row('build'), id: jobId('build'), key: 'job:build' };
    lc.run('restart', [row('a')]);
    lc.run('freeze-toggle', [row('b', 'FROZEN'), job]);
    lc.run('kill', [row('c')]);
    expect(lc.busy).toBe(4);
    await new Promise((r) => setTimeout(r, 10));
    expect(lc.busy).toBe(0);
    expect(calls).toEqual(['stop a', 'thaw b', 'job freeze build', 'start a']);
    expect(logs).toContain('kill c: Error: no such luck');
    // success is the status bar's; the log has the failure (and a refresh's state changes), one line each
    expect(said).toContain('freeze job:build: done');
    expect(logs).toEqual(['kill c: Error: no such luck']);
    expect(settled).toBe(8);
  });
});

describe('status line', () => {
  const base = (over: Partial<StatusFacts>): StatusFacts => ({
    palette: {},
    keymap: effectiveKeymap({}),
    filter: { editing: false, text: '' },
    prefixArmed: null,
    pane: null,
    rules: [],
    busy: 0,
    status: null,
    ...over,
  });
  it('says the mode and its keys from the keymap', () => {
    expect(statusLine(base({}))).toMatch(/^\? help {2}\/ filter/);
    expect(statusLine(base({ pane: { container: 'web', scroll: true } }))).toMatch(/SCROLL.*Pageup up.*q leave/);
    expect(statusLine(base({ keymap: effectiveKeymap({ 'scroll.leave': ['x'] }), pane: { container: 'web', scroll: true } }))).toMatch(/x leave/);
    expect(statusLine(base({ prefixArmed: 'C-b' }))).toMatch(/PREFIX.*% split right.*Ctrl-b sends it to the pane/);
    expect(statusLine(base({ filter: { editing: true, text: 'we{b' } }))).toMatch(/^.*we\{open\}b█/);
    expect(statusLine(base({ rules: [{ name: 'g', tripped: true }, { name: 'h', tripped: false }], busy: 2, status: { level: 'error', text: 'boom' } }))).toMatch(/rules.* 1 armed.*TRIPPED g.*working \(2\).*boom/);
  });
});
