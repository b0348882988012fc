import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { Disposable } from '../base/disposable.js';
import type { AnyField, FormSpec, KeyOf } from '../core/fields.js';
import { FORM_COMMANDS, formAction, keysOf, PREVIEW_COMMANDS, scopeResolver, type KeyResolver } from '../commands/formCommands.js';
import { displayKey } from '../commands/keytable.js';
import { FormState } from '../state/formState.js';
import { esc, fg, type Palette } from './style.js';

/**
 * The one look of every dialog: a bordered box with a heading, each field as
 * `label  value█`, the focused field's hint under it and a field's error
 * directly under it (redrawn on every key), a footer of the form's keys and
 * a line for an error from outside (saving failed). A second page shows a
 * read-only preview (a plan) before it is applied: scroll, Enter confirms,
 * Esc goes back to the form. Keys come from a resolver of the 'form' and
 * 'preview' scopes; a key bound to nothing is typed into the field. Never
 * renders: the app's scheduler does.
 */
export type FormKeyResult = 'submit' | 'cancel' | 'confirm' | 'back' | undefined;

export interface FormViewOptions<F extends readonly AnyField[]> {
  /** Box label (' freeze rules '). */
  label: string;
  /** First line inside the box ('new freeze rule'). */
  heading: string;
  initial?: Partial<Record<KeyOf<F>, string>>;
  /** What Enter does, for the footer: 'save', 'next', 'apply'. */
  submitTitle?: string;
  /** What Esc does, for the footer: 'back', 'cancel'. */
  cancelTitle?: string;
  resolve?: KeyResolver;
  previewResolve?: KeyResolver;
  /** Effective keys of a command, for the footer (default: the defaults that still resolve). */
  keysOf?: (id: string) => string[];
  width?: number | string;
}

/** Words into lines of at most `width` characters; a word longer than a line is cut, starting on the current line. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const joined = line ? `${line} ${word}` : word;
    if ([...joined].length <= w) line = joined;
    else if ([...word].length <= w) {
      out.push(line);
      line = word;
    } else {
      let chars = [...joined];
      for (; chars.length > w; chars = chars.slice(w)) out.push(chars.slice(0, w).join(''));
      line = chars.join('');
    }
  }
  out.push(line);
  return out;
}

/** Text cut to `width` characters, ending in … when cut. */
function clipText(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

function clip(lines: string[], max: number): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max - 1), `${[...(lines[max - 1] ?? '')].slice(0, -1).join('')}…`];
}

interface PreviewPage {
  heading: string;
  lines: string[];
  offset: number;
  confirmTitle: string;
}

export class FormView<F extends readonly AnyField[]> implements Disposable {
  readonly state: FormState<F>;
  private readonly box: blessed.Widgets.BoxElement;
  private readonly resolve: KeyResolver;
  private readonly previewResolve: KeyResolver;
  private readonly keys: (id: string) => string[];
  private preview: PreviewPage | null = null;

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly palette: Palette,
    spec: FormSpec<F>,
    private readonly opts: FormViewOptions<F>,
  ) {
    this.state = new FormState(spec, opts.initial ?? {});
    this.resolve = opts.resolve ?? scopeResolver(FORM_COMMANDS);
    this.previewResolve = opts.previewResolve ?? scopeResolver(PREVIEW_COMMANDS);
    this.keys = opts.keysOf ?? ((id) => keysOf(FORM_COMMANDS, this.resolve)(id).concat(keysOf(PREVIEW_COMMANDS, this.previewResolve)(id)));
    this.box = widgets.box({ parent: screen, top: 'center', left: 'center', width: opts.width ?? '80%', height: 8, border: { type: 'line' }, label: opts.label, tags: true });
    this.draw();
  }

  /** 'submit' once the values are valid (read them from state.values()), 'cancel' on Esc; 'confirm'/'back' on the preview page. */
  key(ch: string | undefined, name: string): FormKeyResult {
    const r = this.preview ? this.previewKey(name) : this.formKey(ch, name);
    this.draw();
    return r;
  }

  /** An error from outside (saving failed): shown at the bottom until the next edit. */
  showError(message: string): void {
    this.state.message = message;
    this.draw();
  }

  /** Switches to the read-only preview page (a plan's text). */
  showPreview(heading: string, text: string, confirmTitle = 'apply'): void {
    this.preview = { heading, lines: text.split('\n'), offset: 0, confirmTitle };
    this.draw();
  }

  showForm(): void {
    this.preview = null;
    this.draw();
  }

  get page(): 'form' | 'preview' {
    return this.preview ? 'preview' : 'form';
  }

  draw(): void {
    const lines = this.preview ? this.previewLines(this.preview) : this.formLines(this.inner());
    this.box.setContent(lines.join('\n'));
    // blessed wraps long lines (an error in a narrow box): size the box by what it will show
    this.box.height = Math.min(Math.max(3, (this.screen.height as number) - 2), this.box.getScreenLines().length + 2);
  }

  dispose(): void {
    this.box.destroy();
  }

  /** Columns inside the border. */
  private inner(): number {
    return Math.max(20, (typeof this.box.width === 'number' ? this.box.width : (this.screen.width as number)) - 2);
  }

  /** The preview text cut into lines that fit the box, so scrolling counts screen lines. */
  private wrapped(page: PreviewPage): string[] {
    const w = this.inner();
    return page.lines.flatMap((l) => {
      const cs = [...l];
      return cs.length <= w ? [l] : Array.from({ length: Math.ceil(cs.length / w) }, (_, i) => cs.slice(i * w, (i + 1) * w).join(''));
    });
  }

  private formKey(ch: string | undefined, name: string): FormKeyResult {
    const action = formAction(this.resolve(name));
    if (action) return this.state.act(action);
    if (ch && ch >= ' ' && ch !== '\x7f' && [...ch].length === 1) this.state.type(ch);
    return undefined;
  }

  private previewKey(name: string): FormKeyResult {
    const p = this.preview as PreviewPage;
    const room = this.previewRoom();
    const last = Math.max(0, this.wrapped(p).length - room);
    switch (this.previewResolve(name)) {
      case 'preview.confirm': return 'confirm';
      case 'preview.back':
        this.preview = null;
        return 'back';
      case 'preview.scroll-up': p.offset = Math.max(0, p.offset - 1); break;
      case 'preview.scroll-down': p.offset = Math.min(last, p.offset + 1); break;
      case 'preview.page-up': p.offset = Math.max(0, p.offset - room); break;
      case 'preview.page-down': p.offset = Math.min(last, p.offset + room); break;
    }
    return undefined;
  }

  /** Text lines that fit on the preview page (screen minus border, heading, gap and footer). */
  private previewRoom(): number {
    return Math.max(1, (this.screen.height as number) - 2 - 2 - 4);
  }

  private footer(parts: [string, string][]): string {
    const shown = parts.flatMap(([id, what]) => {
      const k = this.keys(id)[0];
      return k ? [`${fg(this.palette, 'helpKey', esc(displayKey(k)))} ${esc(what)}`] : [];
    });
    return shown.join('   ');
  }

  private formLines(inner: number): string[] {
    const p = this.palette;
    const s = this.state;
    const labelWidth = Math.max(12, ...s.fields.map((f) => f.label.length + 1));
    const indent = ' '.repeat(labelWidth + 3);
    const room = Math.max(4, inner - labelWidth - 4);
    // the value with its cursor, scrolled so the cursor stays in view
    const edit = (text: string, caret: number) => {
      const chars = [...text];
      const start = chars.length + 1 <= room ? 0 : Math.max(0, caret - room + 2);
      const shown = chars.slice(start, start + room - (start > 0 ? 1 : 0));
      const at = caret - start;
      const cursor = at < shown.length ? `{inverse}${esc(shown[at] ?? '')}{/inverse}` : '█';
      return `${start > 0 ? '…' : ''}${esc(shown.slice(0, at).join(''))}${cursor}${esc(shown.slice(at + 1).join(''))}`;
    };
    const lines = [fg(p, 'title', esc(this.opts.heading)), ''];
    for (const [i, f] of s.fields.entries()) {
      const focused = i === s.focus;
      const raw = s.value(i);
      const value = f.choices ? (focused ? `◂ ${esc(raw)} ▸` : esc(raw)) : focused ? edit(raw, s.caret(i)) : esc(clipText(raw, room));
      const label = f.label.padEnd(labelWidth);
      lines.push(`${focused ? fg(p, 'helpKey', `▸ ${esc(label)}`) : `  ${esc(label)}`} ${value}`);
      const under = inner - indent.length;
      if (focused && f.hint) lines.push(...wrap(f.hint, under).map((l) => `${indent}${fg(p, 'dim', esc(l))}`));
      const error = s.errorAt(i);
      // at most three lines: an error that quotes a long pasted value must not push the form off the screen
      if (error) lines.push(...clip(wrap(`✗ ${error.slice(0, 3 * under)}`, under - 2), 3).map((l, j) => `${indent}${j ? '  ' : ''}${fg(p, 'logError', esc(l))}`));
    }
    const choice = (s.focused() as AnyField | undefined)?.choices ? [['form.cursor-right', 'change'] as [string, string]] : [];
    lines.push('', fg(p, 'dim', this.footer([['form.next-field', 'next field'], ...choice, ['form.submit', this.opts.submitTitle ?? 'save'], ['form.cancel', this.opts.cancelTitle ?? 'back']])));
    if (s.message) lines.push(...wrap(s.message, inner).map((l) => fg(p, 'logError', esc(l))));
    return lines;
  }

  private previewLines(page: PreviewPage): string[] {
    const p = this.palette;
    const room = this.previewRoom();
    const all = this.wrapped(page);
    const shown = all.slice(page.offset, page.offset + room).map(esc);
    const more = all.length > room ? `   ${page.offset + 1}-${page.offset + shown.length} of ${all.length} lines, ↑↓ scroll` : '';
    const footer = this.footer([['preview.confirm', page.confirmTitle], ['preview.back', 'back']]);
    return [fg(p, 'title', esc(page.heading)), '', ...shown, '', `${fg(p, 'dim', footer)}${fg(p, 'dim', more)}`];
  }
}
