import * as path from 'node:path';
import type { CgroupHost, Hierarchy } from './cgroups.js';
import type { HostFs } from './hostfs.js';

/** Memory and CPU totals of one cgroup, for listings (the sampler reads more). */
export interface CgroupTotals {
  memoryBytes: number | null;
  cpuSeconds: number | null;
}

function readNumber(fs: HostFs, file: string): number | null {
  const t = fs.read(file);
  if (t === null) return null;
  const n = Number(t.trim());
  return Number.isFinite(n) ? n : null;
}

/** `key value` lines (cpu.stat, memory.stat) -> the value of one key. */
export function flatKeyed(text: string | null, key: string): number | null {
  if (!text) return null;
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

export function readTotals(fs: HostFs, host: CgroupHost, dirs: Map<Hierarchy, string>): CgroupTotals {
  let memoryBytes: number | null = null;
  let cpuSeconds: number | null = null;
  for (const [h, dir] of dirs) {
    if (h.version === 1 && h.controllers.includes('memory')) memoryBytes = readNumber(fs, path.posix.join(dir, 'memory.usage_in_bytes'));
    if (h.version === 1 && h.controllers.includes('cpuacct')) {
      const ns = readNumber(fs, path.posix.join(dir, 'cpuacct.usage'));
      cpuSeconds = ns === null ? null : ns / 1e9;
    }
  }
  const v2 = [...dirs].find(([h]) => h.version === 2);
  if (v2 && host.layout === 'v2') {
    memoryBytes ??= readNumber(fs, path.posix.join(v2[1], 'memory.current'));
    const usec = flatKeyed(fs.read(path.posix.join(v2[1], 'cpu.stat')), 'usage_usec');
    cpuSeconds ??= usec === null ? null : usec / 1e6;
  }
  return { memoryBytes, cpuSeconds };
}
