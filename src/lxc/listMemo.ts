import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../host/atomicWrite.js';
import type { ListerMemo } from './lister.js';

/**
 * The listing's memo between runs (see ListerMemo): one JSON file per
 * lxcpath in a directory of the user's own. Anything unreadable, of another
 * version or another lxcpath is no memo: the listing then reads every
 * config, as without one. Written atomically; never fsynced (a lost memo
 * costs one slower `ls`). Config mtimes mean the same after a reboot, so the
 * memo needs no boot tag (version 1 kept pids as well, and named its boot).
 */
interface MemoFile {
  v: 2;
  lxcpath: string;
  memo: ListerMemo;
}

/** 32-bit FNV-1a of the lxcpath, in hex: a short file name without loading node:crypto. */
function pathKey(lxcpath: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < lxcpath.length; i++) h = Math.imul(h ^ lxcpath.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export function memoFile(dir: string, lxcpath: string): string {
  return path.join(dir, `list-${pathKey(path.resolve(lxcpath))}.json`);
}

/** Each memo file's text as this process last read or wrote it: an unchanged memo is not written again. */
const known = new Map<string, string>();

export function readListMemo(dir: string, lxcpath: string): ListerMemo | null {
  try {
    const file = memoFile(dir, lxcpath);
    const text = fs.readFileSync(file, 'utf8');
    known.set(file, text);
    const f = JSON.parse(text) as Partial<MemoFile>;
    if (f.v !== 2 || f.lxcpath !== path.resolve(lxcpath) || typeof f.memo !== 'object' || !f.memo) return null;
    const { configs } = f.memo;
    if (typeof configs !== 'object' || !configs) return null;
    // entry by entry: a bad one is left out, not trusted
    const ok = (c: ListerMemo['configs'][string]) => typeof c?.mtimeMs === 'number' && typeof c.unprivileged === 'boolean' && typeof c.autostart === 'boolean' && Array.isArray(c.groups) && c.groups.every((g) => typeof g === 'string');
    return { configs: Object.fromEntries(Object.entries(configs).filter(([, c]) => ok(c))) };
  } catch {
    return null;
  }
}

/** Best effort: a memo that cannot be written only costs the next `ls` its speed. */
export function writeListMemo(dir: string, lxcpath: string, memo: ListerMemo): void {
  const body: MemoFile = { v: 2, lxcpath: path.resolve(lxcpath), memo };
  const file = memoFile(dir, lxcpath);
  const text = JSON.stringify(body);
  if (known.get(file) === text) return;
  try {
    writeFileAtomic(file, text, { mode: 0o600, mkdirMode: 0o700, durable: false });
    known.set(file, text);
  } catch {
    /* no memo then */
  }
}
