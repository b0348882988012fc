import { describe, expect, it } from 'vitest';
import { choiceField, defineForm, numberField, sizeField, textField } from '../../src/core/fields.js';
import { FORM_COMMANDS, formAction, MODAL_COMMANDS, PREVIEW_COMMANDS, RULES_DIALOG_COMMANDS, scopeResolver } from '../../src/commands/formCommands.js';
import { isValidKey } from '../../src/commands/keymap.js';
import { FORM_ACTIONS, FormState } from '../../src/state/formState.js';
import { RULE_FORM } from '../../src/rules/ruleForm.js';

const spec = defineForm(
  [
    textField({ key: 'name', label: 'name', required: true }),
    choiceField({ key: 'proto', label: 'protocol', choices: ['tcp', 'udp', 'sctp'] }),
    numberField({ key: 'high', label: 'high' }),
    numberField({ key: 'low', label: 'low' }),
    sizeField({ key: 'mem', label: 'memory' }),
  ],
  (v) => (v.low < v.high ? [] : [{ key: 'low', error: `low ${v.low} is not below high ${v.high}: lower it` }]),
);

describe('form state', () => {
  it('starts at the first field with no errors shown, choices at their first value', () => {
    const s = new FormState(spec, { high: '93', low: '89', mem: '512M' });
    expect(s.focus).toBe(0);
    expect(s.value(1)).toBe('tcp');
    expect(s.fields.map((_, i) => s.errorAt(i))).toEqual([null, null, null, null, null]);
    // the empty name is an error already, only not shown before it is touched
    expect(s.result().ok).toBe(false);
  });

  it('types, deletes and clears in the focused field; the error follows every edit', () => {
    const s = new FormState(spec, { name: 'web', high: '93', low: '89', mem: '1G' });
    s.focusKey('mem');
    s.type('x');
    expect(s.value(4)).toBe('1Gx');
    expect(s.errorAt(4)).toBe('"1Gx" is not a size: use a whole number of bytes with an optional unit K, M, G, T (or kB, MiB, ...), e.g. 512M');
    s.backspace();
    expect(s.errorAt(4)).toBeNull();
    s.clear();
    expect(s.value(4)).toBe('');
    expect(s.errorAt(4)).toBe('memory is empty: type a size such as 512M');
  });

  it('edits at a caret of its own in each field, counting characters, not UTF-16 units', () => {
    const s = new FormState(spec, { name: 'ab' });
    expect(s.caret(0)).toBe(2);
    s.act('cursor-left');
    s.type('°');
    expect([s.value(0), s.caret(0)]).toEqual(['a°b', 2]);
    s.act('cursor-home');
    s.act('delete-forward');
    expect([s.value(0), s.caret(0)]).toEqual(['°b', 0]);
    s.act('delete-back'); // nothing before the caret
    expect(s.value(0)).toBe('°b');
    s.act('cursor-right');
    s.act('delete-back');
    expect([s.value(0), s.caret(0)]).toEqual(['b', 0]);
    s.act('cursor-end');
    s.act('delete-forward'); // nothing under the caret
    s.type('c');
    expect([s.value(0), s.caret(0)]).toEqual(['bc', 2]);
    s.next();
    s.next();
    s.act('cursor-home');
    s.prev();
    s.prev();
    expect(s.caret(0)).toBe(2); // each field keeps its own caret
    s.act('cursor-left');
    s.act('cursor-left');
    s.act('cursor-left');
    expect(s.caret(0)).toBe(0);
    s.setValue('name', 'xyz');
    expect(s.caret(0)).toBe(3);
  });

  it('moves between fields, wrapping both ways', () => {
    const s = new FormState(spec);
    s.prev();
    expect(s.focus).toBe(4);
    s.next();
    s.next();
    expect(s.focus).toBe(1);
    expect(s.focused().key).toBe('proto');
  });

  it('cycles a choice with left/right and by its first letter; deletes do not touch it', () => {
    const s = new FormState(spec);
    s.focusKey('proto');
    s.act('cursor-right');
    expect(s.value(1)).toBe('udp');
    s.act('cursor-left');
    s.act('cursor-left');
    expect(s.value(1)).toBe('sctp');
    s.type('t');
    expect(s.value(1)).toBe('tcp');
    s.type('z');
    s.backspace();
    s.deleteForward();
    s.clear();
    expect(s.value(1)).toBe('tcp');
    s.focusKey('name');
    s.choiceStep(1); // not a choice field: nothing
    expect(s.value(0)).toBe('');
  });

  it('shows a cross-field error once a field was edited, under the field it names', () => {
    const s = new FormState(spec, { name: 'a', high: '50', low: '60', mem: '1G' });
    expect(s.errorAt(3)).toBeNull();
    s.focusKey('high');
    s.type('0'); // 500 > 60: fine
    expect(s.errorAt(3)).toBeNull();
    s.backspace(); // 50 again
    expect(s.errorAt(3)).toBe('low 60 is not below high 50: lower it');
    expect(s.errorAt(2)).toBeNull();
  });

  it('submit: errors keep the form and focus the first bad field; valid values come back parsed', () => {
    const s = new FormState(spec, { high: '93', low: '89', mem: '512M' });
    s.focusKey('mem');
    expect(s.act('submit')).toBeUndefined();
    expect(s.focus).toBe(0);
    expect(s.errorAt(0)).toBe('name is empty: type a value'); // shown after a submit even untouched
    s.type('w');
    expect(s.act('submit')).toBe('submit');
    expect(s.values()).toEqual({ name: 'w', proto: 'tcp', high: 93, low: 89, mem: 512 * 2 ** 20 });
    expect(s.rawValues()).toEqual({ name: 'w', proto: 'tcp', high: '93', low: '89', mem: '512M' });
    expect(s.act('cancel')).toBe('cancel');
  });

  it('an outside error stays until the next edit', () => {
    const s = new FormState(spec, { name: 'w', high: '2', low: '1', mem: '1M' });
    s.message = 'saving failed: try again';
    s.next();
    expect(s.message).toBe('saving failed: try again');
    s.type('x'); // no choice starts with x: not an edit
    expect(s.message).toBe('saving failed: try again');
    s.focusKey('high');
    s.type('x');
    expect(s.message).toBeNull();
  });

  it('the rules form checks sources, targets and low < high like `rule add`', () => {
    const s = new FormState(RULE_FORM, { source: 'thermal:0', target: 'jobs:*', high: '93', low: '89' });
    expect(s.act('submit')).toBe('submit');
    s.setValue('source', 'file:relative');
    s.setValue('low', '95');
    expect(s.errorAt(0)).toBe('rule source "file:relative" needs an absolute path: write it as file:/path/to/file');
    s.setValue('source', 'file:/tmp/x');
    expect(s.errorAt(3)).toBe('low mark 95 is not below the high mark 93: give a low mark smaller than 93');
    s.setValue('name', '-bad');
    expect(s.errorAt(4)).toMatch(/^invalid rule name "-bad": use 1-63 letters/);
  });
});

describe('form commands are data', () => {
  it('every form action has exactly one command, and each command maps to an action', () => {
    expect(FORM_COMMANDS.map((c) => formAction(c.id)).sort()).toEqual([...FORM_ACTIONS].sort());
    expect(formAction('rules.add')).toBeUndefined();
  });

  it('ids are unique, keys valid and not bound twice within a scope', () => {
    const ids = MODAL_COMMANDS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const list of [FORM_COMMANDS, PREVIEW_COMMANDS, RULES_DIALOG_COMMANDS]) {
      const keys = list.flatMap((c) => c.keys);
      expect(new Set(keys).size).toBe(keys.length);
      expect(new Set(list.map((c) => c.scope)).size).toBe(1);
      for (const k of keys) expect(isValidKey(k), k).toBe(true);
    }
  });

  it('a scope resolver takes overrides of its own ids and ignores the rest', () => {
    const r = scopeResolver(FORM_COMMANDS, { 'form.next-field': ['C-n'], 'app.quit': ['tab'] });
    expect(r('C-n')).toBe('form.next-field');
    expect(r('tab')).toBeUndefined();
    expect(r('enter')).toBe('form.submit');
    expect(r('q')).toBeUndefined(); // typed into the field
  });
});
