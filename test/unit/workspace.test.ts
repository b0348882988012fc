import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesTag, parseWorkspace, tagFromText, workspacePreview, type Workspace } from '../../src/core/workspace.js';
import { containerWorkload } from '../../src/core/workload.js';
import { MAIN, PaneLayout, type LayoutTree } from '../../src/pane/layout.js';
import type { PaneSpec } from '../../src/pane/session.js';
import { captureLayout, planRestore, treeFromJson } from '../../src/pane/workspace.js';
import { listItems } from '../../src/presentation/rows.js';
import { parseSettings } from '../../src/settings/settingsSchema.js';
import { MarkStore } from '../../src/state/marks.js';

const AREA = { x: 0, y: 1, w: 157, h: 43 };
const LIST = { filter: '', sort: { column: 'name', reverse: false }, group: false, selected: null };

/** Random layout trees with MAIN somewhere and panes p0..pn, random proportions. */
const trees: fc.Arbitrary<LayoutTree> = fc
  .tuple(fc.integer({ min: 0, max: 9 }), fc.infiniteStream(fc.tuple(fc.constantFrom<'row' | 'column'>('row', 'column'), fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.boolean(), fc.nat())))
  .map(([n, choices]) => {
    const ids = [MAIN, ...Array.from({ length: n }, (_, i) => `p${i}`)];
    // build by repeatedly splitting a random leaf, like the user does
    let tree: LayoutTree = { kind: 'leaf', id: MAIN };
    const it = choices[Symbol.iterator]();
    for (const id of ids.slice(1)) {
      const [dir, ratio, first, pick] = it.next().value as [('row' | 'column'), number, boolean, number];
      const leaves: string[] = [];
      const walk = (t: LayoutTree): void => void (t.kind === 'leaf' ? leaves.push(t.id) : (walk(t.a), walk(t.b)));
      walk(tree);
      const target = leaves[pick % leaves.length] as string;
      const split = (t: LayoutTree): LayoutTree => {
        if (t.kind === 'leaf') {
          if (t.id !== target) return t;
          const leaf: LayoutTree = { kind: 'leaf', id };
          return { kind: 'split', dir, ratio, a: first ? t : leaf, b: first ? leaf : t };
        }
        return { ...t, a: split(t.a), b: split(t.b) };
      };
      tree = split(tree);
    }
    return tree;
  });

const shell = (container: string): PaneSpec => ({ kind: 'shell', container });

describe('workspace layout serialisation', () => {
  it('round-trips random trees through a mark: the same tree, the same proportions, the same rects', () => {
    fc.assert(
      fc.property(trees, fc.nat(), fc.boolean(), (tree, f, zoom) => {
        const layout = new PaneLayout();
        const leaves = (() => {
          layout.setTree(tree, MAIN, null);
          return layout.leaves();
        })();
        const focused = leaves[f % leaves.length] as string;
        layout.setTree(tree, focused, zoom && focused !== MAIN ? focused : null);
        const specs = new Map(leaves.filter((id) => id !== MAIN).map((id) => [id, shell(`c-${id}`)]));
        const ws: Workspace = { ...captureLayout(layout.tree(), layout.focused, layout.zoomed, specs), list: LIST };
        // through the settings file: JSON text, then validation
        const stored = parseWorkspace(JSON.parse(JSON.stringify(ws)));
        expect(stored.ok).toBe(true);
        if (!stored.ok) return;
        const back = stored.value;
        // pane i comes back as a new id: map it to the container's original id
        const idOf = (i: number) => (back.panes[i]?.container ?? '').slice(2);
        const restored = new PaneLayout();
        restored.setTree(treeFromJson(back.layout, idOf), back.focus === 'main' ? MAIN : idOf(back.focus), back.zoomed && back.focus !== 'main' ? idOf(back.focus) : null);
        expect(restored.tree()).toEqual(tree);
        expect(restored.rects(AREA)).toEqual(layout.rects(AREA));
        expect(restored.focused).toBe(layout.focused);
        expect(restored.zoomed).toBe(layout.zoomed);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps where the last workspace was taken (its lxcpath) and when', () => {
    const raw = { layout: 'main', panes: [], focus: 'main', zoomed: false, list: LIST, lxcpath: '/var/lib/lxc', savedAt: '2026-12-01T08:00:00.000Z' };
    expect(parseWorkspace(raw)).toEqual({ ok: true, value: raw });
  });

  it('rejects corrupt layouts with one line each', () => {
    const base = { panes: [{ kind: 'shell', container: 'web' }], focus: 'main', zoomed: false, list: LIST };
    const cases: [unknown, RegExp][] = [
      [{ ...base, layout: { dir: 'row', ratio: 1.5, a: 'main', b: 0 } }, /ratio outside 0–1/],
      [{ ...base, layout: { dir: 'row', ratio: 0.5, a: 0, b: 0 } }, /places pane 0 twice/],
      [{ ...base, layout: 0 }, /no main view/],
      [{ ...base, layout: 'main' }, /does not place every pane/],
      [{ ...base, layout: { dir: 'diagonal', ratio: 0.5, a: 'main', b: 0 } }, /neither row nor column/],
      [{ ...base, panes: [{ kind: 'vnc', container: 'web' }], layout: { dir: 'row', ratio: 0.5, a: 'main', b: 0 } }, /pane 0 kind "vnc"/],
      [{ ...base, layout: { dir: 'row', ratio: 0.5, a: 'main', b: 0 }, focus: 3 }, /focus/],
      ['nonsense', /not an object/],
    ];
    for (const [raw, re] of cases) {
      const r = parseWorkspace(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toMatch(re);
        expect(r.error).not.toMatch(/\n/);
      }
    }
  });
});

describe('restore plan', () => {
  const open = [
    { id: 'p1', spec: shell('web'), running: true },
    { id: 'p2', spec: { kind: 'console', container: 'web', tty: 0 } as PaneSpec, running: true },
    { id: 'p3', spec: shell('db'), running: true },
    { id: 'p4', spec: shell('old'), running: false },
  ];

  it('reuses open panes of the same container and kind, attaches the missing, closes the rest (running ones to confirm)', () => {
    const plan = planRestore(open, [{ kind: 'shell', container: 'db' }, { kind: 'console', container: 'web' }, { kind: 'shell', container: 'cache' }, { kind: 'shell', container: 'db' }]);
    expect([...plan.reuse]).toEqual([
      [0, 'p3'],
      [1, 'p2'],
    ]);
    expect(plan.attach).toEqual([2, 3]);
    expect(plan.close).toEqual(['p1', 'p4']);
    expect(plan.running).toEqual(['p1']);
  });

  it('tells consoles apart by tty and shells by command', () => {
    const plan = planRestore(open, [{ kind: 'console', container: 'web', tty: 1 }, { kind: 'shell', container: 'web', command: ['/bin/ash'] }]);
    expect(plan.reuse.size).toBe(0);
    expect(plan.attach).toEqual([0, 1]);
  });

  it('restoring what is on screen changes nothing', () => {
    const plan = planRestore(open, open.map((p) => p.spec));
    expect(plan.attach).toEqual([]);
    expect(plan.close).toEqual([]);
    expect(plan.reuse.size).toBe(4);
  });
});

describe('mark store', () => {
  const good: Workspace = { layout: { dir: 'row', ratio: 0.3, a: 'main', b: 0 }, panes: [{ kind: 'shell', container: 'web' }], focus: 0, zoomed: false, list: LIST };

  it('keeps a corrupt mark as stored with one warning, the other marks usable, nothing lost on the next save', () => {
    const saved: Record<string, unknown>[] = [];
    const marks = new MarkStore({ a: good, b: { layout: 'main', panes: 'oops' }, '1': good }, (raw) => (saved.push(raw), null));
    expect(marks.get('a')).toEqual(good);
    expect(marks.get('b')).toBeUndefined();
    expect(marks.warnings).toHaveLength(2);
    // (integer-like keys come first in a JS object)
    expect(marks.warnings[0]).toMatch(/^mark 1: "1" is not a mark: use a lowercase letter a–z/);
    expect(marks.warnings[1]).toMatch(/^mark b: panes is not a list/);
    for (const w of marks.warnings) expect(w).not.toMatch(/\n/);
    expect(marks.set('c', good)).toBeNull();
    expect(saved[0]).toMatchObject({ a: good, b: { layout: 'main', panes: 'oops' }, '1': good });
    expect(Object.keys(saved[0] ?? {}).sort()).toEqual(['1', 'a', 'b', 'c']);
    expect(marks.rows().map((r) => [r.letter, r.workspace !== null])).toEqual([
      ['1', false],
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
  });

  it('refuses a bad letter and changes nothing; a failed save is undone', () => {
    let fail = false;
    const marks = new MarkStore({}, () => (fail ? 'cannot save settings: disk full' : null));
    expect(marks.set('A', good)).toMatch(/"A" is not a mark/);
    expect(marks.set('ab', good)).toMatch(/"ab" is not a mark/);
    expect(marks.rows()).toEqual([]);
    expect(marks.set('a', good)).toBeNull();
    fail = true;
    expect(marks.remove('a')).toMatch(/disk full/);
    expect(marks.get('a')).toBeDefined();
    expect(marks.rename('a', 'b')).toMatch(/disk full/);
    expect(marks.get('b')).toBeUndefined();
  });

  it('renames, tags and deletes', () => {
    const marks = new MarkStore({ a: good, b: good }, () => null);
    expect(marks.rename('a', 'b')).toMatch(/mark b exists already/);
    expect(marks.rename('a', 'z')).toBeNull();
    expect(marks.get('a')).toBeUndefined();
    expect(marks.retag('z', { glob: 'web-*' })).toBeNull();
    expect(workspacePreview(marks.get('z') as Workspace)).toBe('1 pane · web · tag web-*');
    expect(marks.retag('z', null)).toBeNull();
    expect(marks.get('z')?.tag).toBeUndefined();
    expect(marks.remove('q')).toMatch(/there is no mark q/);
    expect(marks.remove('z')).toBeNull();
    expect(marks.rows().map((r) => r.letter)).toEqual(['b']);
  });

  it('the settings accept marks, restoreLastWorkspace and lastWorkspace, and reject bad ones', () => {
    const { settings, problems } = parseSettings({ marks: { a: good }, restoreLastWorkspace: false, lastWorkspace: good });
    expect(problems).toEqual([]);
    expect(settings.restoreLastWorkspace).toBe(false);
    const bad = parseSettings({ marks: [], restoreLastWorkspace: 'yes' });
    expect(bad.problems).toHaveLength(2);
    expect(bad.settings.marks).toEqual({});
    expect(bad.settings.restoreLastWorkspace).toBe(true);
  });
});

describe('tagged views', () => {
  it('reads names, globs and groups from text', () => {
    expect(tagFromText('web, db')).toEqual({ ok: true, value: { names: ['web', 'db'] } });
    expect(tagFromText('web-*')).toEqual({ ok: true, value: { glob: 'web-*' } });
    expect(tagFromText('group=stack')).toEqual({ ok: true, value: { group: 'stack' } });
    expect(tagFromText('  ')).toEqual({ ok: true, value: null });
    expect(tagFromText('group=').ok).toBe(false);
  });

  it('narrows the list to the tag: names, a glob (only whole names) or an lxc.group', () => {
    const c = (name: string, groups: string[] = []) => containerWorkload({ name, state: 'RUNNING', pid: 1, ipv4: [], groups } as never);
    const rows = [c('web-1'), c('web-2'), c('db', ['stack']), c('xweb-1')];
    const shown = (tag: Parameters<typeof matchesTag>[1]) => listItems(rows, { filter: '', sort: { column: 'name', reverse: false }, groupByGroup: false, tag }, () => undefined).map((i) => (i.kind === 'row' ? i.workload.id.name : ''));
    expect(shown({ glob: 'web-*' })).toEqual(['web-1', 'web-2']);
    expect(shown({ group: 'stack' })).toEqual(['db']);
    expect(shown({ names: ['db', 'web-2'] })).toEqual(['db', 'web-2']);
    expect(matchesTag({ name: 'web.1', groups: [] }, { glob: 'web?1' })).toBe(true);
    expect(matchesTag({ name: 'webx1', groups: [] }, { glob: 'web.1' })).toBe(false);
  });
});
