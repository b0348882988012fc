import { validateForm, type AnyField, type FormIssue, type FormResult, type FormSpec, type KeyOf, type ValuesOf } from '../core/fields.js';

/**
 * A form being filled in, as data: the text typed into each field, which
 * field has the focus, and what error each shows. No widgets: ui/form.ts
 * draws it, and the command table maps keys to these actions.
 *
 * A field shows its error once it was edited (or after a submit), so an
 * empty form does not start out red; cross-field errors show once any field
 * was edited. Each text field has its own caret (in characters, not UTF-16
 * units); in a choice field left/right step through the choices instead.
 */
export type FormAction =
  | 'next-field'
  | 'prev-field'
  | 'submit'
  | 'cancel'
  | 'clear-field'
  | 'delete-back'
  | 'delete-forward'
  | 'cursor-left'
  | 'cursor-right'
  | 'cursor-home'
  | 'cursor-end';

export const FORM_ACTIONS: readonly FormAction[] = ['next-field', 'prev-field', 'submit', 'cancel', 'clear-field', 'delete-back', 'delete-forward', 'cursor-left', 'cursor-right', 'cursor-home', 'cursor-end'];

export class FormState<F extends readonly AnyField[]> {
  private readonly raw: string[];
  private readonly touched: boolean[];
  /** Caret of each field: characters before it. */
  private readonly carets: number[];
  private index = 0;
  private submitted = false;
  private cached: { version: number; result: FormResult<F> } | null = null;
  private version = 0;
  /** An error from outside the form (saving failed), shown until the next edit. */
  message: string | null = null;

  constructor(
    readonly spec: FormSpec<F>,
    initial: Partial<Record<KeyOf<F>, string>> = {},
  ) {
    this.raw = spec.fields.map((f) => (initial as Record<string, string | undefined>)[f.key] ?? (f.choices?.[0] ?? ''));
    this.touched = spec.fields.map(() => false);
    this.carets = this.raw.map((v) => [...v].length);
  }

  get fields(): F {
    return this.spec.fields;
  }

  /** Index of the focused field. */
  get focus(): number {
    return this.index;
  }

  focused(): AnyField {
    return this.spec.fields[this.index] as AnyField;
  }

  value(i: number): string {
    return this.raw[i] ?? '';
  }

  /** Characters before the caret of field i. */
  caret(i: number): number {
    return this.carets[i] ?? 0;
  }

  /** The raw text by key (what RuleDraft-style callers want). */
  rawValues(): Record<KeyOf<F>, string> {
    return Object.fromEntries(this.spec.fields.map((f, i) => [f.key, this.value(i)])) as Record<KeyOf<F>, string>;
  }

  /** Every current problem (field errors, or cross-field ones once all fields parse). */
  result(): FormResult<F> {
    if (this.cached?.version !== this.version) this.cached = { version: this.version, result: validateForm(this.spec, this.rawValues()) };
    return this.cached.result;
  }

  /** The error to show under field i now, or null. */
  errorAt(i: number): string | null {
    const r = this.result();
    if (r.ok) return null;
    const key = this.spec.fields[i]?.key;
    const own = this.ownError(i);
    if (own !== null) return this.touched[i] || this.submitted ? own : null;
    const showCross = this.submitted || this.touched.some(Boolean);
    return showCross ? (r.issues.find((x: FormIssue) => x.key === key)?.error ?? null) : null;
  }

  setValue(key: KeyOf<F>, value: string): void {
    const i = this.spec.fields.findIndex((f) => f.key === key);
    if (i >= 0) this.edit(i, value);
  }

  focusKey(key: KeyOf<F>): void {
    const i = this.spec.fields.findIndex((f) => f.key === key);
    if (i >= 0) this.index = i;
  }

  /** Typed text goes in at the caret; in a choice field a letter picks the next choice starting with it. */
  type(text: string): void {
    const f = this.focused();
    if (f.choices) {
      const c = text.toLowerCase();
      const starts = f.choices.filter((x) => x.toLowerCase().startsWith(c));
      if (!starts.length) return;
      const at = starts.indexOf(this.value(this.index));
      this.edit(this.index, starts[(at + 1) % starts.length] as string);
    } else this.splice(0, [...text]);
  }

  /** Deletes the character before the caret. */
  backspace(): void {
    if (!this.focused().choices && this.caret(this.index) > 0) this.splice(1, []);
  }

  /** Deletes the character under the caret. */
  deleteForward(): void {
    const chars = [...this.value(this.index)];
    if (this.focused().choices || this.caret(this.index) >= chars.length) return;
    this.carets[this.index] = this.caret(this.index) + 1;
    this.splice(1, []);
  }

  clear(): void {
    if (!this.focused().choices) this.edit(this.index, '');
  }

  /** Moves the caret; in a choice field left/right step through the choices. */
  moveCaret(to: 'left' | 'right' | 'home' | 'end'): void {
    if (this.focused().choices) {
      if (to === 'left' || to === 'right') this.choiceStep(to === 'right' ? 1 : -1);
      return;
    }
    const len = [...this.value(this.index)].length;
    const at = this.caret(this.index);
    this.carets[this.index] = to === 'home' ? 0 : to === 'end' ? len : Math.max(0, Math.min(len, at + (to === 'right' ? 1 : -1)));
  }

  next(): void {
    this.index = (this.index + 1) % this.spec.fields.length;
  }

  prev(): void {
    this.index = (this.index + this.spec.fields.length - 1) % this.spec.fields.length;
  }

  /** Left/right in a choice field; nothing elsewhere. */
  choiceStep(step: 1 | -1): void {
    const choices = this.focused().choices;
    if (!choices?.length) return;
    const at = choices.indexOf(this.value(this.index));
    const n = choices.length;
    this.edit(this.index, choices[at < 0 ? 0 : (at + step + n) % n] as string);
  }

  /** Checks everything; on errors the first bad field gets the focus and every error shows. */
  submit(): FormResult<F> {
    this.submitted = true;
    const r = this.result();
    if (!r.ok) {
      const first = this.spec.fields.findIndex((f) => r.issues.some((x: FormIssue) => x.key === f.key));
      if (first >= 0) this.index = first;
    }
    return r;
  }

  /** One command of the form scope; 'submit' only when the values are valid. */
  act(action: FormAction): 'submit' | 'cancel' | undefined {
    switch (action) {
      case 'next-field': return void this.next();
      case 'prev-field': return void this.prev();
      case 'clear-field': return void this.clear();
      case 'delete-back': return void this.backspace();
      case 'delete-forward': return void this.deleteForward();
      case 'cursor-left': return void this.moveCaret('left');
      case 'cursor-right': return void this.moveCaret('right');
      case 'cursor-home': return void this.moveCaret('home');
      case 'cursor-end': return void this.moveCaret('end');
      case 'cancel': return 'cancel';
      case 'submit': return this.submit().ok ? 'submit' : undefined;
    }
  }

  /** The parsed values, when the form is valid. */
  values(): ValuesOf<F> | null {
    const r = this.result();
    return r.ok ? r.values : null;
  }

  private ownError(i: number): string | null {
    const f = this.spec.fields[i];
    if (!f) return null;
    const r = f.parse(this.value(i));
    return r.ok ? null : r.error;
  }

  /** Removes `before` characters before the caret and inserts `insert` there. */
  private splice(before: number, insert: string[]): void {
    const chars = [...this.value(this.index)];
    const at = Math.min(this.caret(this.index), chars.length);
    chars.splice(at - before, before, ...insert);
    this.edit(this.index, chars.join(''), at - before + insert.length);
  }

  private edit(i: number, value: string, caret = [...value].length): void {
    this.raw[i] = value;
    this.carets[i] = caret;
    this.touched[i] = true;
    this.message = null;
    this.version++;
  }
}
