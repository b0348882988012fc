import { parseCidr, type Cidr, type CidrOptions } from './cidr.js';
import { formatSize, parseSize } from './size.js';

/**
 * Typed form fields, pure: what a dialog asks for, how the typed text is
 * checked and what it parses to. Every error is one line `what is wrong: how
 * to fix it`. The widget (ui/form.ts) and the state machine
 * (state/formState.ts) know only this interface, so every dialog validates
 * and looks the same.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export type FieldKind = 'text' | 'number' | 'size' | 'choice' | 'cidr' | 'list';

export interface Field<T = unknown, K extends string = string> {
  readonly kind: FieldKind;
  /** Stable name of the value (the key in the parsed values). */
  readonly key: K;
  readonly label: string;
  /** One line shown under the focused field. */
  readonly hint: string;
  /** For choice fields: what left/right cycle through. */
  readonly choices?: readonly string[];
  parse(value: string): Parsed<T>;
}

export type AnyField = Field<unknown, string>;

/** The error of a value, or null when it is valid. */
export function validate(field: AnyField, value: string): string | null {
  const r = field.parse(value);
  return r.ok ? null : r.error;
}

interface Base<K extends string> {
  key: K;
  label: string;
  hint?: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (error: string): Parsed<never> => ({ ok: false, error });
const quote = (s: string) => JSON.stringify(s);

/** Free text; `check` adds a domain rule (returns an error line or null). Empty is allowed unless `required`. */
export function textField<const K extends string>(o: Base<K> & { required?: boolean; check?: (s: string) => string | null }): Field<string, K> {
  return {
    kind: 'text',
    key: o.key,
    label: o.label,
    hint: o.hint ?? '',
    parse(value) {
      const s = value.trim();
      if (s === '') return o.required ? fail(`${o.label} is empty: type a value`) : ok('');
      const err = o.check?.(s) ?? null;
      return err ? fail(err) : ok(s);
    },
  };
}

export function numberField<const K extends string>(o: Base<K> & { min?: number; max?: number; integer?: boolean }): Field<number, K> {
  const range = o.min !== undefined && o.max !== undefined ? ` from ${o.min} to ${o.max}` : o.min !== undefined ? ` of at least ${o.min}` : o.max !== undefined ? ` of at most ${o.max}` : '';
  const what = o.integer ? 'a whole number' : 'a number';
  return {
    kind: 'number',
    key: o.key,
    label: o.label,
    hint: o.hint ?? `${what}${range}`,
    parse(value) {
      const s = value.trim();
      const pattern = o.integer ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
      const n = pattern.test(s) ? Number(s) : NaN;
      if (s === '') return fail(`${o.label} is empty: type ${what}${range}`);
      if (!Number.isFinite(n) || (o.integer && !Number.isSafeInteger(n))) return fail(`${quote(s)} is not ${what}: type ${what}${range}`);
      if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) return fail(`${s} is out of range: type ${what}${range}`);
      return ok(n);
    },
  };
}

/** Bytes with a unit ("512M", "2G", "128kB"); the parsed value is the byte count. */
export function sizeField<const K extends string>(o: Base<K> & { min?: number; max?: number }): Field<number, K> {
  return {
    kind: 'size',
    key: o.key,
    label: o.label,
    hint: o.hint ?? 'bytes with an optional unit K, M, G, T, e.g. 512M',
    parse(value) {
      if (value.trim() === '') return fail(`${o.label} is empty: type a size such as 512M`);
      const r = parseSize(value);
      if (!r.ok) return fail(r.error);
      if (o.min !== undefined && r.bytes < o.min) return fail(`${value.trim()} is too small: use at least ${formatSize(o.min)}`);
      if (o.max !== undefined && r.bytes > o.max) return fail(`${value.trim()} is too large: use at most ${formatSize(o.max)}`);
      return ok(r.bytes);
    },
  };
}

/** One of a fixed list; left/right (or typing a first letter) cycles through it. */
export function choiceField<const K extends string, const C extends string>(o: Base<K> & { choices: readonly C[] }): Field<C, K> {
  return {
    kind: 'choice',
    key: o.key,
    label: o.label,
    hint: o.hint ?? `one of ${o.choices.join(', ')} (←/→ to change)`,
    choices: o.choices,
    parse(value) {
      const s = value.trim();
      const hit = o.choices.find((c) => c === s) ?? o.choices.find((c) => c.toLowerCase() === s.toLowerCase());
      return hit !== undefined ? ok(hit) : fail(`${quote(s)} is not a choice: use one of ${o.choices.join(', ')}`);
    },
  };
}

/** An IPv4 or IPv6 prefix. */
export function cidrField<const K extends string>(o: Base<K> & CidrOptions): Field<Cidr, K> {
  const example = o.family === 6 ? 'fd42::/64' : o.family === 4 ? '10.20.0.0/24' : '10.20.0.0/24 or fd42::/64';
  return {
    kind: 'cidr',
    key: o.key,
    label: o.label,
    hint: o.hint ?? `${o.form === 'address' ? 'address/prefix' : 'a subnet'}, e.g. ${example}`,
    parse(value) {
      if (value.trim() === '') return fail(`${o.label} is empty: type a prefix such as ${example}`);
      const r = parseCidr(value, o);
      return r.ok ? ok(r.cidr) : fail(r.error);
    },
  };
}

/** Comma-separated values, each checked by `item` (its key and label are not used). */
export function listField<const K extends string, T>(o: Base<K> & { item: Field<T>; min?: number; max?: number; unique?: boolean }): Field<T[], K> {
  return {
    kind: 'list',
    key: o.key,
    label: o.label,
    hint: o.hint ?? `comma-separated; each: ${o.item.hint}`,
    parse(value) {
      const parts = value.trim() === '' ? [] : value.split(',').map((p) => p.trim());
      const min = o.min ?? 0;
      if (parts.length < min) return fail(`${o.label} needs at least ${min} ${min === 1 ? 'entry' : 'entries'}: separate entries with commas`);
      if (o.max !== undefined && parts.length > o.max) return fail(`${o.label} has ${parts.length} entries: give at most ${o.max}`);
      const out: T[] = [];
      for (const [i, p] of parts.entries()) {
        if (p === '') return fail(`entry ${i + 1} of ${o.label} is empty: remove the extra comma`);
        const r = o.item.parse(p);
        if (!r.ok) return fail(`entry ${i + 1}: ${r.error}`);
        if (o.unique && parts.indexOf(p) !== i) return fail(`entry ${i + 1} repeats ${quote(p)}: give each value once`);
        out.push(r.value);
      }
      return ok(out);
    },
  };
}

/** An optional field: empty parses to undefined, anything else goes to `field`. */
export function optional<T, K extends string>(field: Field<T, K>): Field<T | undefined, K> {
  return {
    ...field,
    hint: field.hint ? `${field.hint} (optional)` : 'optional',
    parse: (value) => (value.trim() === '' ? ok(undefined) : field.parse(value)),
  };
}

// ---- forms -----------------------------------------------------------------

type ParsedOf<F> = F extends Field<infer T, string> ? T : never;

/** The parsed values of a form, by field key. */
export type ValuesOf<F extends readonly AnyField[]> = { [P in F[number] as P['key']]: ParsedOf<P> };

export type KeyOf<F extends readonly AnyField[]> = F[number]['key'];

/** A cross-field problem, shown under the field it names. */
export interface FormIssue<K extends string = string> {
  key: K;
  error: string;
}

export interface FormSpec<F extends readonly AnyField[] = readonly AnyField[]> {
  readonly fields: F;
  /** Cross-field checks (low < high), run once every field parses. */
  readonly check?: (values: ValuesOf<F>) => FormIssue<KeyOf<F>>[];
}

export function defineForm<const F extends readonly AnyField[]>(fields: F, check?: (values: ValuesOf<F>) => FormIssue<KeyOf<F>>[]): FormSpec<F> {
  const keys = fields.map((f) => f.key);
  if (new Set(keys).size !== keys.length) throw new Error(`form fields need unique keys: ${keys.join(', ')}`);
  return check ? { fields, check } : { fields };
}

export type FormResult<F extends readonly AnyField[]> = { ok: true; values: ValuesOf<F> } | { ok: false; issues: FormIssue<KeyOf<F>>[] };

/** Checks every field, then the cross-field rules; issues come in field order. */
export function validateForm<F extends readonly AnyField[]>(spec: FormSpec<F>, raw: Readonly<Record<string, string>>): FormResult<F> {
  const issues: FormIssue<KeyOf<F>>[] = [];
  const values: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const r = f.parse(raw[f.key] ?? '');
    if (r.ok) values[f.key] = r.value;
    else issues.push({ key: f.key as KeyOf<F>, error: r.error });
  }
  if (issues.length) return { ok: false, issues };
  const typed = values as ValuesOf<F>;
  const cross = spec.check?.(typed) ?? [];
  const order = (k: string) => spec.fields.findIndex((f) => f.key === k);
  return cross.length ? { ok: false, issues: [...cross].sort((a, b) => order(a.key) - order(b.key)) } : { ok: true, values: typed };
}
