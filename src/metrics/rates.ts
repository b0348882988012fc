/**
 * Rate maths over monotonic counters. A counter that went backwards was reset
 * (container restarted into a fresh cgroup, interface re-created) or wrapped:
 * its delta means nothing, so the rate is unknown (null), never negative.
 */

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** Units per second between two readings of a counter taken `seconds` apart. */
export function counterRate(previous: number | null, current: number | null, seconds: number): number | null {
  if (previous === null || current === null) return null;
  if (!(seconds > 0) || !Number.isFinite(seconds)) return null;
  const delta = current - previous;
  if (!Number.isFinite(delta) || delta < 0) return null;
  return delta / seconds;
}

/**
 * CPU use from cgroup CPU time (seconds) over wall time (seconds), where 100
 * is one core fully busy: two busy cores read 200.
 */
export function cpuPercent(previousCpuSeconds: number | null, currentCpuSeconds: number | null, wallSeconds: number): number | null {
  const r = counterRate(previousCpuSeconds, currentCpuSeconds, wallSeconds);
  return r === null ? null : r * 100;
}
