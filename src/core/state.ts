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
