import type { Disposable } from '../base/disposable.js';

/**
 * One render per tick: widgets call markDirty(); the scheduler renders once
 * on the next turn of the event loop, and at most every `minIntervalMs`, so
 * bursts (pane output, samples, key repeat) coalesce into one frame.
 */
export class RenderScheduler implements Disposable {
  private pending: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private last = 0;
  renders = 0;

  constructor(
    private readonly render: () => void,
    private readonly minIntervalMs = 16,
  ) {}

  /** `gapMs`: a longer minimum gap since the last frame, for low-priority changes (pane output). */
  markDirty(gapMs = this.minIntervalMs): void {
    if (this.pending) return;
    const wait = this.last + gapMs - performance.now();
    const fire = () => {
      this.pending = null;
      this.last = performance.now();
      this.renders++;
      this.render();
    };
    this.pending = wait > 0 ? setTimeout(fire, wait) : setImmediate(fire);
  }

  dispose(): void {
    if (this.pending) {
      clearTimeout(this.pending as NodeJS.Timeout);
      clearImmediate(this.pending as NodeJS.Immediate);
      this.pending = null;
    }
  }
}
