import type { Disposable } from '../base/disposable.js';

const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

/**
 * The host terminal's bracketed paste, taken whole from the input before
 * blessed splits it into keys: a paste into a pane arrives as one write,
 * bracketed if the program asked for it. While `dropping` is true, blessed's
 * keys for that same paste are to be ignored.
 */
export class PasteCatcher implements Disposable {
  dropping = false;
  private readonly dispose_: () => void;

  constructor(input: NodeJS.ReadableStream, wanted: () => boolean, deliver: (text: string) => void) {
    let text: string | null = null;
    const onData = (d: Buffer | string) => {
      let str = d.toString();
      if (text === null) {
        const i = str.indexOf(PASTE_START);
        if (i < 0 || !wanted()) return;
        text = '';
        str = str.slice(i + PASTE_START.length);
      }
      // blessed turns this same chunk into keys right after this listener: drop them
      this.dropping = true;
      const end = str.indexOf(PASTE_END);
      if (end < 0) {
        text += str;
        return;
      }
      deliver(text + str.slice(0, end));
      text = null;
      setImmediate(() => (this.dropping = false));
    };
    const stream = input as NodeJS.ReadableStream & { prependListener(e: 'data', f: (d: Buffer | string) => void): void };
    stream.prependListener('data', onData);
    this.dispose_ = () => input.removeListener('data', onData);
  }

  dispose(): void {
    this.dispose_();
  }
}
