import { parseJsonObject } from '../core/json.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import { createFileAtomic, writeFileAtomic } from '../host/atomicWrite.js';
import type { JobLimits } from './limits.js';
import { isValidJobName, validateJobName } from './names.js';

/** One hierarchy's cgroup directory of a job. */
export interface JobCgroup {
  /** hierarchyLabel(): 'freezer', 'cpu,cpuacct', 'unified'. */
  hierarchy: string;
  version: 1 | 2;
  dir: string;
}

/**
 * What `job run` leaves behind for every other lxcdeck process: one JSON file
 * per job. The live state (running/frozen) is read from the cgroup, not stored.
 */
export interface JobRecord {
  name: string;
  command: string[];
  cgroups: JobCgroup[];
  /** ISO time. */
  started: string;
  /** The wrapper shell that waits for the command (the job's first process). */
  pid: number;
  state: 'running' | 'finished';
  /** Set once finished: the command's status, when the wrapper lived to write it. */
  exitStatus: number | null;
  /** True when `job kill` ended it. */
  killed: boolean;
  limits: JobLimits;
  log: string;
  /** The transient systemd scope that is the job's cgroup, when systemd made it (pure v2). */
  unit?: string;
}

/** Parses a record file's text; null for anything not shaped like a record. */
export function parseJobRecord(text: string): JobRecord | null {
  const r = parseJsonObject(text);
  if (!r) return null;
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  const cgroups = (x: unknown): x is JobCgroup[] =>
    Array.isArray(x) &&
    x.every((c) => typeof c === 'object' && c !== null && typeof c.hierarchy === 'string' && (c.version === 1 || c.version === 2) && typeof c.dir === 'string' && path.isAbsolute(c.dir));
  if (typeof r.name !== 'string' || !isValidJobName(r.name)) return null;
  if (!strings(r.command) || !cgroups(r.cgroups) || typeof r.started !== 'string' || typeof r.log !== 'string') return null;
  if (typeof r.pid !== 'number' || !Number.isInteger(r.pid) || r.pid <= 0) return null;
  if (r.state !== 'running' && r.state !== 'finished') return null;
  const limits = typeof r.limits === 'object' && r.limits !== null ? (r.limits as JobLimits) : {};
  const rec: JobRecord = {
    name: r.name,
    command: r.command,
    cgroups: r.cgroups,
    started: r.started,
    pid: r.pid,
    state: r.state,
    exitStatus: typeof r.exitStatus === 'number' ? r.exitStatus : null,
    killed: r.killed === true,
    limits,
    log: r.log,
  };
  if (typeof r.unit === 'string') rec.unit = r.unit;
  return rec;
}

/** Job records in `<stateDir>/jobs/<name>.json`, written with temp file + rename. */
export class JobStore {
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, `${validateJobName(name)}.json`);
  }

  logFile(name: string): string {
    return path.join(this.dir, `${validateJobName(name)}.log`);
  }

  /** Where the wrapper shell writes the command's exit status. */
  statusFile(name: string): string {
    return path.join(this.dir, `${validateJobName(name)}.status`);
  }

  get(name: string): JobRecord | null {
    try {
      return parseJobRecord(fs.readFileSync(this.file(name), 'utf8'));
    } catch {
      return null;
    }
  }

  /** Like get, with the one-line error for an unknown job. */
  require(name: string): JobRecord {
    const r = this.get(name);
    if (!r) throw new LxcdeckError('not-defined', `no job named ${JSON.stringify(name)}`, "see 'lxcdeck job ls'");
    return r;
  }

  list(): JobRecord[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: JobRecord[] = [];
    for (const f of names.sort()) {
      if (!f.endsWith('.json')) continue;
      const r = this.get(f.slice(0, -5));
      if (r) out.push(r);
    }
    return out;
  }

  /** Writes a new record; false when one with that name exists (another process may be racing us). */
  create(r: JobRecord): boolean {
    return this.write(() => createFileAtomic(this.file(r.name), recordText(r), { mode: 0o600, mkdirMode: 0o700 }));
  }

  put(r: JobRecord): void {
    this.write(() => writeFileAtomic(this.file(r.name), recordText(r), { mode: 0o600, mkdirMode: 0o700 }));
  }

  remove(name: string): void {
    for (const f of [this.file(name), this.statusFile(name), this.logFile(name)]) fs.rmSync(f, { force: true });
  }

  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new LxcdeckError('permission', `cannot write job records in ${this.dir} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, `check that ${this.dir} is yours and writable`);
    }
  }
}

function recordText(r: JobRecord): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
