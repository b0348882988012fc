/**
 * Which escape sequences may reach the user's terminal (see escapeFilter.ts
 * for the streaming side): decided on a complete sequence, with the
 * answers to the queries lxcdeck answers.
 */

/** The longest CSI or ESC sequence kept to be decided; longer ones are dropped as they stream. */
export const MAX_SEQUENCE = 256;

/** DEC private modes a program may set: cursor keys, screen, cursor, mouse, alternate screen, paste, sync. */
const DEC_MODES = new Set([1, 4, 5, 6, 7, 8, 9, 12, 25, 45, 47, 66, 67, 69, 1000, 1002, 1003, 1004, 1005, 1006, 1007, 1015, 1016, 1034, 1035, 1036, 1039, 1042, 1047, 1048, 1049, 2004, 2026, 2027]);
/** ANSI modes: insert (IRM) and newline (LNM); not keyboard lock (2) or local echo (12). */
const ANSI_MODES = new Set([4, 20]);
/** CSI finals without prefix or intermediates that only draw or move. */
const PLAIN_FINALS = new Set('@ABCDEFGHIJKLMPSTXZ`abdefgmqrsu'.split('').map((c) => c.charCodeAt(0)));

const REPLY_DA1 = '\x1b[?1;2c';
const REPLY_DA2 = '\x1b[>0;276;0c';
const REPLY_DSR_OK = '\x1b[0n';

export type Verdict = 'pass' | 'drop';

function params(seq: Uint8Array, from: number, to: number): number[] {
  const out: number[] = [];
  let v = 0;
  let any = false;
  for (let i = from; i < to; i++) {
    const b = seq[i] as number;
    if (b >= 0x30 && b <= 0x39) {
      v = Math.min(v * 10 + (b - 0x30), 99999);
      any = true;
    } else if (b === 0x3b) {
      out.push(any ? v : 0);
      v = 0;
      any = false;
    } else if (b === 0x3a) {
      // sub-parameters (SGR colours): part of the current parameter
      any = true;
    }
  }
  if (any || out.length) out.push(any ? v : 0);
  return out;
}

/** Decides a complete CSI sequence, seq[off..off+len) = ESC [ ... final. */
export function classifyCsi(seq: Uint8Array, off: number, len: number, reply: ((s: string) => void) | undefined): Verdict {
  const last = off + len - 1;
  const final = seq[last] as number;
  let p = off + 2;
  const first = seq[p] as number;
  const prefix = len > 3 && first >= 0x3c && first <= 0x3f ? first : 0;
  if (prefix) p++;
  let end = last;
  while (end > p && (seq[end - 1] as number) >= 0x20 && (seq[end - 1] as number) <= 0x2f) end--;
  const inter = last - end;
  if (inter > 0) {
    if (inter !== 1 || prefix) return 'drop';
    const i = seq[last - 1] as number;
    // cursor style (SP q), soft reset (! p), protected attribute (" q)
    if ((i === 0x20 && final === 0x71) || (i === 0x21 && final === 0x70) || (i === 0x22 && final === 0x71)) return 'pass';
    return 'drop';
  }
  // the common case first, without parsing parameters: colours and attributes
  if (prefix === 0 && final === 0x6d) return 'pass';
  if (prefix === 0 && final !== 0x63 && final !== 0x6e && final !== 0x68 && final !== 0x6c && final !== 0x74) return PLAIN_FINALS.has(final) ? 'pass' : 'drop';
  const ps = params(seq, p, end);
  if (prefix === 0) {
    if (final === 0x63) {
      // DA1
      if (ps.every((x) => x === 0)) reply?.(REPLY_DA1);
      return 'drop';
    }
    if (final === 0x6e) {
      // DSR: 5 is "are you OK"; 6 (cursor position) cannot be answered without the screen
      if (ps.length === 1 && ps[0] === 5) reply?.(REPLY_DSR_OK);
      return 'drop';
    }
    if (final === 0x68 || final === 0x6c) return ps.length > 0 && ps.every((m) => ANSI_MODES.has(m)) ? 'pass' : 'drop';
    // window operations: only push and pop title (22, 23), which change nothing visible
    if (final === 0x74) return ps.length >= 1 && (ps[0] === 22 || ps[0] === 23) ? 'pass' : 'drop';
    return PLAIN_FINALS.has(final) ? 'pass' : 'drop';
  }
  if (prefix === 0x3f) {
    if (final === 0x68 || final === 0x6c) return ps.length > 0 && ps.every((m) => DEC_MODES.has(m)) ? 'pass' : 'drop';
    // selective erase, save and restore of DEC modes
    return final === 0x4a || final === 0x4b || final === 0x72 || final === 0x73 ? 'pass' : 'drop';
  }
  if (prefix === 0x3e) {
    if (final === 0x63) {
      if (ps.every((x) => x === 0)) reply?.(REPLY_DA2);
      return 'drop';
    }
    // key modifier options (> m), kitty keyboard push (> u)
    return final === 0x6d || final === 0x75 ? 'pass' : 'drop';
  }
  // kitty keyboard pop (< u) and set (= u)
  return final === 0x75 ? 'pass' : 'drop';
}

/** Decides ESC [intermediates] final (not CSI or a string). */
export function classifyEsc(seq: Uint8Array, len: number): Verdict {
  const final = seq[len - 1] as number;
  if (len === 2) return final === 0x5a /* DECID */ || final === 0x5c /* ST */ ? 'drop' : 'pass';
  const i = seq[1] as number;
  // charset designation G0-G3: ESC ( B, ESC ) 0, ESC ( % 5 ...
  if (len <= 4 && (i === 0x28 || i === 0x29 || i === 0x2a || i === 0x2b || i === 0x2d || i === 0x2e || i === 0x2f)) return 'pass';
  // double-height and double-width lines, screen alignment
  if (len === 3 && i === 0x23 && (final === 0x33 || final === 0x34 || final === 0x35 || final === 0x36 || final === 0x38)) return 'pass';
  // not: ESC % (switching away from UTF-8 would turn text bytes into C1 controls), ESC SP F/G (7/8-bit controls)
  return 'drop';
}

/** Index of the final byte of the CSI at buf[at] when all of it is in buf and holds only parameters and intermediates; else -1. */
export function wholeCsi(buf: Uint8Array, at: number, n: number): number {
  if (at + 2 >= n || buf[at + 1] !== 0x5b) return -1;
  const limit = Math.min(n, at + MAX_SEQUENCE + 1);
  for (let k = at + 2; k < limit; k++) {
    const c = buf[k] as number;
    if (c >= 0x40 && c <= 0x7e) return k;
    if (c < 0x20 || c > 0x3f) return -1;
  }
  return -1;
}

/** The same rule the streaming states apply: no parameter after an intermediate, a private marker only first. */
export function malformedCsi(buf: Uint8Array, at: number, last: number): boolean {
  let inter = false;
  for (let k = at + 2; k < last; k++) {
    const c = buf[k] as number;
    if (c <= 0x2f) inter = true;
    else if (inter || (c >= 0x3c && k > at + 2)) return true;
  }
  return false;
}

