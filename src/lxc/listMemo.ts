import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ListerMemo } from './lister.js';

/**
 * The listing's memo between runs (see ListerMemo): one JSON file per
 * lxcpath in a directory of the user's own, tagged with its boot. Anything
 * unreadable, of another boot or another lxcpath is no memo: the listing then
 * reads every config, as without one. Written atomically; never fsynced (a
 * lost memo costs one slower `ls`).
 */
interface MemoFile {
  v: 1;
  boot: string;
  lxcpath: string;
  memo: ListerMemo;
}

export function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
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

export function readListMemo(dir: string, lxcpath: string, boot = bootId()): ListerMemo | null {
  if (!boot) return null;
  try {
    const f = JSON.parse(fs.readFileSync(memoFile(dir, lxcpath), 'utf8')) as Partial<MemoFile>;
    if (f.v !== 1 || f.boot !== boot || f.lxcpath !== path.resolve(lxcpath) || typeof f.memo !== 'object' || !f.memo) return null;
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
export function writeListMemo(dir: string, lxcpath: string, memo: ListerMemo, boot = bootId()): void {
  if (!boot) return;
  const file = memoFile(dir, lxcpath);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const body: MemoFile = { v: 1, boot, lxcpath: path.resolve(lxcpath), memo };
    fs.writeFileSync(tmp, JSON.stringify(body), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
  }
}
