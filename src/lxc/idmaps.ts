import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerIdMapValues, IdMapSource, IdMapWriter } from '../core/idmapSource.js';
import { LxcdeckError } from '../core/errors.js';
import { validateContainerName } from '../core/names.js';
import { parseState } from '../core/state.js';
import { compareNames } from '../host/collation.js';
import type { ContainerHandle, NativeLib } from './native.js';

/** Each container's lxc.idmap through liblxc's get_config_item (liblxc parses the config and its includes). */
export class LiblxcIdMapSource implements IdMapSource, IdMapWriter {
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

  setIdMap(name: string, values: readonly string[]): void {
    validateContainerName(name);
    const c = this.lib.lxcdeck_open(name, this.lxcpath);
    if (!c) throw new LxcdeckError('liblxc-failed', `liblxc cannot load the config of ${name}`, `fix the line liblxc names ('lxc-info -n ${name}' shows it)`);
    try {
      if (!this.lib.lxcdeck_is_defined(c)) throw new LxcdeckError('not-defined', `container ${name} is not defined in ${this.lxcpath}`, "see 'lxcdeck ls', or pass --lxcpath");
      const state = parseState(this.lib.lxcdeck_state(c));
      if (state !== 'STOPPED') throw new LxcdeckError('wrong-state', `container ${name} must be stopped to change its idmap (state ${state})`, `stop it first with 'lxcdeck stop ${name}'`);
      // only the in-memory config changes until the save: a rejected value leaves the file alone
      if (this.lib.lxcdeck_clear_config_item(c, 'lxc.idmap') !== 0) throw new LxcdeckError('liblxc-failed', `liblxc could not clear lxc.idmap of ${name}`);
      for (const v of values)
        if (this.lib.lxcdeck_set_config_item(c, 'lxc.idmap', v) !== 0)
          throw new LxcdeckError('config-key', `liblxc rejected lxc.idmap = ${JSON.stringify(v)}`, 'write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"');
      saveConfigAtomically(this.lib, c, name);
    } finally {
      this.lib.lxcdeck_close(c);
    }
  }

  private read(name: string): ContainerIdMapValues | null {
    const c = this.lib.lxcdeck_open(name, this.lxcpath);
    // liblxc returns no handle when the config does not parse: one broken container must not hide the others
    if (!c) return { name, state: 'STOPPED', values: [], rootfs: '', loadError: `liblxc cannot load the config of ${name}` };
    try {
      if (!this.lib.lxcdeck_is_defined(c)) return null;
      const values = (this.lib.lxcdeck_get_config_item(c, 'lxc.idmap') ?? '').split('\n').filter((v) => v.trim() !== '');
      const rootfs = (this.lib.lxcdeck_get_config_item(c, 'lxc.rootfs.path') ?? '').trim();
      return { name, state: parseState(this.lib.lxcdeck_state(c)), values, rootfs };
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

/** liblxc truncates and rewrites the config in place: save beside it and rename over instead. */
function saveConfigAtomically(lib: NativeLib, c: ContainerHandle, name: string): void {
  const file = lib.lxcdeck_config_file_name(c);
  if (!file) throw new LxcdeckError('liblxc-failed', `liblxc does not know the config file of ${name}`);
  const tmp = `${file}.lxcdeck-${process.pid}`;
  if (lib.lxcdeck_save_config(c, tmp) !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new LxcdeckError('liblxc-failed', `liblxc could not save the config of ${name}`, `check that ${path.dirname(file)} is writable`);
  }
  fs.renameSync(tmp, file);
}
