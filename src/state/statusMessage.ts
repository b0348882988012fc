import { systemClock, type Clock } from '../base/clock.js';

export type StatusLevel = 'info' | 'warn' | 'error';

export interface StatusMessage {
  level: StatusLevel;
  text: string;
}

/** How long a message stays on the status line; errors stay until the next key. */
export const STATUS_LIFETIME_MS: Record<Exclude<StatusLevel, 'error'>, number> = { info: 4000, warn: 8000 };

/**
 * The status line's one message and its lifetime: the next message replaces
 * it, info and warnings fade after a few seconds, an error stays until the
 * user presses a key after seeing it. The event log keeps the history.
 */
export class StatusMessages {
  private current: (StatusMessage & { at: number }) | null = null;

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly lifetimes = STATUS_LIFETIME_MS,
  ) {}

  show(level: StatusLevel, text: string): void {
    this.current = { level, text, at: this.clock.now() };
  }

  /** A key was pressed: an error has been seen and goes (before the key runs: its own result stays). */
  keyPressed(): void {
    if (this.current?.level === 'error') this.current = null;
  }

  clear(): void {
    this.current = null;
  }

  /** What the status line shows now, if anything. */
  get(): StatusMessage | null {
    const c = this.current;
    if (!c) return null;
    if (c.level !== 'error' && this.clock.now() - c.at >= this.lifetimes[c.level]) {
      this.current = null;
      return null;
    }
    return { level: c.level, text: c.text };
  }

  /** Milliseconds until the shown message fades (a redraw is due then), or null. */
  fadesIn(): number | null {
    const c = this.current;
    if (!c || c.level === 'error') return null;
    return Math.max(0, c.at + this.lifetimes[c.level] - this.clock.now());
  }
}
