import * as fs from 'node:fs';
import type { Clock } from '../base/clock.js';
import { LxcdeckError } from '../core/errors.js';
import type { CgroupFreezerState } from '../core/state.js';
import type { Hierarchy } from './cgroups.js';

/**
 * Freezer state read straight from cgroup files: v1 freezer.state, v2
 * cgroup.events ("frozen 0|1"). Confirming a freeze this way avoids liblxc's
 * one-second sleep while a cgroup is FREEZING.
 */
export type FreezerFiles =
  | { version: 1; dir: string; state: string }
  | { version: 2; dir: string; freeze: string; events: string };

export type FreezerState = CgroupFreezerState;

/** The freezer of a cgroup: v1 when a v1 freezer hierarchy is mounted, else v2. */
export function freezerFiles(dirs: Map<Hierarchy, string>): FreezerFiles | null {
  // dirs are cgroupDir()'s, absolute and normalised: joined without path's normalising (cold, it cost a 50-container ls ~3 ms)
  for (const [h, dir] of dirs) if (h.version === 1 && h.controllers.includes('freezer')) return { version: 1, dir, state: `${dir}/freezer.state` };
  for (const [h, dir] of dirs)
    if (h.version === 2) return { version: 2, dir, freeze: `${dir}/cgroup.freeze`, events: `${dir}/cgroup.events` };
  return null;
}

export function parseFreezerState(files: FreezerFiles, text: string, requested?: string): FreezerState {
  if (files.version === 1) {
    const s = text.trim();
    return s === 'FROZEN' || s === 'FREEZING' ? s : 'THAWED';
  }
  const frozen = /^frozen 1$/m.test(text);
  if (frozen) return 'FROZEN';
  // v2 has no FREEZING: asked to freeze but not frozen yet is freezing
  return requested?.trim() === '1' ? 'FREEZING' : 'THAWED';
}

export function readFreezerState(files: FreezerFiles): FreezerState {
  if (files.version === 1) return parseFreezerState(files, fs.readFileSync(files.state, 'utf8'));
  return parseFreezerState(files, fs.readFileSync(files.events, 'utf8'), fs.readFileSync(files.freeze, 'utf8'));
}

/** Asks the kernel to freeze or thaw the cgroup (no waiting). */
export function requestFreezer(files: FreezerFiles, freeze: boolean): void {
  try {
    if (files.version === 1) fs.writeFileSync(files.state, freeze ? 'FROZEN' : 'THAWED');
    else fs.writeFileSync(files.freeze, freeze ? '1' : '0');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const target = files.version === 1 ? files.state : files.freeze;
    if (err.code === 'EACCES' || err.code === 'EPERM')
      throw new LxcdeckError('permission', `cannot write ${target}: permission denied`, 'run as the owner of the cgroup (or root)');
    throw new LxcdeckError('internal', `cannot write ${target}: ${err.message}`);
  }
}

/**
 * Polls until the freezer reads `want`. The first checks are immediate (most
 * freezes finish within a millisecond), then the interval grows to 5 ms.
 */
export async function waitForFreezer(files: FreezerFiles, want: 'FROZEN' | 'THAWED', timeoutMs: number, clock: Clock): Promise<boolean> {
  const deadline = clock.now() + timeoutMs;
  let interval = 0;
  for (;;) {
    if (readFreezerState(files) === want) return true;
    if (clock.now() >= deadline) return false;
    await (interval === 0 ? new Promise<void>((r) => setImmediate(r)) : clock.sleep(interval));
    interval = interval === 0 ? 0.5 : Math.min(interval * 2, 5);
  }
}
