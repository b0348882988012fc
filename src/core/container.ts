import type { ContainerState, StateDisagreement } from './state.js';

/** One row of `lxcdeck ls`: everything a refresh shows about a container. */
export interface ContainerSummary {
  name: string;
  state: ContainerState;
  /** Init pid, or null when not running. */
  pid: number | null;
  ipv4: string[];
  ipv6: string[];
  unprivileged: boolean;
  autostart: boolean;
  groups: string[];
  /** Memory charged to the container's cgroup, or null when unknown. */
  memoryBytes: number | null;
  /** CPU time used by the container's cgroup, or null when unknown. */
  cpuSeconds: number | null;
  /**
   * Set when liblxc and the freezer cgroup disagree (a freeze killed half-way):
   * `state` is then the cgroup's, and `lxcdeck thaw` repairs both.
   */
  disagreement?: StateDisagreement;
  /** The lxcpath the container is in; set when several lxcpaths are listed (and by `ls`). */
  lxcpath?: string;
}

export interface ContainerInfo extends ContainerSummary {
  lxcpath: string;
  configFile: string;
  rootfs: string;
  idmap: string[];
  /** The container's own cgroup, per hierarchy name ('' for v2). */
  cgroups: Record<string, string>;
  /** Host-side interface names (veth peers), from the running config. */
  hostInterfaces: string[];
  /** lxc.console.buffer.size as configured ('' when unset: no ring buffer). */
  consoleBufferSize: string;
}
