import type { ContainerSummary } from './container.js';

/**
 * Anything the workstation lists, samples, freezes and kills: a container or
 * a job (a command in a cgroup of its own). The id is typed; no code parses
 * a name prefix to tell them apart.
 */
export type WorkloadKind = 'container' | 'job';

export interface WorkloadId {
  readonly kind: WorkloadKind;
  readonly name: string;
  /**
   * A container's lxcpath when it is not the primary (first listed) one.
   * Absent for the primary path, so its keys stay 'container:web' whether
   * one lxcpath is listed or several.
   */
  readonly lxcpath?: string;
}

/**
 * A container by reference: its name in the primary lxcpath ('web'), or
 * its directory in another one ('/srv/lxc/web'). Container names never hold
 * a '/', so the last '/' splits a reference. Pane specs, rules and the
 * backend's per-container calls take references.
 */
export function containerId(ref: string): WorkloadId {
  const i = ref.lastIndexOf('/');
  if (i < 0) return { kind: 'container', name: ref };
  return { kind: 'container', name: ref.slice(i + 1), lxcpath: ref.slice(0, i) || '/' };
}

export const jobId = (name: string): WorkloadId => ({ kind: 'job', name });

/** The reference of a container id: 'web', or '/srv/lxc/web' outside the primary lxcpath. */
export function containerRef(id: WorkloadId): string {
  return id.lxcpath === undefined ? id.name : `${id.lxcpath === '/' ? '' : id.lxcpath}/${id.name}`;
}

/** A stable string for maps, selection and metrics ids: 'container:web', 'container:/srv/lxc/web', 'job:build'. */
export function workloadKey(id: WorkloadId): string {
  return `${id.kind}:${id.kind === 'container' ? containerRef(id) : id.name}`;
}

/** The id behind a key made by workloadKey; null for anything else. */
export function parseWorkloadKey(key: string): WorkloadId | null {
  const i = key.indexOf(':');
  const kind = key.slice(0, i);
  if (i < 1 || (kind !== 'container' && kind !== 'job')) return null;
  return kind === 'container' ? containerId(key.slice(i + 1)) : { kind, name: key.slice(i + 1) };
}

/** What the list shows: a container's own name, a job as job:NAME. */
export function workloadLabel(id: WorkloadId): string {
  return id.kind === 'job' ? `job:${id.name}` : id.name;
}

/** A workload in a log line: its label, and the lxcpath when it is not the first one. */
export function workloadTitle(id: WorkloadId): string {
  return id.lxcpath === undefined ? workloadLabel(id) : `${workloadLabel(id)} in ${id.lxcpath}`;
}

/** One row of the workstation's list: the container columns, for either kind. */
export interface Workload extends ContainerSummary {
  readonly id: WorkloadId;
  /** workloadKey(id), kept on the row: the list looks it up every frame. */
  readonly key: string;
}

/** A listed container as a row; `primary` is the first lxcpath (its rows keep plain ids). */
export function containerWorkload(c: ContainerSummary, primary?: string): Workload {
  const id: WorkloadId = c.lxcpath !== undefined && primary !== undefined && c.lxcpath !== primary ? { kind: 'container', name: c.name, lxcpath: c.lxcpath } : { kind: 'container', name: c.name };
  return { ...c, id, key: workloadKey(id) };
}
