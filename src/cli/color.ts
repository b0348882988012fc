import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';

/**
 * Colour in command output: `--color=auto|always|never`; auto means colour
 * only on a terminal (not TERM=dumb) and never when NO_COLOR is set
 * (https://no-color.org). Only text output is coloured, never --json.
 */

export type ColorWhen = 'auto' | 'always' | 'never';

export function parseColorWhen(v: string): ColorWhen {
  if (v === 'auto' || v === 'always' || v === 'never') return v;
  throw new LxcdeckError('invalid-argument', `invalid --color ${JSON.stringify(v)}`, 'use auto, always or never');
}

export function colorEnabled(when: ColorWhen, env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (when !== 'auto') return when === 'always';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTty && env.TERM !== 'dumb';
}

/** Whether a command's text output is coloured (its --color, NO_COLOR, stdout a terminal). */
export function useColor(cmd: Command): boolean {
  return colorEnabled(cmd.optsWithGlobals<{ color?: ColorWhen }>().color ?? 'auto', process.env, process.stdout.isTTY === true);
}

const SGR: Record<string, string> = { RUNNING: '32', FROZEN: '36', FREEZING: '36', STOPPED: '2', STARTING: '33', STOPPING: '33', ABORTING: '31', running: '32', frozen: '36', freezing: '36', finished: '2', REMOVED: '2' };

export function paintState(state: string, on: boolean): string {
  const code = SGR[state];
  return on && code ? `\x1b[${code}m${state}\x1b[0m` : state;
}

/** A formatTable() text with a bold header and the state column painted. */
export function paintTable(table: string, stateHeader: string, on: boolean): string {
  if (!on) return table;
  const [header = '', ...rows] = table.split('\n');
  const at = header.indexOf(stateHeader);
  const painted = rows.map((line) => {
    if (at < 0) return line;
    const m = /^\S+/.exec(line.slice(at));
    return m ? line.slice(0, at) + paintState(m[0], true) + line.slice(at + m[0].length) : line;
  });
  return [`\x1b[1m${header}\x1b[0m`, ...painted].join('\n');
}

/** SGR codes for a figure against its warning levels: red at `high`, yellow at `warn`, plain below (or unknown). */
export function levelColor(value: number | null, warn: number, high: number): string | null {
  if (value === null || !Number.isFinite(value)) return null;
  return value >= high ? '31' : value >= warn ? '33' : null;
}

/**
 * formatTable()'s layout with cells painted: widths come from the plain
 * text, so colour never shifts a column. `paint` gives a cell's SGR code or
 * null; the header is bold.
 */
export function formatPaintedTable(header: string[], rows: string[][], paint: (row: number, col: number) => string | null, on: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], code: (col: number) => string | null) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0);
        const sgr = on ? code(i) : null;
        return sgr ? `\x1b[${sgr}m${c}\x1b[0m${padded.slice(c.length)}` : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, () => '1'), ...rows.map((r, ri) => line(r, (ci) => paint(ri, ci)))].join('\n');
}
