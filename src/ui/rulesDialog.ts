import blessed from 'blessed';
import type { Disposable } from '../base/disposable.js';
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

const FIELDS: { key: keyof RuleDraft; label: string; hint: string }[] = [
  { key: 'source', label: 'source', hint: 'thermal:0, file:/path, pressure:memory, cpu:<job or container>' },
  { key: 'target', label: 'target', hint: 'job:<name>, jobs:*, container:<name>, group:<lxc.group>' },
  { key: 'high', label: 'freeze above', hint: 'the high mark (°C for thermal, % for cpu and pressure)' },
  { key: 'low', label: 'thaw below', hint: 'the low mark, lower than the high one' },
  { key: 'name', label: 'name', hint: 'optional: rule1, rule2, ... when empty' },
];

/**
 * Freeze rules, edited from the TUI: a list (armed / TRIPPED, a to add,
 * d to delete) and a small form. Saving goes through the same validation
 * as `lxcdeck rule add`; a bad field is one line in the form, nothing saved.
 */
export class RulesDialog implements Disposable {
  private readonly box: blessed.Widgets.BoxElement;
  private mode: 'list' | 'form' = 'list';
  private selected = 0;
  private field = 0;
  private draft: RuleDraft;
  private error = '';

  constructor(
    screen: blessed.Widgets.Screen,
    private readonly actions: RulesDialogActions,
    private readonly palette: Palette,
    defaults: Partial<RuleDraft>,
  ) {
    this.draft = { name: '', source: 'thermal:0', target: 'jobs:*', high: '93', low: '89', ...defaults };
    this.box = blessed.box({ parent: screen, top: 'center', left: 'center', width: '80%', height: 16, border: { type: 'line' }, label: ' freeze rules ', tags: true });
    if (actions.rows().length === 0) this.mode = 'form';
    this.draw();
  }

  /** Handles a key; 'close' when the dialog is done. */
  key(ch: string | undefined, name: string): 'close' | undefined {
    this.error = this.mode === 'form' && name !== 'enter' ? this.error : '';
    if (this.mode === 'list') {
      const rows = this.actions.rows();
      if (name === 'escape' || name === 'q') return 'close';
      if (name === 'up' || name === 'k') this.selected = Math.max(0, this.selected - 1);
      else if (name === 'down' || name === 'j') this.selected = Math.min(rows.length - 1, this.selected + 1);
      else if (name === 'a') {
        this.mode = 'form';
        this.field = 0;
      } else if ((name === 'd' || name === 'delete') && rows[this.selected]) {
        this.error = this.actions.remove((rows[this.selected] as RuleRow).name) ?? '';
        this.selected = Math.max(0, Math.min(this.selected, this.actions.rows().length - 1));
      }
    } else {
      const f = (FIELDS[this.field] as (typeof FIELDS)[number]).key;
      if (name === 'escape') {
        if (this.actions.rows().length === 0) return 'close';
        this.mode = 'list';
      } else if (name === 'tab' || name === 'down') this.field = (this.field + 1) % FIELDS.length;
      else if (name === 'S-tab' || name === 'up') this.field = (this.field + FIELDS.length - 1) % FIELDS.length;
      else if (name === 'enter') {
        const err = this.actions.add(this.draft);
        if (err) this.error = err;
        else {
          this.mode = 'list';
          this.selected = this.actions.rows().length - 1;
          this.draft = { ...this.draft, name: '' };
        }
      } else if (name === 'backspace') this.draft[f] = this.draft[f].slice(0, -1);
      else if (name === 'C-u') this.draft[f] = '';
      else if (ch && ch >= ' ' && ch !== '\x7f') this.draft[f] += ch;
    }
    this.draw();
    return undefined;
  }

  draw(): void {
    const p = this.palette;
    const lines: string[] = [];
    if (this.mode === 'list') {
      const rows = this.actions.rows();
      for (const [i, r] of rows.entries()) {
        const state = r.tripped ? fg(p, 'logError', 'TRIPPED') : fg(p, 'stateRunning', 'armed  ');
        const line = `${state} ${esc(r.name.padEnd(10))} ${esc(r.source)}${r.value ? ` = ${esc(r.value)}` : ''}  freeze ${esc(r.target)} above ${r.high}, thaw below ${r.low}`;
        lines.push(i === this.selected ? `{inverse}${line}{/inverse}` : line);
      }
      lines.push('', fg(p, 'dim', 'a add   d delete   ↑↓ select   Esc close      (lxcdeck rule add|ls|rm does the same)'));
    } else {
      lines.push(fg(p, 'title', 'new freeze rule'), '');
      for (const [i, f] of FIELDS.entries()) {
        const value = `${esc(this.draft[f.key])}${i === this.field ? '█' : ''}`;
        const label = f.label.padEnd(13);
        lines.push(`${i === this.field ? fg(p, 'helpKey', `▸ ${label}`) : `  ${label}`} ${value}`);
        if (i === this.field) lines.push(`  ${' '.repeat(13)} ${fg(p, 'dim', esc(f.hint))}`);
      }
      lines.push('', fg(p, 'dim', 'Tab next field   Enter save   Esc back'));
    }
    if (this.error) lines.push(fg(p, 'logError', esc(this.error)));
    this.box.setContent(lines.join('\n'));
  }

  dispose(): void {
    this.box.destroy();
  }
}
