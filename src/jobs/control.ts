import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Clock } from '../base/clock.js';
import { LxcdeckError } from '../core/errors.js';
import type { CgroupHost } from '../host/cgroups.js';
import { freezerFiles, readFreezerState, requestFreezer, waitForFreezer, type FreezerFiles, type FreezerState } from '../host/freezer.js';
import { jobDirMap, primaryDir, procsOf } from './cgroup.js';
import type { JobRecord } from './record.js';

/** Freeze, thaw and kill of one job's cgroup, each confirmed through the cgroup files. */

export function jobFreezer(host: CgroupHost, rec: JobRecord): FreezerFiles {
  const files = freezerFiles(jobDirMap(host, rec.cgroups));
  if (!files) throw new LxcdeckError('internal', `job ${rec.name} has no freezer cgroup`, `remove it with 'lxcdeck job rm ${rec.name}' and run it again`);
  return files;
}

/** Live freezer state, or null when the cgroup is gone. */
export function jobFreezerState(host: CgroupHost, rec: JobRecord): FreezerState | null {
  try {
    return readFreezerState(jobFreezer(host, rec));
  } catch {
    return null;
  }
}

function requireLive(rec: JobRecord): string {
  const dir = primaryDir(rec.cgroups);
  if (!dir || procsOf(dir).length === 0)
    throw new LxcdeckError('wrong-state', `job ${rec.name} has finished`, `remove it with 'lxcdeck job rm ${rec.name}'`);
  return dir;
}

/** "123 (dd)" for each task in uninterruptible sleep: what keeps a freeze from finishing. */
export function stuckTasks(dir: string): string[] {
  const out: string[] = [];
  for (const pid of procsOf(dir)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'D') out.push(`${pid} (${comm})`);
    } catch {
      /* exited */
    }
  }
  return out;
}

export async function freezeJob(host: CgroupHost, rec: JobRecord, timeoutMs: number, clock: Clock): Promise<void> {
  const dir = requireLive(rec);
  const files = jobFreezer(host, rec);
  if (readFreezerState(files) === 'FROZEN') return;
  requestFreezer(files, true);
  if (await waitForFreezer(files, 'FROZEN', timeoutMs, clock)) return;
  const stuck = stuckTasks(dir);
  // never leave a half-frozen job behind
  requestFreezer(files, false);
  await waitForFreezer(files, 'THAWED', timeoutMs, clock);
  throw new LxcdeckError(
    'timeout',
    `job ${rec.name} stayed FREEZING for ${timeoutMs} ms${stuck.length ? ` (tasks in uninterruptible sleep: ${stuck.slice(0, 5).join(', ')})` : ''} and was thawed back`,
    `retry 'lxcdeck job freeze ${rec.name}' once its I/O settles`,
  );
}

export async function thawJob(host: CgroupHost, rec: JobRecord, timeoutMs: number, clock: Clock): Promise<void> {
  requireLive(rec);
  const files = jobFreezer(host, rec);
  if (readFreezerState(files) === 'THAWED') return;
  requestFreezer(files, false);
  if (!(await waitForFreezer(files, 'THAWED', timeoutMs, clock)))
    throw new LxcdeckError('timeout', `job ${rec.name} did not thaw within ${timeoutMs} ms`, `retry with 'lxcdeck job thaw ${rec.name}'`);
}

/**
 * Kills every process of the job. v2: cgroup.kill. v1: freeze (nothing can
 * fork away), SIGKILL every pid, thaw so the signals land; again until empty.
 */
export async function killJob(host: CgroupHost, rec: JobRecord, timeoutMs: number, clock: Clock): Promise<void> {
  const dir = requireLive(rec);
  const deadline = clock.now() + timeoutMs;
  const v2 = rec.cgroups.find((c) => c.version === 2 && fs.existsSync(path.join(c.dir, 'cgroup.kill')));
  const files = jobFreezer(host, rec);
  while (procsOf(dir).length > 0) {
    if (clock.now() > deadline)
      throw new LxcdeckError('timeout', `job ${rec.name} still has processes after ${timeoutMs} ms (${stuckTasks(dir).join(', ') || 'exiting'})`, `retry 'lxcdeck job kill ${rec.name}'`);
    if (v2) {
      try {
        fs.writeFileSync(path.join(v2.dir, 'cgroup.kill'), '1');
      } catch (e) {
        // emptied (and a systemd scope removed) between the check and the write
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      // hybrid: a task frozen by the v1 freezer dies only once thawed
      if (files.version === 1) requestFreezer(files, false);
    } else {
      requestFreezer(files, true);
      await waitForFreezer(files, 'FROZEN', Math.min(1000, timeoutMs), clock);
      for (const pid of procsOf(dir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone already */
        }
      }
      requestFreezer(files, false);
    }
    for (let i = 0; i < 20 && procsOf(dir).length > 0; i++) await clock.sleep(5);
  }
  // an empty cgroup frozen before the kill must not stay frozen for the next rmdir/ls (a scope is gone by now)
  const left = jobFreezerState(host, rec);
  try {
    if (left !== null && left !== 'THAWED') requestFreezer(files, false);
  } catch (e) {
    // systemd removes an emptied scope at any moment, also between the read and this write
    if (fs.existsSync(files.dir)) throw e;
  }
}
