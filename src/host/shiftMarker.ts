import * as fs from 'node:fs';
import { LxcdeckError } from '../core/errors.js';
import { writeFileAtomic } from './atomicWrite.js';

/**
 * The record next to a rootfs (ROOTFS.lxcdeck-idmap) of which map owns its
 * files: `shifted` to a map once a walk completed, `shifting` from one map to
 * another while a walk is under way or was cut short; `shifted` to no map
 * with mount `idmapped` when the files keep container ids and LXC mounts the
 * rootfs idmapped (lxc.rootfs.options = idmap=container). lxcdeck refuses to
 * start a container whose rootfs is half-shifted.
 */
export type ShiftMarker = { state: 'shifted'; map: string[]; mount?: 'idmapped' } | { state: 'shifting'; from: string[]; to: string[] };

export const markerPath = (rootfs: string): string => `${rootfs.replace(/\/+$/, '')}.lxcdeck-idmap`;

export function readShiftMarker(rootfs: string): ShiftMarker | null {
  let text: string;
  try {
    text = fs.readFileSync(markerPath(rootfs), 'utf8');
  } catch {
    return null;
  }
  try {
    const m = JSON.parse(text) as ShiftMarker;
    const lines = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (m.state === 'shifted' && lines(m.map)) return m;
    if (m.state === 'shifting' && lines(m.from) && lines(m.to)) return m;
  } catch {
    // unreadable: treated as half-shifted below, the safe side
  }
  return { state: 'shifting', from: [], to: [] };
}

export function writeShiftMarker(rootfs: string, m: ShiftMarker): void {
  writeFileAtomic(markerPath(rootfs), `${JSON.stringify(m)}\n`);
}

/** Throws the one-line refusal when the rootfs of `name` is half-shifted. */
export function refuseUnfinishedShift(name: string, rootfs: string): void {
  if (!rootfs) return;
  const m = readShiftMarker(rootfs);
  if (m?.state !== 'shifting') return;
  throw new LxcdeckError(
    'wrong-state',
    `cannot start ${name}: its rootfs is half re-owned (an idmap shift${m.to.length ? ` to ${m.to.join('; ')}` : ''} was interrupted)`,
    `finish it with 'lxcdeck idmap set ${name} --resume' or undo it with 'lxcdeck idmap set ${name} --rollback'`,
  );
}
