import * as path from 'node:path';
import type { HostFs } from './hostfs.js';

/** One process of a container, as /proc says. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** R running, S sleeping, D disk wait, Z zombie, T stopped, ... */
  state: string;
  /** User + system CPU seconds. */
  cpuSeconds: number;
  rssBytes: number;
  /** The command line (or [comm] for a kernel-style name with no arguments). */
  command: string;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

/** /proc/PID/stat: comm can hold spaces and parentheses, so fields start after the last ')'. */
export function parseProcStat(text: string): { ppid: number; state: string; cpuSeconds: number; rssPages: number; comm: string } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // after comm: state(3) ppid(4) ... utime(14) stime(15) ... rss(24), numbered from 1 with pid and comm
  const num = (i: number) => Number(f[i - 3]);
  if (f.length < 22) return null;
  return { state: f[0] ?? '?', ppid: num(4), cpuSeconds: (num(14) + num(15)) / CLOCK_TICKS, rssPages: num(24), comm: text.slice(open + 1, close) };
}

/** Every pid in these cgroup directories and their child cgroups (cgroup.procs), each once. */
export function cgroupPids(fs: HostFs, dirs: readonly string[]): number[] {
  const pids = new Set<number>();
  const walk = (dir: string, depth: number) => {
    for (const line of (fs.read(path.join(dir, 'cgroup.procs')) ?? '').split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
    if (depth < 8) for (const name of fs.list(dir)) if (fs.isDir(path.join(dir, name))) walk(path.join(dir, name), depth + 1);
  };
  // one hierarchy is enough when it lists processes: every controller holds the same ones
  for (const dir of dirs) {
    walk(dir, 0);
    if (pids.size) break;
  }
  return [...pids].sort((a, b) => a - b);
}

/** The processes of a cgroup (a container's, from its cgroup.procs), read from /proc; gone ones are skipped. */
export function readProcesses(fs: HostFs, dirs: readonly string[]): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const pid of cgroupPids(fs, dirs)) {
    const stat = parseProcStat(fs.read(`/proc/${pid}/stat`) ?? '');
    if (!stat) continue;
    const argv = (fs.read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
    out.push({ pid, ppid: stat.ppid, state: stat.state, cpuSeconds: stat.cpuSeconds, rssBytes: stat.rssPages * PAGE, command: argv || `[${stat.comm}]` });
  }
  return out;
}
