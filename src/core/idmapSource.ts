import type { ContainerState } from './state.js';

/** A container's lxc.idmap as its engine reads it (not parsed: the checks report unreadable lines). */
export interface ContainerIdMapValues {
  name: string;
  state: ContainerState;
  /** One lxc.idmap value per line, as liblxc lists them. */
  values: string[];
  /** lxc.rootfs.path as liblxc has it (`dir:/path` or a path). */
  rootfs: string;
  /** Set when the engine could not load the config at all (values are then empty). */
  loadError?: string;
}

/** Where the idmap commands get every container's map from. */
export interface IdMapSource {
  /** Every defined container of the lxcpath, sorted by name. */
  idmaps(): ContainerIdMapValues[];
  /** One container; throws a not-defined LxcdeckError when it does not exist. */
  idmapOf(name: string): ContainerIdMapValues;
}

/** Where a new map is written: liblxc judges each value, the config file is replaced atomically. */
export interface IdMapWriter {
  /**
   * Replaces every lxc.idmap of a stopped container with these values, in
   * order. A value liblxc rejects, or a container that is not STOPPED, is an
   * LxcdeckError and the config file is left as it was.
   */
  setIdMap(name: string, values: readonly string[]): void;
}
