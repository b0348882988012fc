import * as path from 'node:path';
import type { ContainerIdMapValues, IdMapSource } from '../core/idmapSource.js';
import { LxcdeckError } from '../core/errors.js';
import { validateContainerName } from '../core/names.js';
import { parseState } from '../core/state.js';
import { compareNames } from '../host/collation.js';
import type { NativeLib } from './native.js';

/** Each container's lxc.idmap through liblxc's get_config_item (liblxc parses the config and its includes). */
export class LiblxcIdMapSource implements IdMapSource {
  constructor(
    private readonly lib: NativeLib,
    readonly lxcpath: string,
  ) {}

  idmaps(): ContainerIdMapValues[] {
    const text = this.lib.lxcdeck_list(this.lxcpath, 0);
    if (text === null) throw new LxcdeckError('liblxc-failed', `liblxc could not list containers in ${this.lxcpath}`, 'check that the lxcpath exists and is readable');
    const active = new Set((this.lib.lxcdeck_list(this.lxcpath, 1) ?? '').split('\n').filter(Boolean));
    return text
      .split('\n')
      .filter(Boolean)
      .sort(compareNames)
      .flatMap((name) => {
        const m = this.read(name);
        // without a loaded config liblxc cannot say the state; the active list can
        if (m?.loadError && active.has(name)) m.state = 'RUNNING';
        return m ? [m] : [];
      });
  }

  idmapOf(name: string): ContainerIdMapValues {
    validateContainerName(name);
    const m = this.read(name);
    if (!m) throw new LxcdeckError('not-defined', `container ${name} is not defined in ${this.lxcpath}`, "see 'lxcdeck ls', or pass --lxcpath");
    return m;
  }

  private read(name: string): ContainerIdMapValues | null {
    const c = this.lib.lxcdeck_open(name, this.lxcpath);
    // liblxc returns no handle when the config does not parse: one broken container must not hide the others
    if (!c) return { name, state: 'STOPPED', values: [], rootfs: '', loadError: `liblxc cannot load the config of ${name}` };
    try {
      if (!this.lib.lxcdeck_is_defined(c)) return null;
      const values = (this.lib.lxcdeck_get_config_item(c, 'lxc.idmap') ?? '').split('\n').filter((v) => v.trim() !== '');
      const rootfs = (this.lib.lxcdeck_get_config_item(c, 'lxc.rootfs.path') ?? '').trim();
      const rootfsOptions = (this.lib.lxcdeck_get_config_item(c, 'lxc.rootfs.options') ?? '').trim();
      return { name, state: parseState(this.lib.lxcdeck_state(c)), values, rootfs, rootfsOptions };
    } finally {
      this.lib.lxcdeck_close(c);
    }
  }
}

/** The directory of a `dir` rootfs (liblxc's `dir:` prefix or a bare path); '' for other backends. */
export function rootfsDirectory(value: string): string {
  const p = value.replace(/^dir:/, '');
  return path.isAbsolute(p) ? p : '';
}

/**
 * The maps of every lxcpath a command looks at, for what the maps of others
 * decide (sharing, a free range): subordinate ids belong to the user, not to
 * an lxcpath, so a container elsewhere that maps a range uses it here too.
 * Containers of the primary lxcpath keep their names; the others are named
 * by their directory, LXCPATH/NAME, as the workstation names them.
 */
export class IdMapsAcross implements IdMapSource {
  readonly lxcpaths: readonly string[];

  constructor(
    private readonly primary: LiblxcIdMapSource,
    private readonly peers: readonly LiblxcIdMapSource[],
  ) {
    this.lxcpaths = [primary.lxcpath, ...peers.map((p) => p.lxcpath)];
  }

  idmaps(): ContainerIdMapValues[] {
    return [...this.primary.idmaps(), ...this.peers.flatMap((p) => p.idmaps().map((m) => ({ ...m, name: path.join(p.lxcpath, m.name) })))];
  }

  idmapOf(name: string): ContainerIdMapValues {
    return this.primary.idmapOf(name);
  }
}

