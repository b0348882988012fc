import { LxcdeckError } from './errors.js';
import { parseSize, SIZE_FIX } from './size.js';

/**
 * Resource limits as users give them (--memory-max 512M --cpu-max 50 ...)
 * and the cgroup files / lxc.cgroup keys they become on cgroup v1 (hybrid
 * hosts) and v2. Pure: validation happens here, liblxc and the kernel judge
 * the rest.
 */
export interface LimitRequest {
  memoryMax?: string;
  memorySwapMax?: string;
  /** Percent of one CPU (150 = one and a half). */
  cpuMax?: string;
  cpus?: string;
  pidsMax?: string;
  ioWeight?: string;
}

/** One cgroup file to set, as liblxc names it (set_cgroup_item) and as a config key. */
export interface CgroupSetting {
  /** The option it came from, for messages. */
  option: string;
  /** Controller file, e.g. memory.max or memory.limit_in_bytes. */
  file: string;
  value: string;
  /** lxc.cgroup2.<file> or lxc.cgroup.<file>. */
  key: string;
}

export type CgroupVersion = 1 | 2;
const PERIOD = 100000;

function whole(option: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new LxcdeckError('invalid-argument', `invalid ${option} ${JSON.stringify(text)}`, `use a whole number from ${min} to ${max}`);
  return n;
}

function bytes(option: string, text: string): number {
  const r = parseSize(text);
  if (!r.ok) throw new LxcdeckError('invalid-argument', `invalid ${option} ${JSON.stringify(text)}`, SIZE_FIX);
  if (r.bytes < 1024 * 1024) throw new LxcdeckError('invalid-argument', `${option} ${text} is below 1M: a container cannot start in that`, 'give at least 1M, e.g. 64M');
  return r.bytes;
}

/** The settings a request asks for, in a stable order; throws a one-line error on bad input. */
export function cgroupSettings(req: LimitRequest, version: CgroupVersion): CgroupSetting[] {
  const out: CgroupSetting[] = [];
  const add = (option: string, v1: string, v2: string, value: string) => {
    const file = version === 2 ? v2 : v1;
    out.push({ option, file, value, key: `${version === 2 ? 'lxc.cgroup2' : 'lxc.cgroup'}.${file}` });
  };
  if (req.memoryMax !== undefined) add('--memory-max', 'memory.limit_in_bytes', 'memory.max', String(bytes('--memory-max', req.memoryMax)));
  if (req.memorySwapMax !== undefined) {
    const swap = bytes('--memory-swap-max', req.memorySwapMax);
    // v1 counts memory + swap together
    const mem = req.memoryMax === undefined ? null : bytes('--memory-max', req.memoryMax);
    if (version === 1 && mem === null) throw new LxcdeckError('invalid-argument', '--memory-swap-max needs --memory-max on cgroup v1 (memsw counts both)', 'give --memory-max too');
    add('--memory-swap-max', 'memory.memsw.limit_in_bytes', 'memory.swap.max', String(version === 1 ? (mem ?? 0) + swap : swap));
  }
  if (req.cpuMax !== undefined) {
    const pct = whole('--cpu-max', req.cpuMax, 1, 100000);
    const quota = String((pct * PERIOD) / 100);
    if (version === 2) add('--cpu-max', '', 'cpu.max', `${quota} ${PERIOD}`);
    else {
      add('--cpu-max', 'cpu.cfs_period_us', '', String(PERIOD));
      add('--cpu-max', 'cpu.cfs_quota_us', '', quota);
    }
  }
  if (req.cpus !== undefined) {
    if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(req.cpus)) throw new LxcdeckError('invalid-argument', `invalid --cpus ${JSON.stringify(req.cpus)}`, 'use a CPU list such as 0, 0-1 or 0,2');
    add('--cpus', 'cpuset.cpus', 'cpuset.cpus', req.cpus);
  }
  if (req.pidsMax !== undefined) add('--pids-max', 'pids.max', 'pids.max', String(whole('--pids-max', req.pidsMax, 1, 4194304)));
  if (req.ioWeight !== undefined) {
    const w = version === 2 ? whole('--io-weight', req.ioWeight, 1, 10000) : whole('--io-weight', req.ioWeight, 10, 1000);
    add('--io-weight', 'blkio.weight', 'io.weight', String(w));
  }
  return out;
}

export function hasLimits(req: LimitRequest): boolean {
  return Object.values(req).some((v) => v !== undefined);
}
