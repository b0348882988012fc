import type blessed from 'blessed';
import { rgbTo256 } from '../presentation/cells.js';

/** blessed packs a colour into 9 bits: 0-255 are xterm's, 0x1ff is the default; 256-510 are free for ours. */
const FIRST = 256;
const LAST = 0x1fe;

/**
 * 24-bit colour for pane cells on a truecolor terminal. blessed can only pack
 * and emit xterm-256 indexes, so each distinct RGB colour gets one of the
 * spare codes above 255 (kept for the session, so blessed's diff of old and
 * new cells stays right), and the SGR sequences blessed writes are rewritten
 * from `38;5;<code>` to `38;2;r;g;b`. Once the spare codes are used up, the
 * rest fall back to the nearest of the 256 colours.
 */
export class TrueColorCodes {
  private readonly codes = new Map<number, number>();
  private readonly rgbs: number[] = [];

  code(rgb: number): number {
    const known = this.codes.get(rgb);
    if (known !== undefined) return known;
    if (FIRST + this.rgbs.length > LAST) return rgbTo256(rgb);
    const code = FIRST + this.rgbs.length;
    this.rgbs.push(rgb);
    this.codes.set(rgb, code);
    return code;
  }

  /** An SGR sequence's parameters with our codes turned into 24-bit colours. */
  rewrite(params: string): string {
    return params.replace(/(^|;)([34]8);5;(\d{3})(?=;|$)/g, (m, lead: string, kind: string, n: string) => {
      const rgb = this.rgbs[Number(n) - FIRST];
      return rgb === undefined ? m : `${lead}${kind};2;${(rgb >> 16) & 0xff};${(rgb >> 8) & 0xff};${rgb & 0xff}`;
    });
  }
}

const tables = new WeakMap<object, TrueColorCodes>();

/** Turns on 24-bit colour for this screen's panes (the terminal said it has it). */
export function emitTrueColor(screen: blessed.Widgets.Screen): void {
  const table = new TrueColorCodes();
  tables.set(screen, table);
  const program = screen.program as unknown as { _write(text: string): unknown };
  const write = program._write.bind(program);
  // only inside CSI ... m: pane text never holds an ESC (it is drawn from emulator cells)
  program._write = (text: string) => write(text.includes('\x1b[') ? text.replace(/\x1b\[([0-9;]*)m/g, (_, p: string) => `\x1b[${table.rewrite(p)}m`) : text);
}

/** How a pane on this screen packs an RGB cell colour: a 24-bit code when the screen has them, else the nearest of 256. */
export function rgbCodeFor(screen: blessed.Widgets.Screen): (rgb: number) => number {
  const table = tables.get(screen);
  return table ? (rgb) => table.code(rgb) : rgbTo256;
}
