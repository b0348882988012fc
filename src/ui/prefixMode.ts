import type { ResolvedKeymap } from '../commands/keymap.js';
import type { KeyMode, KeyPress } from './keyRouter.js';

export interface PrefixModeDeps {
  keymap: ResolvedKeymap;
  /** Whether the prefix may arm now (not while typing a filter). */
  mayArm(): boolean;
  /** The prefix pressed twice: its bytes go to the focused pane. */
  sendThrough(bytes: string): void;
  /** Runs the command of a chord ('C-b %'); undefined when the chord is unbound. */
  run(commandId: string | undefined): void;
  changed(): void;
}

/**
 * The pane prefix, tmux-style: the prefix key (pane.prefix, Ctrl-b by
 * default) arms it, the next key is a chord for lxcdeck, and the prefix
 * pressed twice is sent to the program.
 */
export class PrefixMode implements KeyMode {
  readonly id = 'prefix';
  /** The prefix key that was pressed, while waiting for the command key. */
  armed: string | null = null;

  constructor(private readonly d: PrefixModeDeps) {}

  active(): boolean {
    return this.armed !== null || this.d.mayArm();
  }

  handle(k: KeyPress): boolean {
    const used = this.armed;
    if (used === null) {
      if (!(this.d.keymap.byCommand.get('pane.prefix') ?? []).includes(k.name)) return false;
      this.armed = k.name;
    } else {
      this.armed = null;
      if (k.name === used) this.d.sendThrough(k.key.sequence ?? '');
      else this.d.run(this.d.keymap.byKey.get(`${used} ${k.name}`));
    }
    this.d.changed();
    return true;
  }
}
