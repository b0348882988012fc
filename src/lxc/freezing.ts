import type { Clock } from '../base/clock.js';
import { LxcdeckError } from '../core/errors.js';
import { parseState, type ContainerState } from '../core/state.js';
import { readFreezerState, requestFreezer, waitForFreezer, type FreezerFiles } from '../host/freezer.js';
import { callAsync, type ContainerHandle, type NativeLib } from './native.js';

/**
 * Freezing and thawing one container so that liblxc and its freezer cgroup
 * end up agreeing. liblxc keeps its own idea of the state in the monitor
 * (lxc-info asks it) and only records what its own freeze and thaw did: its
 * unfreeze is a no-op unless it recorded FROZEN, and its freeze a no-op once
 * it has. A freeze killed half-way leaves it saying RUNNING or FREEZING over
 * a FROZEN cgroup, a thaw killed half-way FROZEN over a thawed one.
 */
export interface FreezeTarget {
  name: string;
  c: ContainerHandle;
  lib: NativeLib;
  files: FreezerFiles;
  clock: Clock;
}

/** The liblxc states with a freezer cgroup to act on. */
export type FreezerLiblxcState = 'RUNNING' | 'FREEZING' | 'FROZEN';

export function isFreezerState(s: ContainerState): s is FreezerLiblxcState {
  return s === 'RUNNING' || s === 'FREEZING' || s === 'FROZEN';
}

/** Freezes and returns once the cgroup is FROZEN and liblxc has recorded it; a stuck freeze is thawed back. */
export async function freezeTarget(t: FreezeTarget, liblxc: FreezerLiblxcState, timeoutMs: number): Promise<void> {
  const { name, c, lib, files, clock } = t;
  if (liblxc === 'FROZEN' && readFreezerState(files) === 'FROZEN') return;
  // liblxc's freeze does nothing when it believes FROZEN already, so a cgroup
  // thawed behind its back is frozen here; on v1 always: the kernel does the
  // freezing, and polling it beats liblxc's loop that sleeps a whole second
  if (files.version === 1 || liblxc === 'FROZEN') {
    requestFreezer(files, true);
    if (!(await waitForFreezer(files, 'FROZEN', timeoutMs, clock))) {
      requestFreezer(files, false);
      throw stuckFreezing(name, timeoutMs);
    }
  }
  // liblxc records the freeze: on v1 it finds the cgroup FROZEN already and
  // does not sleep, on v2 it freezes event-based
  if ((await callAsync(lib.lxcdeck_freeze, c)) !== 0)
    throw new LxcdeckError('liblxc-failed', `liblxc failed to freeze ${name}`, `check that ${name} has its own cgroup ('lxcdeck doctor')`);
  if (!(await waitForFreezer(files, 'FROZEN', timeoutMs, clock))) {
    const now = parseState(lib.lxcdeck_state(c));
    if (isFreezerState(now)) await thawTarget(t, now, timeoutMs);
    throw stuckFreezing(name, timeoutMs);
  }
}

/**
 * Thaws whatever is frozen or half-frozen. liblxc RUNNING: it is right
 * already, thaw the cgroup directly. FREEZING: let liblxc finish its freeze
 * first, so that it records FROZEN and its thaw then records RUNNING.
 * FROZEN: liblxc's own thaw.
 */
export async function thawTarget(t: FreezeTarget, liblxc: FreezerLiblxcState, timeoutMs: number): Promise<void> {
  const { name, c, lib, files, clock } = t;
  if (liblxc === 'RUNNING') {
    if (readFreezerState(files) === 'THAWED') return;
    requestFreezer(files, false);
    if (!(await waitForFreezer(files, 'THAWED', timeoutMs, clock))) throw thawTimeout(name, timeoutMs);
    return;
  }
  if (liblxc === 'FREEZING') {
    // the cgroup first: liblxc's own loop would wait on a stuck freeze for ever
    requestFreezer(files, true);
    if (!(await waitForFreezer(files, 'FROZEN', timeoutMs, clock))) {
      requestFreezer(files, false);
      throw new LxcdeckError('timeout', `${name} is half-frozen and its cgroup did not finish freezing within ${timeoutMs} ms`, `retry 'lxcdeck thaw ${name}' once its I/O settles`);
    }
    if ((await callAsync(lib.lxcdeck_freeze, c)) !== 0) throw new LxcdeckError('liblxc-failed', `liblxc failed to record the freeze of ${name} before thawing it`);
  }
  if (files.version === 1) {
    requestFreezer(files, false);
    if (!(await waitForFreezer(files, 'THAWED', timeoutMs, clock))) throw thawTimeout(name, timeoutMs);
  }
  if ((await callAsync(lib.lxcdeck_unfreeze, c)) !== 0) throw new LxcdeckError('liblxc-failed', `liblxc failed to thaw ${name}`);
  if (!(await waitForFreezer(files, 'THAWED', timeoutMs, clock))) throw thawTimeout(name, timeoutMs);
}

function stuckFreezing(name: string, timeoutMs: number): LxcdeckError {
  return new LxcdeckError(
    'timeout',
    `${name} stayed FREEZING for ${timeoutMs} ms (a task stuck in uninterruptible sleep?) and was thawed back`,
    `retry 'lxcdeck freeze ${name}' once its I/O settles`,
  );
}

function thawTimeout(name: string, timeoutMs: number): LxcdeckError {
  return new LxcdeckError('timeout', `${name} did not thaw within ${timeoutMs} ms`, `retry with 'lxcdeck thaw ${name}'`);
}
