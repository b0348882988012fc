/**
 * A streaming filter for what a container writes to the user's own terminal
 * (`lxcdeck attach` and `console` outside the TUI; the TUI's panes draw from
 * an emulator instead). What draws passes: text (UTF-8 too), C0 controls,
 * colours and attributes (SGR), cursor movement, erase, insert and delete,
 * scroll regions, charset selection, the alternate screen, cursor style,
 * bracketed paste, focus and mouse modes, and keyboard modes. Everything
 * else is dropped whole, never passed in part: OSC (titles, clipboard,
 * hyperlinks, colours), DCS, APC, PM, SOS, C1 controls, and every query or
 * report (DA, DSR/CPR, DECRQM, DECRQSS, XTGETTCAP, XTVERSION, window
 * reports and window changes, ENQ, DECID). A few queries are answered the
 * way the pane emulator (xterm.js) answers them, through `onReply`: DA1,
 * DA2 and DSR 5 (status). The cursor position report (DSR 6) is not
 * answered: only a terminal knows where its cursor is.
 *
 * Sequences may be split anywhere across chunks. A sequence is buffered
 * only up to MAX_SEQUENCE bytes (longer ones are dropped as they stream);
 * dropped strings (OSC, DCS...) are never buffered at all, so no input can
 * make the filter grow. Same state machine as a VT500 parser (and
 * xterm.js): ESC, CAN or SUB end a string; BEL ends an OSC; C0 controls
 * inside a sequence are carried out at once.
 */

import { classifyCsi, classifyEsc, malformedCsi, MAX_SEQUENCE, wholeCsi, type Verdict } from './escapeRules.js';

export interface EscapeFilterOptions {
  /** Receives the answers to the queries the filter answers (to send to the program as input). */
  onReply?: (answer: string) => void;
}

const EMPTY = new Uint8Array(0);
const C2 = new Uint8Array([0xc2]);

const enum S {
  Ground,
  Esc,
  EscInter,
  Csi,
  CsiIgnore,
  Str,
}

const ESC = 0x1b;
const BEL = 0x07;
const ENQ = 0x05;
const CAN = 0x18;
const SUB = 0x1a;
const DEL = 0x7f;

export class EscapeFilter {
  private state = S.Ground;
  private readonly seq = new Uint8Array(MAX_SEQUENCE);
  private seqLen = 0;
  /** The current sequence's first bytes came in an earlier chunk (or were cut by a control): they exist only in `seq`. */
  private seqBuffered = false;
  private osc = false;
  private strC2 = false;
  /** UTF-8: continuation bytes still expected, and whether the lead was C2 (U+0080-U+00BF, where C1 lives). */
  private need = 0;
  private leadC2 = false;
  private heldC2 = false;
  private readonly reply: ((s: string) => void) | undefined;

  constructor(options: EscapeFilterOptions = {}) {
    this.reply = options.onReply;
  }

  /** The stream ended: a sequence still open is dropped; a held C2 (a cut character, not a control) is let out. */
  end(): Uint8Array {
    const held = this.heldC2;
    this.heldC2 = false;
    this.state = S.Ground;
    this.seqBuffered = false;
    this.need = 0;
    return held ? C2 : EMPTY;
  }

  /** Filters one chunk; returns what may reach the terminal (possibly `chunk` itself). */
  push(chunk: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    const n = chunk.length;
    let state = this.state;
    let need = this.need;
    let leadC2 = this.leadC2;
    let runStart = 0;
    let seqStart = -1;
    let i = 0;
    const seq = this.seq;
    const flush = (from: number, to: number) => {
      if (to > from) parts.push(from === 0 && to === n ? chunk : chunk.subarray(from, to));
    };
    /** Ends the current sequence: passes it whole or drops it whole. */
    const finish = (verdict: Verdict, at: number) => {
      if (verdict === 'pass') {
        if (this.seqBuffered) {
          parts.push(seq.slice(0, this.seqLen));
          runStart = at + 1;
        }
      } else {
        if (!this.seqBuffered) flush(runStart, seqStart);
        runStart = at + 1;
      }
      this.seqBuffered = false;
      state = S.Ground;
    };
    const begin = (at: number) => {
      seqStart = at;
      this.seqBuffered = false;
      seq[0] = ESC;
      this.seqLen = 1;
      state = S.Esc;
    };
    /** A control byte inside a sequence: carried out now, the sequence goes on. */
    const control = (b: number, at: number) => {
      if (!this.seqBuffered) {
        flush(runStart, seqStart);
        this.seqBuffered = true;
      }
      if (b !== ENQ) parts.push(chunk.subarray(at, at + 1));
    };
    const add = (b: number): boolean => {
      if (this.seqLen >= MAX_SEQUENCE) return false;
      seq[this.seqLen++] = b;
      return true;
    };

    if (this.heldC2 && n > 0) {
      this.heldC2 = false;
      const b = chunk[0] as number;
      if (b >= 0x80 && b <= 0x9f) {
        // the held C2 and this byte are a C1 control
        i = 1;
        runStart = 1;
        need = 0;
        leadC2 = false;
      } else {
        parts.push(C2);
      }
    }

    const buf = chunk;
    const len = n;
    for (; i < len; i++) {
      const b = buf[i] as number;
      switch (state) {
        case S.Ground: {
          // the hot loop: runs of printable ASCII and colours (ESC [ digits ; : m), passed in place
          let j = i;
          for (;;) {
            while (j < len) {
              const c = buf[j] as number;
              if (c < 0x20 || c >= 0x7f) break;
              j++;
            }
            if (j + 2 >= len || buf[j] !== ESC || buf[j + 1] !== 0x5b) break;
            let k = j + 2;
            const limit = j + MAX_SEQUENCE < len ? j + MAX_SEQUENCE : len;
            while (k < limit) {
              const c = buf[k] as number;
              if (c < 0x30 || c > 0x3b) break;
              k++;
            }
            if (k >= limit || buf[k] !== 0x6d) break;
            j = k + 1;
          }
          if (j > i) {
            need = 0;
            i = j - 1;
            continue;
          }
        }
          if (b >= 0x80) {
            if (b >= 0xc0) {
              need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
              leadC2 = b === 0xc2;
            } else if (need > 0) {
              if (leadC2 && b <= 0x9f) {
                // U+0080-U+009F: a C1 control (CSI, OSC, DCS... in one code point)
                flush(runStart, i - 1);
                runStart = i + 1;
              }
              need--;
              leadC2 = false;
            } else if (b <= 0x9f) {
              // a raw C1 byte outside UTF-8
              flush(runStart, i);
              runStart = i + 1;
            }
            continue;
          }
          need = 0;
          if (b === ESC) {
            // a whole plain CSI inside this chunk (not colours, see above): decided in place, without buffering
            const last = wholeCsi(chunk, i, n);
            if (last < 0) begin(i);
            else {
              const ok = last - i < MAX_SEQUENCE && !malformedCsi(chunk, i, last) && classifyCsi(chunk, i, last - i + 1, this.reply) === 'pass';
              if (!ok) {
                flush(runStart, i);
                runStart = last + 1;
              }
              i = last;
            }
          } else if (b === ENQ) {
            flush(runStart, i);
            runStart = i + 1;
          }
          continue;
        case S.Str:
          if (b === ESC) {
            runStart = i;
            begin(i);
          }
          else if (b === CAN || b === SUB || (b === BEL && this.osc) || (b === 0x9c && this.strC2)) {
            state = S.Ground;
            runStart = i + 1;
          }
          this.strC2 = b === 0xc2;
          continue;
        default:
          break;
      }
      // inside ESC or CSI: what every sequence state does alike
      if (b === ESC) {
        if (!this.seqBuffered) flush(runStart, seqStart);
        runStart = i;
        begin(i);
        continue;
      }
      if (b === CAN || b === SUB) {
        finish('drop', i);
        continue;
      }
      if (b < 0x20) {
        control(b, i);
        continue;
      }
      if (b === DEL) continue;
      if (b >= 0x80) {
        // not part of any sequence: drop what was collected and read the byte as text
        finish('drop', i - 1);
        i--;
        continue;
      }
      switch (state) {
        case S.Esc:
          if (b === 0x5b) {
            add(b);
            state = S.Csi;
          } else if (b === 0x5d || b === 0x50 || b === 0x5f || b === 0x5e || b === 0x58) {
            // OSC, DCS, APC, PM, SOS: dropped as they stream, never buffered
            finish('drop', i);
            state = S.Str;
            this.osc = b === 0x5d;
            this.strC2 = false;
          } else if (b <= 0x2f) {
            add(b);
            state = S.EscInter;
          } else {
            add(b);
            finish(classifyEsc(seq, this.seqLen), i);
          }
          break;
        case S.EscInter:
          if (b <= 0x2f) {
            if (!add(b) || this.seqLen > 4) state = S.CsiIgnore;
          } else {
            add(b);
            finish(classifyEsc(seq, this.seqLen), i);
          }
          break;
        case S.Csi:
          if (b >= 0x40) {
            add(b);
            finish(classifyCsi(seq, 0, this.seqLen, this.reply), i);
          } else if (this.seqLen >= MAX_SEQUENCE - 1 || !add(b)) {
            // no room left for the final byte: dropped as it streams
            state = S.CsiIgnore;
          } else if (b >= 0x30) {
            // a parameter after an intermediate, or a private marker after the first byte: malformed
            const prev = seq[this.seqLen - 2] as number;
            if ((prev >= 0x20 && prev <= 0x2f) || (b >= 0x3c && this.seqLen > 3)) state = S.CsiIgnore;
          }
          break;
        case S.CsiIgnore:
          if (b >= 0x40) finish('drop', i);
          break;
      }
    }

    if (state === S.Ground) {
      if (need === 1 && leadC2 && n > 0 && chunk[n - 1] === 0xc2) {
        // the next byte decides whether this starts a C1 control
        flush(runStart, n - 1);
        this.heldC2 = true;
        need = 0;
        leadC2 = false;
      } else {
        flush(runStart, n);
      }
    } else if (state !== S.Str && !this.seqBuffered) {
      flush(runStart, seqStart);
      this.seqBuffered = true;
    }
    this.state = state;
    this.need = need;
    this.leadC2 = leadC2;
    if (parts.length === 0) return EMPTY;
    if (parts.length === 1) return parts[0] as Uint8Array;
    let total = 0;
    for (const p of parts) total += p.length;
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

/** Filters a whole buffer at once (tests, one-shot use). */
export function filterEscapes(data: Uint8Array, options?: EscapeFilterOptions): Uint8Array {
  const f = new EscapeFilter(options);
  const out = f.push(data);
  const tail = f.end();
  if (!tail.length) return out;
  const all = new Uint8Array(out.length + tail.length);
  all.set(out);
  all.set(tail, out.length);
  return all;
}
