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
}

export const containerId = (name: string): WorkloadId => ({ kind: 'container', name });
export const jobId = (name: string): WorkloadId => ({ kind: 'job', name });

/** A stable string for maps, selection and metrics ids: 'container:web', 'job:build'. */
export function workloadKey(id: WorkloadId): string {
  return `${id.kind}:${id.name}`;
}

/** The id behind a key made by workloadKey; null for anything else. */
export function parseWorkloadKey(key: string): WorkloadId | null {
  const i = key.indexOf(':');
  const kind = key.slice(0, i);
  if (i < 1 || (kind !== 'container' && kind !== 'job')) return null;
  return { kind, name: key.slice(i + 1) };
}

/** What the list shows: a container's own name, a job as job:NAME. */
export function workloadLabel(id: WorkloadId): string {
  return id.kind === 'job' ? `job:${id.name}` : id.name;
}

/** One row of the workstation's list: the container columns, for either kind. */
export interface Workload extends ContainerSummary {
  readonly id: WorkloadId;
  /** workloadKey(id), kept on the row: the list looks it up every frame. */
  readonly key: string;
}

export function containerWorkload(c: ContainerSummary): Workload {
  const id = containerId(c.name);
  return { ...c, id, key: workloadKey(id) };
}
