import type { ProcessInfo } from '../host/processes.js';
import { formatBytes, sanitize } from './format.js';

/** A process with its place in the tree, like htop's tree view. */
export interface ProcessTreeRow {
  process: ProcessInfo;
  /** "├─ ", "│  └─ " ...: the branches in front of the command. */
  prefix: string;
}

/**
 * The processes as a tree: each one under its parent, children by pid; a
 * process whose parent is not among them (the container's init, or one
 * whose parent left) is a root.
 */
export function processTree(procs: readonly ProcessInfo[]): ProcessTreeRow[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const children = new Map<number, ProcessInfo[]>();
  const roots: ProcessInfo[] = [];
  for (const p of [...procs].sort((a, b) => a.pid - b.pid)) {
    if (p.ppid !== p.pid && byPid.has(p.ppid)) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    else roots.push(p);
  }
  const out: ProcessTreeRow[] = [];
  const seen = new Set<number>();
  const walk = (p: ProcessInfo, lead: string, branch: string) => {
    if (seen.has(p.pid)) return;
    seen.add(p.pid);
    out.push({ process: p, prefix: `${lead}${branch}` });
    const kids = children.get(p.pid) ?? [];
    const next = lead + (branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ');
    kids.forEach((k, i) => walk(k, next, i === kids.length - 1 ? '└─ ' : '├─ '));
  };
  for (const r of roots) walk(r, '', '');
  return out;
}

/** The table's lines: PID, state, CPU time, RSS, then the tree and the command. */
export function processLines(rows: readonly ProcessTreeRow[]): string[] {
  const head = `${'PID'.padStart(7)} S ${'CPU s'.padStart(8)} ${'RSS'.padStart(9)}  COMMAND`;
  return [
    head,
    ...rows.map(({ process: p, prefix }) => `${String(p.pid).padStart(7)} ${p.state} ${p.cpuSeconds.toFixed(2).padStart(8)} ${formatBytes(p.rssBytes).padStart(9)}  ${prefix}${sanitize(p.command)}`),
  ];
}
