import { readCgroupHost, type CgroupHost, type StartPlacement } from '../host/cgroups.js';
import { realHostFs, type HostFs } from '../host/hostfs.js';
import { currentIdentity, type Identity } from '../host/identity.js';
import { fallbackLxcpath, lxcLogFile } from '../host/paths.js';
import { currentPlacement } from '../host/placement.js';
import { LiblxcBackend } from '../lxc/backend.js';
import { createHelperRunner, type HelperRunner } from '../lxc/helper.js';
import { loadNative, type NativeLib } from '../lxc/native.js';

/** Everything a command needs, wired once per process. */
export interface CliContext {
  fs: HostFs;
  identity: Identity;
  cgroups: CgroupHost;
  lib: NativeLib;
  helper: HelperRunner;
  backend: LiblxcBackend;
  logFile: string | null;
  placement: () => StartPlacement;
}

export function createContext(options: { lxcpath?: string }): CliContext {
  const fs = realHostFs;
  const identity = currentIdentity(fs);
  const cgroups = readCgroupHost(fs);
  const logFile = lxcLogFile(identity);
  const lib = loadNative(logFile);
  const lxcpath = options.lxcpath || lib.lxcdeck_default_lxcpath() || fallbackLxcpath(identity);
  const helper = createHelperRunner(logFile);
  const placement = () => currentPlacement(fs, cgroups, identity);
  const backend = new LiblxcBackend({ lib, lxcpath, fs, cgroups, helper, placement });
  return { fs, identity, cgroups, lib, helper, backend, logFile, placement };
}

/** Unprivileged attach needs the same delegated placement as start. */
export function attachPrefix(c: CliContext): string[] {
  if (c.identity.uid === 0) return [];
  const p = c.placement();
  return p.kind === 'systemd-scope' ? p.prefix : [];
}
