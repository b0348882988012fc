import type blessed from 'blessed';
import type { Disposable } from '../base/disposable.js';

/** A key as the modes see it: blessed's event plus the name the keymap uses. */
export interface KeyPress {
  ch: string | undefined;
  /** Key name in the keymap's notation ('q', 'C-c', 'S-tab', 'T' for Shift+t). */
  name: string;
  key: blessed.Widgets.Events.IKeyEventArg;
}

/** One layer of key handling: an overlay, the pane prefix, a pane, the filter line, the list. */
export interface KeyMode {
  readonly id: string;
  /** Whether the mode is on now (an overlay is open, a pane has focus, ...). */
  active(): boolean;
  /** Handles a key; false lets the next mode down have it. */
  handle(k: KeyPress): boolean;
}

/**
 * Routes each key to the topmost active mode that takes it. The modes are a
 * stack: the newest pushed is asked first. Keys themselves are resolved by
 * each mode through the keymap (every mode's keys are command-table entries).
 */
export class KeyRouter {
  private readonly modes: KeyMode[] = [];

  push(mode: KeyMode): Disposable {
    this.modes.push(mode);
    return { dispose: () => void this.modes.splice(this.modes.indexOf(mode) >>> 0, 1) };
  }

  /** The topmost active mode's id (tests and the status line ask). */
  current(): string | null {
    for (let i = this.modes.length - 1; i >= 0; i--) if (this.modes[i]?.active()) return this.modes[i]?.id ?? null;
    return null;
  }

  dispatch(ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg): void {
    const full = key.full ?? key.name ?? ch ?? '';
    // blessed reports Enter twice, as 'enter' and then 'return': act once
    if (full === 'return') return;
    // blessed names Shift+letter 'S-t'; the keymap writes it as the letter 'T'
    const name = /^S-[a-z]$/.test(full) && ch ? ch : full;
    const k: KeyPress = { ch, name, key };
    for (let i = this.modes.length - 1; i >= 0; i--) {
      const m = this.modes[i] as KeyMode;
      if (m.active() && m.handle(k)) return;
    }
  }
}

/** Whether a key types a character into a text field (not a control key). */
export function typedChar(k: KeyPress): string | null {
  const ch = k.ch;
  return ch && ch >= ' ' && ch !== '\u007f' && !k.key.ctrl ? ch : null;
}
