import { LxcdeckError } from './errors.js';

/**
 * Editing a liblxc config file as text, so the user's file stays as it was
 * apart from the changed key: comments, blank lines, order and spacing of
 * every other line are kept byte for byte. (liblxc's save_config rewrites the
 * whole file from its parsed state: it drops blank lines and, fed a key that
 * is already set, can leave copies.)
 *
 * The line grammar is liblxc's (confile.c parse_line): leading blanks are
 * skipped, a line starting with '#' or empty is ignored, otherwise the key is
 * what comes before the first '=' and the value what comes after, both trimmed.
 */

/** One edit: the values a key should have afterwards ([] removes it). */
export interface ConfigEdit {
  key: string;
  values: string[];
}

const KEY_RE = /^lxc\.[A-Za-z0-9_.-]+$/;

/** The key a config line sets, or null for comments, blank and malformed lines. */
export function lineKey(line: string): string | null {
  const body = line.replace(/^[ \t]+/, '');
  if (body === '' || body.startsWith('#')) return null;
  const eq = body.indexOf('=');
  if (eq < 0) return null;
  return body.slice(0, eq).trim();
}

function lineValue(line: string): string {
  const eq = line.indexOf('=');
  return line.slice(eq + 1).trim();
}

/** The values a key has in the text, in file order (a key such as lxc.idmap may repeat). */
export function configValues(text: string, key: string): string[] {
  return splitLines(text).lines.filter((l) => lineKey(l) === key).map(lineValue);
}

/** Throws a one-line error for a key or value that cannot be written as one config line. */
export function validateConfigEdit(edit: ConfigEdit): void {
  if (!KEY_RE.test(edit.key))
    throw new LxcdeckError('config-key', `invalid config key ${JSON.stringify(edit.key)}`, 'use a liblxc key such as lxc.console.buffer.size (see lxc.container.conf(5))');
  for (const v of edit.values) {
    // a newline would smuggle in a second key; liblxc trims blanks, so they would not read back
    if (/[\r\n\0]/.test(v)) throw new LxcdeckError('invalid-argument', `invalid value for ${edit.key}: it contains a line break or NUL`, 'give a value on one line');
    if (v !== v.trim()) throw new LxcdeckError('invalid-argument', `invalid value for ${edit.key}: ${JSON.stringify(v)} starts or ends with blanks`, 'leave them out (liblxc trims them)');
  }
}

interface Lines {
  lines: string[];
  /** Whether the last line had a newline (so the text ended with one). */
  terminated: boolean;
}

function splitLines(text: string): Lines {
  if (text === '') return { lines: [], terminated: true };
  const lines = text.split('\n');
  const terminated = lines.at(-1) === '';
  if (terminated) lines.pop();
  return { lines, terminated };
}

function joinLines({ lines, terminated }: Lines): string {
  if (lines.length === 0) return '';
  return lines.join('\n') + (terminated ? '\n' : '');
}

/** The old line with a new value: keeps its indentation, its spacing around '=' and a CR ending. */
function replaceValue(line: string, value: string): string {
  const eq = line.indexOf('=');
  const head = line.slice(0, eq + 1);
  const spacing = /^[ \t]*/.exec(line.slice(eq + 1))?.[0] ?? '';
  const cr = line.endsWith('\r') ? '\r' : '';
  return `${head}${value === '' ? '' : spacing}${value}${cr}`;
}

function newLine(key: string, value: string): string {
  return value === '' ? `${key} =` : `${key} = ${value}`;
}

/**
 * Sets a key to the given values: the first existing lines are rewritten in
 * place, surplus ones removed, missing ones added after the key's last line
 * (or at the end of the file). Every other line is left as it was.
 */
export function setConfigValues(text: string, edit: ConfigEdit): string {
  validateConfigEdit(edit);
  const parsed = splitLines(text);
  const at = parsed.lines.flatMap((l, i) => (lineKey(l) === edit.key ? [i] : []));
  const out: string[] = [];
  // whether the text still ends with its old last line (only that one may lack a newline)
  let endsWithOldLast = false;
  let next = 0;
  const last = parsed.lines.length - 1;
  parsed.lines.forEach((line, i) => {
    if (!at.includes(i)) {
      out.push(line);
      endsWithOldLast = i === last;
      return;
    }
    const value = edit.values[next];
    if (value !== undefined) {
      out.push(replaceValue(line, value));
      endsWithOldLast = i === last;
    }
    next++;
    // the key's last line: the values still to place go right after it
    if (i === at.at(-1))
      for (const v of edit.values.slice(next)) {
        out.push(newLine(edit.key, v));
        endsWithOldLast = false;
      }
  });
  if (at.length === 0)
    for (const v of edit.values) {
      out.push(newLine(edit.key, v));
      endsWithOldLast = false;
    }
  return joinLines({ lines: out, terminated: endsWithOldLast ? parsed.terminated : true });
}

/** Applies the edits in order. */
export function applyConfigEdits(text: string, edits: readonly ConfigEdit[]): string {
  return edits.reduce((t, e) => setConfigValues(t, e), text);
}
