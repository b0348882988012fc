import { LxcdeckError } from '../core/errors.js';
import { parseSize as parseSizeText } from '../core/size.js';

/** Limits a job's cgroup gets at creation. Absent: unlimited. */
export interface JobLimits {
  /** 100 = one core. */
  cpuMaxPercent?: number;
  memoryMaxBytes?: number;
  pidsMax?: number;
}

/**
 * "512M", "1.5GiB", "4096": cgroup sizes are binary, so K/M/G and KiB/MiB/GiB
 * both mean powers of 1024 (as memory.max and lxc.cgroup.* read them). The
 * reading is core's (the forms use the same); a job needs at least 4K.
 */
export function parseSize(text: string): number {
  const r = parseSizeText(text);
  if (!r.ok || r.bytes < 4096)
    throw new LxcdeckError('invalid-argument', `invalid size ${JSON.stringify(text)}`, 'use a number of bytes of at least 4K with an optional unit K, M, G, T (or KiB, MiB, GiB, TiB), e.g. 512M');
  return r.bytes;
}

/** "50", "50%", "250": percent of one core; at most all cores. */
export function parseCpuPercent(text: string, cpus: number): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const pct = m ? Number(m[1]) : NaN;
  const max = Math.max(1, cpus) * 100;
  if (!Number.isFinite(pct) || pct < 1 || pct > max)
    throw new LxcdeckError('invalid-argument', `invalid CPU percentage ${JSON.stringify(text)}`, `use 1 to ${max} (100 = one core), e.g. --cpu-max 50`);
  return pct;
}

export function parsePidsMax(text: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 4_194_304)
    throw new LxcdeckError('invalid-argument', `invalid process limit ${JSON.stringify(text)}`, 'use a whole number from 1 to 4194304, e.g. --pids-max 64');
  return n;
}

export const CFS_PERIOD_US = 100_000;

/** cfs quota in microseconds per CFS_PERIOD_US for a percentage of one core (the kernel's minimum is 1000). */
export function cpuQuotaUs(percent: number): number {
  return Math.max(1000, Math.round((percent / 100) * CFS_PERIOD_US));
}
