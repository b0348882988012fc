import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import { afterEach, describe, expect, it } from 'vitest';
import { defineForm, numberField, sizeField, textField, choiceField } from '../../src/core/fields.js';
import { FORM_COMMANDS, scopeResolver } from '../../src/commands/formCommands.js';
import { FormView } from '../../src/ui/form.js';
import { RulesDialog, type RuleDraft, type RuleRow, type RulesDialogActions } from '../../src/ui/rulesDialog.js';

const PALETTE = { title: 'default', dim: 'default', helpKey: 'default', logError: 'red', stateRunning: 'green' };

let screen: blessed.Widgets.Screen | null = null;
afterEach(() => {
  screen?.destroy();
  screen = null;
});

function makeScreen(columns = 80, rows = 24): blessed.Widgets.Screen {
  const output = Object.assign(new PassThrough(), { columns, rows, isTTY: true });
  screen = blessed.screen({ input: new PassThrough() as never, output: output as never, terminal: 'xterm', warnings: false });
  return screen;
}

/** The screen's visible text, one string per row, after a render (the app's scheduler does this). */
function rowsOf(s: blessed.Widgets.Screen): string[] {
  s.render();
  return (s as unknown as { lines: [number, string][][] }).lines.map((l) => l.map((c) => c[1]).join('').trimEnd());
}

/** Everything the screen shows as one line of words (wrapped lines joined again). */
function textOf(rows: string[]): string {
  return rows.map((r) => r.replace(/[│┌┐└┘─]/g, ' ').trim()).filter(Boolean).join(' ').replace(/\s+/g, ' ');
}

/** The row just under the row that shows `label` (where the field's error goes). */
function under(rows: string[], label: string): string {
  const i = rows.findIndex((r) => r.includes(label));
  expect(i, `no row shows ${label}`).toBeGreaterThanOrEqual(0);
  return rows[i + 1] ?? '';
}

/** Types text as blessed reports it: printable characters with their name. */
function type(v: FormView<never> | RulesDialog | { key(ch: string | undefined, name: string): unknown }, text: string) {
  for (const ch of text) v.key(ch, ch);
}

const spec = defineForm(
  [
    textField({ key: 'name', label: 'name', hint: 'a short name', required: true }),
    sizeField({ key: 'mem', label: 'memory', hint: 'e.g. 512M' }),
    choiceField({ key: 'proto', label: 'protocol', choices: ['tcp', 'udp'] }),
    numberField({ key: 'high', label: 'high' }),
    numberField({ key: 'low', label: 'low' }),
  ],
  (v) => (v.low < v.high ? [] : [{ key: 'low', error: `low ${v.low} is not below high ${v.high}: lower it` }]),
);

describe('FormView on a real blessed screen', () => {
  it('shows the error under the field on the keystroke that makes it invalid, and drops it when fixed', () => {
    const s = makeScreen();
    const form = new FormView(s, PALETTE, spec, { label: ' limits ', heading: 'container limits', initial: { name: 'web', mem: '512', high: '9', low: '1' } });
    form.key('\t', 'tab');
    let rows = rowsOf(s);
    expect(rows.some((r) => r.includes('container limits'))).toBe(true);
    expect(under(rows, '▸ memory')).toContain('e.g. 512M'); // the hint of the focused field
    expect(rows.some((r) => r.includes('✗'))).toBe(false);
    type(form, 'M');
    rows = rowsOf(s);
    expect(rows.find((r) => r.includes('▸ memory'))).toContain('512M█');
    expect(rows.some((r) => r.includes('✗'))).toBe(false);
    type(form, 'x');
    rows = rowsOf(s);
    expect(textOf(rows)).toContain('✗ "512Mx" is not a size: use a whole number of bytes with an optional unit K, M, G, T (or kB, MiB, ...), e.g. 512M');
    const errorRow = rows.findIndex((r) => r.includes('✗ "512Mx" is not a size'));
    expect(errorRow).toBe(rows.findIndex((r) => r.includes('▸ memory')) + 2); // label, hint, error
    form.key('\x7f', 'backspace');
    rows = rowsOf(s);
    expect(rows.some((r) => r.includes('✗'))).toBe(false);
    form.dispose();
  });

  it('shows a cross-field error under the field it names; Enter keeps the form open and focuses the first bad field', () => {
    const s = makeScreen();
    const form = new FormView(s, PALETTE, spec, { label: ' limits ', heading: 'limits', initial: { name: 'web', mem: '1G', high: '9', low: '1' } });
    for (let i = 0; i < 4; i++) form.key(undefined, 'down');
    type(form, '0'); // low 10 >= high 9
    let rows = rowsOf(s);
    expect(under(rows, '▸ low').trim().length > 0 && textOf(rows).includes('✗ low 10 is not below high 9: lower it')).toBe(true);
    form.key(undefined, 'up');
    form.key(undefined, 'up');
    form.key(undefined, 'up');
    form.key(undefined, 'up');
    form.key('\x15', 'C-u'); // the name is now empty
    form.key(undefined, 'down');
    expect(form.key('\r', 'enter')).toBeUndefined();
    rows = rowsOf(s);
    expect(rows.find((r) => r.includes('▸'))).toContain('name'); // back on the first bad field
    expect(under(rows, '▸ name')).toContain('a short name');
    expect(rows.some((r) => r.includes('✗ name is empty: type a value'))).toBe(true);
    type(form, 'db');
    form.key(undefined, 'S-tab'); // wraps to low
    form.key('\x7f', 'backspace'); // low 1 again
    expect(form.key('\r', 'enter')).toBe('submit');
    expect(form.state.values()).toEqual({ name: 'db', mem: 2 ** 30, proto: 'tcp', high: 9, low: 1 });
    expect(form.key('\x1b', 'escape')).toBe('cancel');
    form.dispose();
  });

  it('left/right cycle a choice; letters bound nowhere are typed; keys come from the resolver', () => {
    const s = makeScreen();
    // an override: Ctrl-N goes to the next field, Tab is then typed like any unbound key would be ignored
    const resolve = scopeResolver(FORM_COMMANDS, { 'form.next-field': ['C-n'] });
    const form = new FormView(s, PALETTE, spec, { label: ' x ', heading: 'x', initial: { name: '', mem: '1G', high: '2', low: '1' }, resolve });
    type(form, 'qjk '); // no letter is a form command
    expect(form.state.value(0)).toBe('qjk ');
    form.key('\t', 'tab');
    expect(form.state.focus).toBe(0);
    form.key(undefined, 'C-n');
    form.key(undefined, 'C-n');
    form.key(undefined, 'right');
    let rows = rowsOf(s);
    expect(rows.find((r) => r.includes('▸ protocol'))).toContain('◂ udp ▸');
    expect(rows.some((r) => r.includes('Ctrl-n next field'))).toBe(true); // the footer shows the effective key
    form.key(undefined, 'left');
    rows = rowsOf(s);
    expect(rows.find((r) => r.includes('▸ protocol'))).toContain('◂ tcp ▸');
    form.dispose();
  });

  it('the cursor is drawn where the caret is, and a long value scrolls to keep it in view', () => {
    const s = makeScreen();
    const form = new FormView(s, PALETTE, spec, { label: ' x ', heading: 'x', initial: { name: 'abcd', mem: '1G', high: '2', low: '1' } });
    form.key(undefined, 'left');
    form.key(undefined, 'left');
    let row = rowsOf(s).find((r) => r.includes('▸ name')) ?? '';
    expect(row).toContain('abcd'); // the c is under the cursor (inverse), no block after the text
    expect(row).not.toContain('█');
    type(form, 'X');
    row = rowsOf(s).find((r) => r.includes('▸ name')) ?? '';
    expect(row).toContain('abXcd');
    form.key(undefined, 'end');
    type(form, 'z'.repeat(100));
    row = rowsOf(s).find((r) => r.includes('▸ name')) ?? '';
    expect(row).toMatch(/…z+█/);
    form.key(undefined, 'home');
    row = rowsOf(s).find((r) => r.includes('▸ name')) ?? '';
    expect(row).toContain('abXcdzzz');
    expect(row).not.toContain('…');
    form.dispose();
  });

  it('a preview page in the same box: scrolls, Enter confirms, Esc goes back to the form', () => {
    const s = makeScreen(80, 16);
    const form = new FormView(s, PALETTE, spec, { label: ' net ', heading: 'new network', initial: { name: 'n', mem: '1G', high: '2', low: '1' } });
    const plan = Array.from({ length: 40 }, (_, i) => `step ${i + 1}: ip link add br${i}`).join('\n');
    form.showPreview('the plan', plan);
    let rows = rowsOf(s);
    expect(form.page).toBe('preview');
    expect(rows.some((r) => r.includes('step 1: ip link add br0'))).toBe(true);
    expect(textOf(rows)).toContain('1-8 of 40 lines, ↑↓ scroll');
    form.key(undefined, 'pagedown');
    rows = rowsOf(s);
    expect(rows.some((r) => r.includes('step 1: '))).toBe(false);
    form.key(undefined, 'end'); // bound to nothing on the preview page
    expect(form.key(undefined, 'escape')).toBe('back');
    rows = rowsOf(s);
    expect(rows.some((r) => r.includes('▸ name'))).toBe(true);
    form.showPreview('the plan', 'one step');
    expect(form.key('\r', 'enter')).toBe('confirm');
    form.dispose();
  });

  it('an error that quotes a long pasted value takes at most three rows', () => {
    const s = makeScreen();
    const form = new FormView(s, PALETTE, spec, { label: ' x ', heading: 'x', initial: { name: 'a', mem: '1G', high: '2', low: '1' } });
    form.key(undefined, 'tab');
    type(form, 'y'.repeat(400));
    const rows = rowsOf(s);
    const first = rows.findIndex((r) => r.includes('✗ "1Gyyy'));
    expect(first).toBeGreaterThan(0);
    expect(rows[first + 2]).toMatch(/…\s*│$/);
    expect(rows[first + 3]).toContain('protocol');
    form.dispose();
  });

  it('never renders by itself (one scheduler renders)', () => {
    const s = makeScreen();
    let renders = 0;
    s.on('prerender', () => renders++);
    const form = new FormView(s, PALETTE, spec, { label: ' x ', heading: 'x' });
    type(form, 'abc');
    form.showError('saving failed: try again');
    form.showPreview('p', 'x');
    form.key(undefined, 'escape');
    expect(renders).toBe(0);
    form.dispose();
  });
});

class FakeRules implements RulesDialogActions {
  list: RuleRow[] = [];
  saved: RuleDraft[] = [];
  refuse: string | null = null;
  rows(): RuleRow[] {
    return this.list;
  }
  add(d: RuleDraft): string | null {
    if (this.refuse) return this.refuse;
    this.saved.push(d);
    this.list.push({ name: d.name || `rule${this.list.length + 1}`, source: d.source, target: d.target, high: Number(d.high), low: Number(d.low), tripped: false });
    return null;
  }
  remove(name: string): string | null {
    this.list = this.list.filter((r) => r.name !== name);
    return null;
  }
}

describe('RulesDialog on the form kit', () => {
  it('opens on the list even with no rules (Enter arms nothing); a bad mark shows under its field as typed; saving lands in the list', () => {
    const s = makeScreen(100, 30);
    const actions = new FakeRules();
    const d = new RulesDialog(s, actions, PALETTE, { target: 'job:build' });
    let rows = rowsOf(s);
    expect(rows.some((r) => r.includes('No freeze rules yet. a adds one'))).toBe(true);
    expect(rows.some((r) => r.includes('new freeze rule'))).toBe(false);
    d.key('\r', 'enter');
    expect(actions.saved).toEqual([]);
    d.key('a', 'a');
    rows = rowsOf(s);
    expect(rows.some((r) => r.includes('new freeze rule'))).toBe(true);
    expect(rows.find((r) => r.includes('▸ source'))).toContain('thermal:0█');
    d.key(undefined, 'down');
    d.key(undefined, 'down');
    type(d, 'x');
    rows = rowsOf(s);
    expect(under(rows, '▸ freeze above')).toContain('the high mark');
    expect(rows.some((r) => r.includes('✗ "93x" is not a number'))).toBe(true);
    d.key('\x7f', 'backspace');
    d.key(undefined, 'tab');
    d.key('\x15', 'C-u');
    type(d, '95');
    rows = rowsOf(s);
    expect(textOf(rows)).toContain('✗ low mark 95 is not below the high mark 93: give a low mark smaller than 93');
    expect(d.key('\r', 'enter')).toBeUndefined();
    expect(actions.saved).toEqual([]); // nothing saved while a field is bad
    d.key('\x7f', 'backspace');
    d.key('\x7f', 'backspace');
    type(d, '80');
    d.key(undefined, 'tab');
    type(d, 'guard');
    expect(d.key('\r', 'enter')).toBeUndefined();
    expect(actions.saved).toEqual([{ source: 'thermal:0', target: 'job:build', high: '93', low: '80', name: 'guard' }]);
    rows = rowsOf(s);
    expect(rows.some((r) => /armed\s+guard/.test(r))).toBe(true);
    expect(rows.some((r) => r.includes('a add   d delete'))).toBe(true);
    // delete asks first: another key keeps the rule, y deletes it
    d.key('d', 'd');
    expect(rowsOf(s).some((r) => r.includes('Delete rule guard? y yes, any other key no'))).toBe(true);
    d.key('n', 'n');
    expect(actions.list.map((r) => r.name)).toEqual(['guard']);
    d.key('d', 'd');
    d.key('y', 'y');
    expect(actions.list).toEqual([]);
    d.dispose();
  });

  it('an error from saving stays in the form; list keys come from the rules scope', () => {
    const s = makeScreen(100, 30);
    const actions = new FakeRules();
    actions.list.push({ name: 'old', source: 'thermal:0', target: 'jobs:*', high: 93, low: 89, tripped: true });
    const d = new RulesDialog(s, actions, PALETTE, {}, { rules: scopeResolver([{ id: 'rules.add', title: 'add', scope: 'rules', keys: ['n'] }, { id: 'rules.close', title: 'close', scope: 'rules', keys: ['escape'] }]) });
    expect(rowsOf(s).some((r) => /TRIPPED\s+old/.test(r))).toBe(true);
    expect(d.key('a', 'a')).toBeUndefined(); // not bound in this resolver
    expect(rowsOf(s).some((r) => r.includes('new freeze rule'))).toBe(false);
    d.key('n', 'n');
    actions.refuse = 'rule target: no container named x: pick one from the list';
    d.key('\r', 'enter');
    let rows = rowsOf(s);
    expect(textOf(rows)).toContain('rule target: no container named x: pick one from the list');
    type(d, '1'); // any edit clears it
    rows = rowsOf(s);
    expect(rows.some((r) => r.includes('no container named x'))).toBe(false);
    expect(d.key('\x1b', 'escape')).toBeUndefined(); // back to the list (there are rules)
    expect(d.key('\x1b', 'escape')).toBe('close');
    d.dispose();
  });
});
