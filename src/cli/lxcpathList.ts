import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerSummary } from '../core/container.js';
import { effectiveLxcpaths } from '../core/lxcpaths.js';
import { compareNames } from '../host/collation.js';
import { defaultConfigDir } from '../settings/configDir.js';
import { peekSettings } from '../settings/peek.js';
import type { Identity } from '../host/identity.js';
import { listMemoDir } from '../host/paths.js';
import type { LiblxcBackend } from '../lxc/backend.js';
import { readListMemo, writeListMemo } from '../lxc/listMemo.js';
import { backendAt, backendParts, leaveOutFlag, resolveLxcpaths } from './backendParts.js';

/** The lxcpaths to list, and how a user drops one that is bad (from -P, or from the setting). */
export interface LxcpathList {
  paths: string[];
  leaveOut: (p: string) => string;
}

/** -P on the command line, else the `lxcpaths` setting (read without conf), else none. */
export function configuredLxcpaths(cli: readonly string[]): LxcpathList {
  if (cli.length) return { paths: [...cli], leaveOut: leaveOutFlag };
  const dir = defaultConfigDir();
  return { paths: effectiveLxcpaths(cli, peekSettings(dir).settings.lxcpaths), leaveOut: (p) => `remove it from "lxcpaths" in ${path.join(dir, 'config.json')}` };
}

/** `ls` over every lxcpath, sorted by name: each row says which lxcpath it is in. */
export function listAll({ paths, leaveOut }: LxcpathList, options: { active: boolean }): ContainerSummary[] {
  const parts = backendParts();
  const rows = resolveLxcpaths(parts, paths, leaveOut).flatMap((p) => {
    // a fresh user's default lxcpath does not exist before their first container: nothing is there yet
    // (a missing lxcpath given by -P or the setting stays an error: a typo must not look like an empty host)
    if (paths.length === 0 && !fs.existsSync(p)) return [];
    // one listing: every file is read once, nothing is kept open
    const backend = backendAt(parts, p, { keepFiles: false });
    const memo = listingMemo(parts.identity, [backend]);
    const listed = backend.list(options).map((r) => ({ ...r, lxcpath: p }));
    memo.save();
    return listed;
  });
  // stable: a name in two lxcpaths keeps the lxcpaths' order
  return rows.sort((a, b) => compareNames(a.name, b.name));
}

/**
 * What the last listing of these backends learnt (src/lxc/listMemo.ts), fed
 * to them before their first list(): liblxc is then asked only about what
 * changed since. save() leaves what they know now for the next process.
 */
export function listingMemo(identity: Identity, backends: readonly LiblxcBackend[]): { save(): void } {
  const dir = listMemoDir(identity);
  for (const b of backends) {
    const memo = readListMemo(dir, b.lxcpath);
    if (memo) b.seedLister(memo);
  }
  return { save: () => backends.forEach((b) => writeListMemo(dir, b.lxcpath, b.listerMemo())) };
}
