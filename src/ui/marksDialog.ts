import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { Disposable } from '../base/disposable.js';
import type { KeyResolver } from '../commands/formCommands.js';
import { displayKey } from '../commands/keytable.js';
import { defineForm, textField } from '../core/fields.js';
import { isMarkLetter, markLetterError, tagFromText } from '../core/workspace.js';
import type { MarkRow } from '../state/marks.js';
import { FormView } from './form.js';
import { esc, fg, type Palette } from './style.js';

export interface MarksDialogActions {
  rows(): MarkRow[];
  jump(letter: string): void;
  /** Each returns a one-line error or null. */
  rename(from: string, to: string): string | null;
  remove(letter: string): string | null;
  /** A tag as text (names, a glob, group=NAME; empty: none). */
  retag(letter: string, text: string): string | null;
  /** The mark's tag as text, for the form. */
  tagOf(letter: string): string;
}

const RENAME_FORM = defineForm([textField({ key: 'letter', label: 'new letter', hint: 'a lowercase letter a–z that is not taken', required: true, check: (s) => (isMarkLetter(s) ? null : markLetterError(s)) })]);
const TAG_FORM = defineForm([
  textField({ key: 'tag', label: 'containers', hint: 'names (web, db), a glob (web-*) or group=NAME; empty: no tag. Restoring the mark narrows the list to them', check: (s) => { const r = tagFromText(s); return r.ok ? null : `tag ${r.error}`; } }),
]);

type Form = FormView<typeof RENAME_FORM.fields> | FormView<typeof TAG_FORM.fields>;

/**
 * The marks overlay (workspace.marks): every mark with a one-line preview
 * (pane count, containers, filter, tag), and keys to jump, rename, tag and
 * delete. Renaming and tagging are forms of the form kit.
 */
export class MarksDialog implements Disposable {
  private readonly box: blessed.Widgets.BoxElement;
  private form: { view: Form; kind: 'rename' | 'tag'; letter: string } | null = null;
  private selected = 0;
  private error = '';

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly actions: MarksDialogActions,
    private readonly palette: Palette,
    private readonly keys: { marks: KeyResolver; form: KeyResolver; keysOf: (id: string) => string[] },
  ) {
    this.box = widgets.box({ parent: screen, top: 'center', left: 'center', width: '80%', height: 8, border: { type: 'line' }, label: ' workspace marks ', tags: true });
    this.draw();
  }

  /** Handles a key; 'close' when the overlay is done (also after a jump). */
  key(ch: string | undefined, name: string): 'close' | undefined {
    if (this.form) return this.formKey(ch, name);
    this.error = '';
    const rows = this.actions.rows();
    const row = rows[this.selected];
    switch (this.keys.marks(name)) {
      case 'marks.close':
        return 'close';
      case 'marks.up':
        this.selected = Math.max(0, this.selected - 1);
        break;
      case 'marks.down':
        this.selected = Math.min(rows.length - 1, this.selected + 1);
        break;
      case 'marks.jump':
        if (row?.workspace) {
          this.actions.jump(row.letter);
          return 'close';
        }
        this.error = row ? `mark ${row.letter} is corrupt: delete it (d) or store it again` : '';
        break;
      case 'marks.rename':
      case 'marks.tag':
        if (row?.workspace) this.openForm(this.keys.marks(name) === 'marks.rename' ? 'rename' : 'tag', row.letter);
        break;
      case 'marks.delete':
        if (!row) break;
        this.error = this.actions.remove(row.letter) ?? '';
        this.selected = Math.max(0, Math.min(this.selected, this.actions.rows().length - 1));
        break;
    }
    this.draw();
    return undefined;
  }

  draw(): void {
    if (this.form) return this.form.view.draw();
    const p = this.palette;
    const rows = this.actions.rows();
    const lines: string[] = rows.length ? [] : [fg(p, 'dim', "no marks yet: m then a letter stores the workspace, ' then the letter restores it")];
    for (const [i, r] of rows.entries()) {
      const line = `${esc(r.letter)}  ${r.workspace ? esc(r.preview) : fg(p, 'logError', esc(r.preview))}`;
      lines.push(i === this.selected ? `{inverse}${line}{/inverse}` : line);
    }
    const key = (id: string, what: string) => {
      const k = this.keys.keysOf(id)[0];
      return k ? `${esc(displayKey(k))} ${what}` : '';
    };
    const footer = [key('marks.jump', 'jump'), key('marks.rename', 'rename'), key('marks.tag', 'tag'), key('marks.delete', 'delete'), key('marks.close', 'close')].filter(Boolean).join('   ');
    lines.push('', fg(p, 'dim', `${footer}      (lxcdeck workspace ls|show|rm does the same)`));
    if (this.error) lines.push(fg(p, 'logError', esc(this.error)));
    this.box.setContent(lines.join('\n'));
    // blessed wraps long lines: size the box by what it will show
    this.box.height = Math.min(Math.max(5, (this.screen.height as number) - 2), this.box.getScreenLines().length + 2);
  }

  dispose(): void {
    this.form?.view.dispose();
    this.box.destroy();
  }

  private openForm(kind: 'rename' | 'tag', letter: string): void {
    this.box.hide();
    const common = { label: ' workspace marks ', submitTitle: 'save', cancelTitle: 'back', resolve: this.keys.form, keysOf: this.keys.keysOf };
    const view: Form =
      kind === 'rename'
        ? new FormView(this.screen, this.palette, RENAME_FORM, { ...common, heading: `rename mark ${letter}` })
        : new FormView(this.screen, this.palette, TAG_FORM, { ...common, heading: `tag mark ${letter}`, initial: { tag: this.actions.tagOf(letter) } });
    this.form = { view, kind, letter };
  }

  private closeForm(): void {
    this.form?.view.dispose();
    this.form = null;
    this.box.show();
  }

  private formKey(ch: string | undefined, name: string): 'close' | undefined {
    const f = this.form as NonNullable<MarksDialog['form']>;
    const r = f.view.key(ch, name);
    if (r === 'cancel') this.closeForm();
    else if (r === 'submit') {
      const raw = f.view.state.rawValues() as Record<string, string>;
      const err = f.kind === 'rename' ? this.actions.rename(f.letter, (raw.letter ?? '').trim()) : this.actions.retag(f.letter, raw.tag ?? '');
      if (err) f.view.showError(err);
      else {
        this.closeForm();
        if (f.kind === 'rename') this.selected = Math.max(0, this.actions.rows().findIndex((row) => row.letter === (raw.letter ?? '').trim()));
      }
    }
    this.draw();
    return undefined;
  }
}
