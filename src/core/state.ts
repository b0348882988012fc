/** The states liblxc reports (lxc_state_t), in its own spelling. */
export const CONTAINER_STATES = [
  'STOPPED',
  'STARTING',
  'RUNNING',
  'STOPPING',
  'ABORTING',
  'FREEZING',
  'FROZEN',
  'THAWED',
] as const;

export type ContainerState = (typeof CONTAINER_STATES)[number];

/** Maps whatever liblxc returned to a known state; unknown text reads as STOPPED. */
export function parseState(raw: string | null | undefined): ContainerState {
  const s = (raw ?? '').trim().toUpperCase();
  // THAWED is a transient freezer answer: the container is running.
  if (s === 'THAWED') return 'RUNNING';
  return (CONTAINER_STATES as readonly string[]).includes(s) ? (s as ContainerState) : 'STOPPED';
}

/** States in which the container has an init process and a cgroup. */
export function isActive(state: ContainerState): boolean {
  return state !== 'STOPPED' && state !== 'ABORTING';
}

/** What a freezer cgroup says: v1 freezer.state, or v2 cgroup.freeze + cgroup.events. */
export type CgroupFreezerState = 'FROZEN' | 'FREEZING' | 'THAWED';

/** liblxc's state and the freezer cgroup's, when they disagree (a freeze or thaw killed half-way). */
export interface StateDisagreement {
  liblxc: ContainerState;
  cgroup: CgroupFreezerState;
}

/**
 * The state to show: the cgroup is the truth for running, freezing and
 * frozen (liblxc only records what its own freeze and thaw did, so a freeze
 * killed between the cgroup write and liblxc's bookkeeping leaves it behind).
 */
export function freezerTruth(liblxc: ContainerState, cgroup: CgroupFreezerState | null): { state: ContainerState; disagreement?: StateDisagreement } {
  if (cgroup === null || (liblxc !== 'RUNNING' && liblxc !== 'FROZEN' && liblxc !== 'FREEZING')) return { state: liblxc };
  const state: ContainerState = cgroup === 'THAWED' ? 'RUNNING' : cgroup;
  return state === liblxc ? { state } : { state, disagreement: { liblxc, cgroup } };
}
