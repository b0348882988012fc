import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Identity } from './identity.js';

/** XDG state directory for lxcdeck (logs, job records), created on demand. */
export function stateDir(id: Identity): string {
  const base = process.env.XDG_STATE_HOME || path.join(id.home, '.local', 'state');
  return path.join(base, 'lxcdeck');
}

/**
 * Journals of plans whose effects a reboot wipes (network plans): root's
 * under /run (no fsync: a power loss takes the network with it), others'
 * beside their durable journals. `lxcdeck plan ls` reads both stores.
 */
export function volatilePlansDir(id: Identity): string {
  return id.uid === 0 ? process.env.LXCDECK_RUN_PLANS_DIR || '/run/lxcdeck-plans' : path.join(stateDir(id), 'plans');
}

/**
 * Where `ls` keeps its listing memo between runs (src/lxc/listMemo.ts):
 * somewhere a reboot empties where there is one (root's /run, the user's
 * XDG_RUNTIME_DIR), else the state directory (it only holds config facts by mtime).
 */
export function listMemoDir(id: Identity): string {
  if (process.env.LXCDECK_LIST_MEMO_DIR) return process.env.LXCDECK_LIST_MEMO_DIR;
  if (id.uid === 0) return '/run/lxcdeck-cache';
  const runtime = process.env.XDG_RUNTIME_DIR;
  return runtime && path.isAbsolute(runtime) ? path.join(runtime, 'lxcdeck') : path.join(stateDir(id), 'cache');
}

/** liblxc's own log: kept in a file so liblxc never writes to the terminal. */
export function lxcLogFile(id: Identity): string | null {
  const dir = stateDir(id);
  try {
    fs.mkdirSync(dir, { recursive: true });
    return path.join(dir, 'lxc.log');
  } catch {
    return null;
  }
}

/** liblxc's default when it cannot tell us: root uses /var/lib/lxc, users their data dir. */
export function fallbackLxcpath(id: Identity): string {
  if (id.uid === 0) return '/var/lib/lxc';
  const data = process.env.XDG_DATA_HOME || path.join(id.home, '.local', 'share');
  return path.join(data, 'lxc');
}

/** The user's LXC default config (unprivileged) or the system one (root). */
export function defaultConfFile(id: Identity): string {
  if (id.uid === 0) return '/etc/lxc/default.conf';
  const cfg = process.env.XDG_CONFIG_HOME || path.join(id.home, '.config');
  return path.join(cfg, 'lxc', 'default.conf');
}

/** The last ERROR line liblxc logged after byte `offset`, to explain a failure. */
export function lastLxcError(logFile: string | null, offset: number): string | null {
  if (!logFile) return null;
  try {
    // read only what was appended since the call started (offset is in bytes)
    const fd = fs.openSync(logFile, 'r');
    let text: string;
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - offset));
      fs.readSync(fd, buf, 0, buf.length, offset);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
    const lines = text.split('\n').filter((l) => / ERROR /.test(l));
    const last = lines.at(-1);
    if (!last) return null;
    // "lxc-helper c1 20261122... ERROR start - ../src/lxc/start.c:1234 - message"
    const m = /ERROR\s+\S+\s+-\s+\S+\s+-\s+(.*)$/.exec(last);
    return (m?.[1] ?? last).trim();
  } catch {
    return null;
  }
}

export function fileSize(file: string | null): number {
  if (!file) return 0;
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
