import type { Disposable } from '../base/disposable.js';

/**
 * One render per tick: widgets call markDirty(); the scheduler renders once
 * on the next turn of the event loop, and at most every `minIntervalMs`, so
 * bursts (pane output, samples, key repeat) coalesce into one frame.
 */
export class RenderScheduler implements Disposable {
  private pending: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private pendingAt = 0;
  private last = 0;
  renders = 0;

  constructor(
    private readonly render: () => void,
    private readonly minIntervalMs = 16,
  ) {}

  /**
   * `gapMs`: a longer minimum gap since the last frame, for low-priority
   * changes (pane output). An urgent change moves a later pending frame
   * earlier (a keystroke's echo must not wait for a flood's frame rate).
   */
  markDirty(gapMs = this.minIntervalMs): void {
    const now = performance.now();
    const at = Math.max(now, this.last + gapMs);
    if (this.pending) {
      if (at >= this.pendingAt) return;
      this.cancel();
    }
    const fire = () => {
      this.pending = null;
      this.last = performance.now();
      this.renders++;
      this.render();
    };
    this.pendingAt = at;
    this.pending = at > now ? setTimeout(fire, at - now) : setImmediate(fire);
  }

  private cancel(): void {
    if (!this.pending) return;
    clearTimeout(this.pending as NodeJS.Timeout);
    clearImmediate(this.pending as NodeJS.Immediate);
    this.pending = null;
  }

  dispose(): void {
    this.cancel();
  }
}
