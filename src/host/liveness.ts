import * as fs from 'node:fs';

/**
 * Whether a process recorded earlier (pid + start time) is still the same
 * live process: a pid can be reused, and here, without a reaping PID 1, a
 * killed process can stay a zombie (state Z), which counts as dead.
 */
export interface ProcessMark {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot when it started. */
  start: string;
}

function statFields(pid: number): string[] | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: split after its last ')'
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function processMark(pid: number = process.pid): ProcessMark {
  return { pid, start: statFields(pid)?.[19] ?? '' };
}

export function isAlive(mark: ProcessMark): boolean {
  const f = statFields(mark.pid);
  if (!f) return false;
  // f[0] is field 3 (state), f[19] field 22 (start time)
  return f[0] !== 'Z' && f[0] !== 'X' && f[19] === mark.start;
}
