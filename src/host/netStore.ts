import * as fs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import { validateNetName, type NetworkDef } from '../net/definition.js';
import { LXC_NET_DEFAULTS, lxcNetDefinition, parseLxcNetConf } from '../net/lxcNet.js';
import { createFileAtomic, writeFileAtomic } from './atomicWrite.js';

/**
 * Network definitions, one JSON file each, written atomically. Root's live
 * in /etc/lxcdeck/networks (LXCDECK_NET_DIR overrides it, for tests).
 * Debian's lxc-net bridge is shown as a read-only network when it exists.
 */
export const NET_DIR = process.env.LXCDECK_NET_DIR || '/etc/lxcdeck/networks';

export class NetStore {
  constructor(readonly dir: string = NET_DIR) {}

  private file(name: string): string {
    return path.join(this.dir, `${validateNetName(name)}.json`);
  }

  list(): NetworkDef[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => /^[a-z][a-z0-9]*\.json$/.test(n));
    } catch {
      names = [];
    }
    return names.sort().flatMap((n) => {
      try {
        return [JSON.parse(fs.readFileSync(path.join(this.dir, n), 'utf8')) as NetworkDef];
      } catch {
        return [];
      }
    });
  }

  get(name: string): NetworkDef {
    const f = this.file(name);
    try {
      return JSON.parse(fs.readFileSync(f, 'utf8')) as NetworkDef;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new LxcdeckError('not-defined', `no network ${name}`, "see 'lxcdeck net ls'");
      throw new LxcdeckError('permission', `cannot read ${f}: ${(e as Error).message}`, 'run as root');
    }
  }

  /** Creates the file; false when a network of that name exists already. */
  create(def: NetworkDef): boolean {
    return createFileAtomic(this.file(def.name), `${JSON.stringify(def, null, 2)}\n`, { mode: 0o644, mkdirMode: 0o755 });
  }

  save(def: NetworkDef): void {
    writeFileAtomic(this.file(def.name), `${JSON.stringify(def, null, 2)}\n`, { mode: 0o644, mkdirMode: 0o755 });
  }

  remove(name: string): void {
    fs.rmSync(this.file(name), { force: true });
  }
}

/** Debian's lxc-net (USE_LXC_BRIDGE in /etc/default/lxc-net) as a read-only network, when its bridge exists. */
export function lxcNetNetwork(): NetworkDef | null {
  let conf: Record<string, string>;
  try {
    conf = parseLxcNetConf(fs.readFileSync(LXC_NET_DEFAULTS, 'utf8'));
  } catch {
    return null;
  }
  if (conf.USE_LXC_BRIDGE !== 'true' || !fs.existsSync(`/sys/class/net/${conf.LXC_BRIDGE ?? 'lxcbr0'}`)) return null;
  try {
    return lxcNetDefinition(conf);
  } catch {
    return null;
  }
}
