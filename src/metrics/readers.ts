import type { CgroupLayout, Hierarchy } from '../host/cgroups.js';

/**
 * Raw counters of one container or job, straight from cgroup and sysfs
 * files. Parsers are pure; `counterFiles` resolves every path once per target
 * so a tick only reads and parses.
 */

export type ReadFile = (path: string) => string | null;

export {
  parseBlkioBytes,
  parseInteger,
  parseIoStat,
  parseKeyedValue,
  parseMaxLimit,
  parseNetDev,
  parsePsiSomeAvg10,
  parseV1Limit,
  PROC_NET_DEV,
  type IoBytes,
  type NetDevTable,
} from './parsers.js';
import { parseBlkioBytes, parseInteger, parseIoStat, parseKeyedValue, parseMaxLimit, parsePsiSomeAvg10, parseV1Limit, type IoBytes, type NetDevTable } from './parsers.js';

export interface RawCounters {
  /** Cumulative CPU time of the cgroup. */
  cpuUsageSeconds: number | null;
  memoryBytes: number | null;
  /** null: no limit. */
  memoryLimitBytes: number | null;
  pids: number | null;
  /** null: no limit. */
  pidsMax: number | null;
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
  /** Container perspective: bytes the container received (host-side tx). */
  netRxBytes: number | null;
  /** Container perspective: bytes the container sent (host-side rx). */
  netTxBytes: number | null;
  /** PSI "some avg10" (percent of the last 10 s some task stalled). */
  psiCpu: number | null;
  psiMemory: number | null;
  psiIo: number | null;
}

export function emptyCounters(): RawCounters {
  return {
    cpuUsageSeconds: null,
    memoryBytes: null,
    memoryLimitBytes: null,
    pids: null,
    pidsMax: null,
    ioReadBytes: null,
    ioWriteBytes: null,
    netRxBytes: null,
    netTxBytes: null,
    psiCpu: null,
    psiMemory: null,
    psiIo: null,
  };
}

// ---- parsers ---------------------------------------------------------------

/** Every file a target's tick reads, resolved once. Mutable only in `blkioPick`. */
export interface CounterFiles {
  cpu: { path: string; kind: 'v1-ns' | 'v2-stat' } | null;
  memory: string | null;
  memoryLimit: { path: string; kind: 'v1' | 'v2' } | null;
  pids: string | null;
  pidsMax: string | null;
  io: { kind: 'v1'; candidates: string[] } | { kind: 'v2'; path: string } | null;
  /**
   * v1: the candidate that first showed devices. Sticking to it keeps one
   * counter source per target, so a second source appearing later (a throttle
   * rule set while bfq was counting) cannot produce a bogus delta.
   */
  blkioPick: number;
  /** Reads left before the v1 candidates are probed again while none showed devices. */
  blkioProbeWait: number;
  /** Limits change by an admin's hand only: re-read every LIMITS_EVERY reads, kept between. */
  limits: { memory: number | null; pids: number | null; wait: number };
  /** The kernel updates PSI averages every 2 s: read every PSI_EVERY reads, kept between. */
  psiValues: { cpu: number | null; memory: number | null; io: number | null; wait: number };
  psi: { cpu: string; memory: string; io: string } | null;
  /** Host-side interface names (veth peers), for a /proc/net/dev table. */
  netIfaces: string[];
  /** Host-side /sys/class/net/<if>/statistics files (without a table). */
  netHostRx: string[];
  netHostTx: string[];
  /** Directory prefixes to close kept descriptors under when the target goes. */
  prefixes: string[];
}

function v1Dir(dirs: ReadonlyMap<Hierarchy, string>, controller: string): string | null {
  for (const [h, dir] of dirs) if (h.version === 1 && h.controllers.includes(controller)) return dir;
  return null;
}

function v2Dir(dirs: ReadonlyMap<Hierarchy, string>): string | null {
  for (const [h, dir] of dirs) if (h.version === 2) return dir;
  return null;
}

// A kernel interface name (IFNAMSIZ 16 incl. NUL), never a path.
const IFNAME = /^[^/\s:]{1,15}$/;

/**
 * v1 and hybrid read each controller from its v1 hierarchy (the hybrid
 * unified tree carries no controllers); v2 from the unified one. PSI lives
 * only in the unified tree, which a hybrid host has too.
 */
export function counterFiles(layout: CgroupLayout, dirs: ReadonlyMap<Hierarchy, string>, hostInterfaces: readonly string[] = []): CounterFiles {
  const unified = layout === 'v1' ? null : v2Dir(dirs);
  // hybrid: a controller not mounted on v1 may still have its files in the unified tree
  const pick = (controller: string): { dir: string; v1: boolean } | null => {
    const d = layout === 'v1' || layout === 'hybrid' ? v1Dir(dirs, controller) : null;
    if (d !== null) return { dir: d, v1: true };
    return unified === null ? null : { dir: unified, v1: false };
  };
  const cpu = pick('cpuacct');
  const mem = pick('memory');
  const pids = pick('pids');
  const io = pick('blkio');
  const ifaces = hostInterfaces.filter((i) => IFNAME.test(i) && i !== '.' && i !== '..');
  const netDir = (i: string) => `/sys/class/net/${i}/statistics/`;
  return {
    cpu: cpu && (cpu.v1 ? { path: `${cpu.dir}/cpuacct.usage`, kind: 'v1-ns' } : { path: `${cpu.dir}/cpu.stat`, kind: 'v2-stat' }),
    memory: mem && `${mem.dir}/${mem.v1 ? 'memory.usage_in_bytes' : 'memory.current'}`,
    memoryLimit: mem && (mem.v1 ? { path: `${mem.dir}/memory.limit_in_bytes`, kind: 'v1' } : { path: `${mem.dir}/memory.max`, kind: 'v2' }),
    pids: pids && `${pids.dir}/pids.current`,
    pidsMax: pids && `${pids.dir}/pids.max`,
    io:
      io &&
      (io.v1
        ? {
            kind: 'v1',
            candidates: [
              `${io.dir}/blkio.throttle.io_service_bytes_recursive`,
              `${io.dir}/blkio.bfq.io_service_bytes_recursive`,
              `${io.dir}/blkio.throttle.io_service_bytes`,
            ],
          }
        : { kind: 'v2', path: `${io.dir}/io.stat` }),
    blkioPick: -1,
    blkioProbeWait: 0,
    limits: { memory: null, pids: null, wait: 0 },
    psiValues: { cpu: null, memory: null, io: null, wait: 0 },
    psi: unified === null ? null : { cpu: `${unified}/cpu.pressure`, memory: `${unified}/memory.pressure`, io: `${unified}/io.pressure` },
    netIfaces: ifaces,
    netHostRx: ifaces.map((i) => `${netDir(i)}rx_bytes`),
    netHostTx: ifaces.map((i) => `${netDir(i)}tx_bytes`),
    prefixes: [...new Set([...dirs.values()].map((d) => `${d}/`)), ...ifaces.map(netDir)],
  };
}

function sumFiles(paths: readonly string[], read: ReadFile): number | null {
  let sum: number | null = null;
  // a vanished interface drops out of the sum; the rate maths sees the drop as a reset
  for (const p of paths) {
    const n = parseInteger(read(p));
    if (n !== null) sum = (sum ?? 0) + n;
  }
  return sum;
}

/**
 * While no v1 candidate shows devices (the common "Total 0" host), probing all
 * of them every tick is most of a target's reads for nothing: probe on the
 * first read, then every BLKIO_PROBE_EVERY reads.
 */
export const BLKIO_PROBE_EVERY = 10;
export const LIMITS_EVERY = 10;
/**
 * PSI "avg10" is recomputed by the kernel every 2 s (PSI_FREQ in
 * kernel/sched/psi.c); at the default 1 s tick every other read repeats it.
 */
export const PSI_EVERY = 2;

function readIo(files: CounterFiles, read: ReadFile): IoBytes | null {
  const io = files.io;
  if (io === null) return null;
  if (io.kind === 'v2') return parseIoStat(read(io.path));
  if (files.blkioPick >= 0) return parseBlkioBytes(read(io.candidates[files.blkioPick] ?? ''));
  if (files.blkioProbeWait > 0) {
    files.blkioProbeWait--;
    return null;
  }
  for (let i = 0; i < io.candidates.length; i++) {
    const bytes = parseBlkioBytes(read(io.candidates[i] ?? ''));
    if (bytes) {
      files.blkioPick = i;
      return bytes;
    }
  }
  files.blkioProbeWait = BLKIO_PROBE_EVERY - 1;
  return null;
}

function readLimits(files: CounterFiles, read: ReadFile): CounterFiles['limits'] {
  const l = files.limits;
  if (l.wait > 0) {
    l.wait--;
    return l;
  }
  const limit = files.memoryLimit;
  l.memory = limit === null ? null : limit.kind === 'v1' ? parseV1Limit(read(limit.path)) : parseMaxLimit(read(limit.path));
  l.pids = files.pidsMax === null ? null : parseMaxLimit(read(files.pidsMax));
  l.wait = LIMITS_EVERY - 1;
  return l;
}

function sumTable(ifaces: readonly string[], table: NetDevTable, field: 'rx' | 'tx'): number | null {
  let sum: number | null = null;
  for (const i of ifaces) {
    const c = table.get(i);
    if (c !== undefined) sum = (sum ?? 0) + c[field];
  }
  return sum;
}

/**
 * Reads one target's counters into `out` (reused across ticks). With `net`
 * (this tick's /proc/net/dev), interface counters come from the table.
 */
export function readCounters(files: CounterFiles, read: ReadFile, out: RawCounters = emptyCounters(), net: NetDevTable | null = null): RawCounters {
  const totals = readTotals(files, read);
  out.cpuUsageSeconds = totals.cpuSeconds;
  out.memoryBytes = totals.memoryBytes;
  const limits = readLimits(files, read);
  out.memoryLimitBytes = limits.memory;
  out.pids = files.pids === null ? null : parseInteger(read(files.pids));
  out.pidsMax = limits.pids;
  const io = readIo(files, read);
  out.ioReadBytes = io?.read ?? null;
  out.ioWriteBytes = io?.write ?? null;
  // host-side rx is what the container sent
  out.netRxBytes = net ? sumTable(files.netIfaces, net, 'tx') : sumFiles(files.netHostTx, read);
  out.netTxBytes = net ? sumTable(files.netIfaces, net, 'rx') : sumFiles(files.netHostRx, read);
  const psi = files.psi;
  const pv = files.psiValues;
  if (pv.wait > 0) pv.wait--;
  else {
    pv.cpu = psi === null ? null : parsePsiSomeAvg10(read(psi.cpu));
    pv.memory = psi === null ? null : parsePsiSomeAvg10(read(psi.memory));
    pv.io = psi === null ? null : parsePsiSomeAvg10(read(psi.io));
    pv.wait = PSI_EVERY - 1;
  }
  out.psiCpu = pv.cpu;
  out.psiMemory = pv.memory;
  out.psiIo = pv.io;
  return out;
}

/** One-shot convenience: resolve the files and read them. */
export function readContainerCounters(
  layout: CgroupLayout,
  dirs: ReadonlyMap<Hierarchy, string>,
  hostInterfaces: readonly string[],
  read: ReadFile,
): RawCounters {
  return readCounters(counterFiles(layout, dirs, hostInterfaces), read);
}

/** Memory and CPU totals of one cgroup, for listings (the sampler reads more). */
export interface CgroupTotals {
  memoryBytes: number | null;
  cpuSeconds: number | null;
}

/** Reads only the CPU and memory counters of `files` (a listing, not a tick). */
export function readTotals(files: CounterFiles, read: ReadFile): CgroupTotals {
  const cpu = files.cpu;
  let cpuSeconds: number | null = null;
  if (cpu?.kind === 'v1-ns') {
    const ns = parseInteger(read(cpu.path));
    cpuSeconds = ns === null ? null : ns / 1e9;
  } else if (cpu) {
    const usec = parseKeyedValue(read(cpu.path), 'usage_usec');
    cpuSeconds = usec === null ? null : usec / 1e6;
  }
  return { memoryBytes: files.memory === null ? null : parseInteger(read(files.memory)), cpuSeconds };
}
