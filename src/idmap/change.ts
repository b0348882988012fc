import { LxcdeckError } from '../core/errors.js';
import { formatIdMapEntry, hostIdForRoot, MAX_ID, readIdMapEntry, SLICE, type IdMapEntry } from '../core/idmap.js';
import { checkIdMap, hasErrors, type IdMapFinding, type IdMapSubject, type OtherMap } from '../core/idmapCheck.js';
import type { ContainerState } from '../core/state.js';
import { isolatedMap, parsePassThrough, passThroughMap, standardMap, type AllocateOptions } from './allocate.js';
import { describeShift, shiftNeeded, shiftTranslation, walkerNamespace, type ShiftTranslation } from './shift.js';

/**
 * `idmap set`: from what the user asked (a preset, explicit entries, a
 * pass-through) to the new map and a preview of the change: old and new map,
 * the config keys, the findings, and what a rootfs shift would translate.
 * Pure; applying it (config write, walker) is a plan the caller runs.
 */
export type Preset = 'standard' | 'isolated';

export interface MapChangeRequest {
  preset?: string;
  maps?: readonly string[];
  passThrough?: string;
}

const PRESETS: readonly Preset[] = ['standard', 'isolated'];

/** An isolated map stays where it is: re-running the preset must not move a container that is fine. */
function alreadyIsolated(current: readonly IdMapEntry[], s: IdMapSubject, others: readonly OtherMap[]): boolean {
  const full = ['u', 'g'].every((k) => current.some((e) => e.kind === k && e.nsid === 0 && e.range >= SLICE));
  return full && checkIdMap(current, s, others).length === 0;
}

export function proposedMap(current: readonly IdMapEntry[], req: MapChangeRequest, s: IdMapSubject, others: readonly OtherMap[], options: AllocateOptions = {}): IdMapEntry[] {
  const maps = req.maps ?? [];
  if (req.preset !== undefined && maps.length) throw new LxcdeckError('invalid-argument', '--preset and --map both say what the map is', 'use one of them');
  if (req.preset === undefined && !maps.length && req.passThrough === undefined)
    throw new LxcdeckError('invalid-argument', 'no new map given', "say it with --preset standard|isolated, --map 'u 0 100000 65536' --map 'g 0 100000 65536', or --pass-through UID[:GID]");
  let base: IdMapEntry[] = [...current];
  if (req.preset !== undefined) {
    if (!PRESETS.includes(req.preset as Preset)) throw new LxcdeckError('invalid-argument', `unknown preset ${JSON.stringify(req.preset)}`, `use ${PRESETS.join(' or ')}`);
    if (req.preset === 'standard') base = standardMap(s, options);
    else base = alreadyIsolated(current, s, others) ? [...current] : isolatedMap(s, others, options);
  } else if (maps.length) {
    base = maps.map((m) => {
      const e = readIdMapEntry(m);
      if (typeof e === 'string') throw new LxcdeckError('invalid-argument', `invalid --map ${JSON.stringify(m)}: ${e}`, 'write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"');
      return e;
    });
  }
  return req.passThrough === undefined ? base : passThroughMap(base, parsePassThrough(req.passThrough));
}

const IDENTITY: IdMapEntry[] = [
  { kind: 'u', nsid: 0, hostid: 0, range: MAX_ID + 1 },
  { kind: 'g', nsid: 0, hostid: 0, range: MAX_ID + 1 },
];

export interface RootfsFacts {
  path: string;
  /** Owner of the rootfs directory, null when it cannot be seen. */
  owner: { uid: number; gid: number } | null;
}

export interface MapChangePreview {
  name: string;
  state: ContainerState;
  old: string[];
  new: string[];
  changed: boolean;
  /** What the config would hold, in order. */
  configKeys: string[];
  findings: IdMapFinding[];
  valid: boolean;
  /** Why it cannot be applied now, besides findings (a running container). */
  blockers: string[];
  rootfs: RootfsFacts & { oldRoot: { uid: number | null; gid: number | null }; matchesOldMap: boolean | null };
  shift: { needed: boolean; changes: string[]; translation: ShiftTranslation; walkerMap: string[] };
}

export function previewMapChange(input: { name: string; state: ContainerState; current: IdMapEntry[]; next: IdMapEntry[]; subject: IdMapSubject; others: readonly OtherMap[]; rootfs: RootfsFacts }): MapChangePreview {
  const { name, state, current, next, subject, others, rootfs } = input;
  const findings = checkIdMap(next, subject, others);
  // a privileged container's files are owned by the host ids themselves
  const t = shiftTranslation(current.length ? current : IDENTITY, next);
  const oldRoot = { uid: hostIdForRoot(current, 'u'), gid: hostIdForRoot(current, 'g') };
  const matchesOldMap = rootfs.owner && current.length ? rootfs.owner.uid === oldRoot.uid && rootfs.owner.gid === oldRoot.gid : null;
  const old = current.map(formatIdMapEntry);
  const nu = next.map(formatIdMapEntry);
  return {
    name,
    state,
    old,
    new: nu,
    changed: old.join('\n') !== nu.join('\n'),
    configKeys: nu.map((l) => `lxc.idmap = ${l}`),
    findings,
    valid: !hasErrors(findings),
    blockers: state === 'STOPPED' ? [] : [`${name} is ${state}: stop it first with 'lxcdeck stop ${name}'`],
    rootfs: { ...rootfs, oldRoot, matchesOldMap },
    shift: { needed: shiftNeeded(t), changes: describeShift(t), translation: t, walkerMap: walkerNamespace(t).map.map(formatIdMapEntry) },
  };
}
