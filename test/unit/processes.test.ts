import { describe, expect, it } from 'vitest';
import type { HostFs } from '../../src/host/hostfs.js';
import { cgroupPids, parseProcStat, readProcesses } from '../../src/host/processes.js';
import { processLines, processTree } from '../../src/presentation/processTree.js';

const stat = (pid: number, comm: string, state: string, ppid: number, utime: number, stime: number, rss: number) =>
  `${pid} (${comm}) ${state} ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 100 1000000 ${rss} 18446744073709551615`;

function fakeFs(files: Record<string, string>): HostFs {
  const dirs = new Set(Object.keys(files).flatMap((f) => f.split('/').slice(1, -1).map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`)));
  return {
    read: (p) => files[p] ?? null,
    exists: (p) => p in files || dirs.has(p),
    isDir: (p) => dirs.has(p),
    list: (p) => [...new Set([...Object.keys(files), ...dirs].filter((f) => f.startsWith(`${p}/`)).map((f) => f.slice(p.length + 1).split('/')[0] as string))],
    stat: () => null,
  };
}

describe('a container process list', () => {
  it('parses /proc/PID/stat even with spaces and parentheses in the name', () => {
    expect(parseProcStat(stat(42, 'my (odd) name', 'S', 7, 150, 50, 300))).toEqual({ comm: 'my (odd) name', state: 'S', ppid: 7, cpuSeconds: 2, rssPages: 300 });
    expect(parseProcStat('garbage')).toBeNull();
  });

  it('reads every pid of the cgroup and its child cgroups, skipping processes that left', () => {
    const fs = fakeFs({
      '/cg/lxc.payload.web/cgroup.procs': '10\n11\n',
      '/cg/lxc.payload.web/init.scope/cgroup.procs': '12\n',
      '/proc/10/stat': stat(10, 'init', 'S', 1, 1, 1, 100),
      '/proc/10/cmdline': '/sbin/init\0',
      '/proc/11/stat': stat(11, 'sh', 'S', 10, 0, 0, 50),
      '/proc/11/cmdline': 'sh\0-c\0sleep 100\0',
      '/proc/12/stat': stat(12, 'kworker', 'R', 10, 0, 0, 0),
    });
    expect(cgroupPids(fs, ['/cg/lxc.payload.web'])).toEqual([10, 11, 12]);
    const procs = readProcesses(fs, ['/cg/lxc.payload.web']);
    expect(procs.map((p) => [p.pid, p.command])).toEqual([
      [10, '/sbin/init'],
      [11, 'sh -c sleep 100'],
      [12, '[kworker]'],
    ]);
    expect(procs[0]?.rssBytes).toBe(100 * 4096);
  });

  it('draws the tree like htop: children under their parent, the last one with └─', () => {
    const p = (pid: number, ppid: number, command: string) => ({ pid, ppid, state: 'S', cpuSeconds: 0, rssBytes: 0, command });
    const rows = processTree([p(30, 20, 'sleep'), p(10, 1, 'init'), p(20, 10, 'sh'), p(21, 10, 'getty'), p(40, 99, 'orphan')]);
    expect(rows.map((r) => `${r.prefix}${r.process.command}`)).toEqual(['init', '├─ sh', '│  └─ sleep', '└─ getty', 'orphan']);
    const lines = processLines(rows);
    expect(lines[0]).toMatch(/PID\s+S\s+CPU s\s+RSS\s+COMMAND/);
    expect(lines[3]).toMatch(/^\s+30 S\s+0\.00\s+\S+ B?\s*│  └─ sleep$/);
  });
});
