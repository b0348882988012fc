import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { Disposable } from '../base/disposable.js';
import { keysOf, RULES_DIALOG_COMMANDS, scopeResolver, type KeyResolver } from '../commands/formCommands.js';
import { displayKey } from '../commands/keytable.js';
import { RULE_FORM } from '../rules/ruleForm.js';
import { FormView } from './form.js';
import { esc, fg, type Palette } from './style.js';

/** A freeze rule as the dialog shows it. */
export interface RuleRow {
  name: string;
  source: string;
  target: string;
  high: number;
  low: number;
  tripped: boolean;
  /** The current reading with its unit, when known. */
  value?: string;
}

export interface RuleDraft {
  name: string;
  source: string;
  target: string;
  high: string;
  low: string;
}

export interface RulesDialogActions {
  rows(): RuleRow[];
  /** Validates and saves; returns a one-line error or null. */
  add(d: RuleDraft): string | null;
  remove(name: string): string | null;
}

/** Resolvers of the dialog's two scopes ('rules' for the list, 'form' for the new-rule form); defaults: the default keys. */
export interface RulesDialogKeys {
  rules?: KeyResolver;
  form?: KeyResolver;
  /** Effective keys of a command id, for the footers. */
  keysOf?: (id: string) => string[];
}

/**
 * Freeze rules, edited from the TUI: a list (armed / TRIPPED, add, delete)
 * and the new-rule form of the form kit. Saving goes through the same
 * validation as `lxcdeck rule add`; the form shows each field's error as it
 * is typed, and an error from saving stays in the form, nothing saved.
 */
export class RulesDialog implements Disposable {
  private readonly box: blessed.Widgets.BoxElement;
  private form: FormView<typeof RULE_FORM.fields> | null = null;
  private selected = 0;
  /** The rule a delete key picked, waiting for yes. */
  private deleting: string | null = null;
  private draft: RuleDraft;
  private error = '';
  private readonly resolve: KeyResolver;
  private readonly keys: (id: string) => string[];

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly actions: RulesDialogActions,
    private readonly palette: Palette,
    defaults: Partial<RuleDraft>,
    private readonly keyScopes: RulesDialogKeys = {},
  ) {
    this.draft = { name: '', source: 'thermal:0', target: 'jobs:*', high: '93', low: '89', ...defaults };
    this.resolve = keyScopes.rules ?? scopeResolver(RULES_DIALOG_COMMANDS);
    this.keys = keyScopes.keysOf ?? keysOf(RULES_DIALOG_COMMANDS, this.resolve);
    this.box = widgets.box({ parent: screen, top: 'center', left: 'center', width: '80%', height: 16, border: { type: 'line' }, label: ' freeze rules ', tags: true });
    // always the list first: a stray Enter must not arm a rule (the form only opens on its key)
    this.draw();
  }

  /** Handles a key; 'close' when the dialog is done. */
  key(ch: string | undefined, name: string): 'close' | undefined {
    if (this.form) return this.formKey(ch, name);
    this.error = '';
    const rows = this.actions.rows();
    const command = this.resolve(name);
    if (this.deleting !== null) {
      // the question takes this key: yes deletes, anything else keeps the rule
      if (command === 'rules.delete-yes') this.error = this.actions.remove(this.deleting) ?? '';
      this.deleting = null;
      this.selected = Math.max(0, Math.min(this.selected, this.actions.rows().length - 1));
      this.draw();
      return undefined;
    }
    switch (command) {
      case 'rules.close':
        return 'close';
      case 'rules.up':
        this.selected = Math.max(0, this.selected - 1);
        break;
      case 'rules.down':
        this.selected = Math.min(rows.length - 1, this.selected + 1);
        break;
      case 'rules.add':
        this.openForm();
        break;
      case 'rules.delete':
        this.deleting = rows[this.selected]?.name ?? null;
        break;
    }
    this.draw();
    return undefined;
  }

  draw(): void {
    if (this.form) return this.form.draw();
    const p = this.palette;
    const lines: string[] = [];
    for (const [i, r] of this.actions.rows().entries()) {
      const state = r.tripped ? fg(p, 'logError', 'TRIPPED') : fg(p, 'stateRunning', 'armed  ');
      const line = `${state} ${esc(r.name.padEnd(10))} ${esc(r.source)}${r.value ? ` = ${esc(r.value)}` : ''}  freeze ${esc(r.target)} above ${r.high}, thaw below ${r.low}`;
      lines.push(i === this.selected ? `{inverse}${line}{/inverse}` : line);
    }
    const key = (id: string, what: string) => {
      const k = this.keys(id)[0];
      return k ? `${esc(displayKey(k))} ${what}` : '';
    };
    if (!lines.length) lines.push(`No freeze rules yet. ${key('rules.add', 'adds one')}: it freezes a container or job while a reading (a thermal zone, a file) is above a mark.`);
    const footer = [key('rules.add', 'add'), key('rules.delete', 'delete'), key('rules.up', 'previous'), key('rules.down', 'next'), key('rules.close', 'close')].filter(Boolean).join('   ');
    lines.push('', fg(p, 'dim', `${footer}      (lxcdeck rule add|ls|rm does the same)`));
    if (this.deleting !== null) lines.push(fg(p, 'logWarn', `Delete rule ${esc(this.deleting)}? ${key('rules.delete-yes', 'yes')}, any other key no`));
    if (this.error) lines.push(fg(p, 'logError', esc(this.error)));
    this.box.setContent(lines.join('\n'));
  }

  dispose(): void {
    this.form?.dispose();
    this.box.destroy();
  }

  private openForm(): void {
    this.box.hide();
    const opts = {
      label: ' freeze rules ',
      heading: 'new freeze rule',
      initial: this.draft,
      submitTitle: 'save',
      cancelTitle: 'back',
      ...(this.keyScopes.form ? { resolve: this.keyScopes.form } : {}),
      ...(this.keyScopes.keysOf ? { keysOf: this.keyScopes.keysOf } : {}),
    };
    this.form = new FormView(this.screen, this.palette, RULE_FORM, opts);
  }

  private closeForm(): void {
    this.form?.dispose();
    this.form = null;
    this.box.show();
  }

  private formKey(ch: string | undefined, name: string): 'close' | undefined {
    const form = this.form as FormView<typeof RULE_FORM.fields>;
    const r = form.key(ch, name);
    if (r === 'cancel') {
      this.draft = form.state.rawValues();
      this.closeForm();
    } else if (r === 'submit') {
      const draft = form.state.rawValues();
      const err = this.actions.add(draft);
      if (err) form.showError(err);
      else {
        this.draft = { ...draft, name: '' };
        this.closeForm();
        this.selected = this.actions.rows().length - 1;
      }
    }
    this.draw();
    return undefined;
  }
}
