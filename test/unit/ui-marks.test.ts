import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import { afterEach, describe, expect, it } from 'vitest';
import { commandFor } from '../../src/commands/keymap.js';
import { effectiveKeymap, KEYED_COMMANDS } from '../../src/commands/keytable.js';
import { defaultRegistry } from '../../src/commands/table.js';
import { tagFromText, tagText, type Workspace } from '../../src/core/workspace.js';
import { MarkStore } from '../../src/state/marks.js';
import { MarksDialog } from '../../src/ui/marksDialog.js';

const PALETTE = { title: 'default', dim: 'default', helpKey: 'default', logError: 'red', stateRunning: 'green' };
const LIST = { filter: '', sort: { column: 'name', reverse: false }, group: false, selected: null };
const ws = (containers: string[]): Workspace => ({
  layout: containers.length ? { dir: 'row', ratio: 0.5, a: 'main', b: 0 } : 'main',
  panes: containers.slice(0, 1).map((c) => ({ kind: 'shell', container: c })),
  focus: 'main',
  zoomed: false,
  list: { ...LIST, filter: containers.length ? '' : 'db' },
});

let screen: blessed.Widgets.Screen | null = null;
afterEach(() => {
  screen?.destroy();
  screen = null;
});

function makeScreen(columns = 100, rows = 24): blessed.Widgets.Screen {
  const output = Object.assign(new PassThrough(), { columns, rows, isTTY: true });
  screen = blessed.screen({ input: new PassThrough() as never, output: output as never, terminal: 'xterm', warnings: false });
  return screen;
}

function textOf(s: blessed.Widgets.Screen): string {
  s.render();
  const rows = (s as unknown as { lines: [number, string][][] }).lines.map((l) => l.map((c) => c[1]).join('').trimEnd());
  return rows.map((r) => r.replace(/[│┌┐└┘─]/g, ' ').trim()).filter(Boolean).join(' ').replace(/\s+/g, ' ');
}

function dialog(marks: MarkStore, jumped: string[]) {
  const km = effectiveKeymap({});
  return new MarksDialog(
    makeScreen(),
    {
      rows: () => marks.rows(),
      jump: (l) => jumped.push(l),
      rename: (a, b) => marks.rename(a, b),
      remove: (l) => marks.remove(l),
      retag: (l, text) => {
        const t = tagFromText(text);
        return t.ok ? marks.retag(l, t.value) : `tag ${t.error}`;
      },
      tagOf: (l) => tagText(marks.get(l)?.tag),
    },
    PALETTE as never,
    { marks: (k) => commandFor(km, 'marks', k), form: (k) => commandFor(km, 'form', k), keysOf: (id) => km.byCommand.get(id) ?? [] },
  );
}

const type = (d: MarksDialog, text: string) => {
  for (const ch of text) d.key(ch, ch);
};

describe('the marks overlay', () => {
  it('is a command in help and the palette: workspace.marks, with m and \' as keyed commands', () => {
    expect(defaultRegistry().get('workspace.marks')).toBeDefined();
    const ids = KEYED_COMMANDS.map((c) => c.id);
    for (const id of ['workspace.store', 'workspace.jump', 'workspace.marks', 'mark.back', 'marks.rename', 'marks.delete', 'pane.start-container']) expect(ids).toContain(id);
    const km = effectiveKeymap({});
    expect(km.problems).toEqual([]);
    expect(km.byKey.get('m')).toBe('workspace.store');
    expect(km.byKey.get("'")).toBe('workspace.jump');
    expect(km.byKey.get("C-b '")).toBe('workspace.jump');
    expect(commandFor(km, 'mark', "'")).toBe('mark.back');
  });

  it('lists every mark with a preview, corrupt ones with their problem; renames, tags, deletes and jumps', () => {
    const marks = new MarkStore({ a: ws(['web']), c: ws([]), x: { panes: 1 } }, () => null);
    const jumped: string[] = [];
    const d = dialog(marks, jumped);
    const shown = textOf(screen as blessed.Widgets.Screen);
    expect(shown).toContain('a 1 pane · web');
    expect(shown).toContain('c 0 panes · filter "db"');
    expect(shown).toMatch(/x corrupt: panes is not a list/);
    expect(shown).toContain('Enter jump');
    // rename a to b: a form of the form kit; a taken or bad letter is refused in the form
    d.key('r', 'r');
    expect(textOf(screen as blessed.Widgets.Screen)).toContain('rename mark a');
    type(d, 'C');
    d.key(undefined, 'enter');
    expect(textOf(screen as blessed.Widgets.Screen)).toContain('"C" is not a mark');
    d.key(undefined, 'backspace');
    type(d, 'c');
    d.key(undefined, 'enter');
    expect(textOf(screen as blessed.Widgets.Screen)).toContain('mark c exists already');
    d.key(undefined, 'backspace');
    type(d, 'b');
    d.key(undefined, 'enter');
    expect(marks.get('b')?.panes[0]?.container).toBe('web');
    expect(marks.get('a')).toBeUndefined();
    // tag it
    d.key('t', 't');
    type(d, 'web-*');
    d.key(undefined, 'enter');
    expect(marks.get('b')?.tag).toEqual({ glob: 'web-*' });
    expect(textOf(screen as blessed.Widgets.Screen)).toContain('b 1 pane · web · tag web-*');
    // the corrupt one cannot be jumped to, only deleted
    d.key('j', 'j');
    d.key('j', 'j');
    expect(d.key(undefined, 'enter')).toBeUndefined();
    expect(textOf(screen as blessed.Widgets.Screen)).toContain('mark x is corrupt');
    d.key('d', 'd');
    expect(marks.rows().map((r) => r.letter)).toEqual(['b', 'c']);
    d.key('k', 'k');
    d.key('k', 'k');
    expect(d.key(undefined, 'enter')).toBe('close');
    expect(jumped).toEqual(['b']);
    d.dispose();
  });
});
