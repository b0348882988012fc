/** Injectable time source, so timing logic can be tested without waiting. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Monotonic ms from hrtime, not performance.now(): the `performance` global loads perf_hooks (~2 ms of a CLI command's start-up). */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const systemClock: Clock = {
  now: monotonicMs,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
