import type { ContainerState } from './state.js';

/** A container's lxc.idmap as its engine reads it (not parsed: the checks report unreadable lines). */
export interface ContainerIdMapValues {
  name: string;
  state: ContainerState;
  /** One lxc.idmap value per line, as liblxc lists them. */
  values: string[];
  /** lxc.rootfs.path as liblxc has it (`dir:/path` or a path). */
  rootfs: string;
  /** lxc.rootfs.options ('idmap=container': the rootfs is mounted idmapped, its files keep container ids on disk). */
  rootfsOptions?: string;
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
