import * as fs from 'node:fs';
import * as path from 'node:path';

/** How many copies of unreadable settings files are kept (the oldest go first). */
export const BAD_COPIES_KEPT = 5;

/** `config.json.bad-2026-12-01T08-07-52.123Z`: sorts by time, no ':' for other tools to trip on. */
export function badCopyName(file: string, when: Date): string {
  return `${file}.bad-${when.toISOString().replace(/:/g, '-')}`;
}

/** The copies kept for `file`, oldest first. */
export function listBadCopies(file: string): string[] {
  const prefix = `${path.basename(file)}.bad-`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix))
    .sort()
    .map((n) => path.join(path.dirname(file), n));
}

/**
 * Copies an unreadable settings file aside before it is replaced, under a
 * name of its own (a second corrupt file must not overwrite the first), and
 * keeps only the newest `keep` copies. Returns the copy's path.
 */
export function keepBadCopy(file: string, when = new Date(), keep = BAD_COPIES_KEPT): string {
  let copy = badCopyName(file, when);
  for (let i = 1; fs.existsSync(copy); i++) copy = `${badCopyName(file, when)}-${i}`;
  fs.copyFileSync(file, copy, fs.constants.COPYFILE_EXCL);
  const all = listBadCopies(file);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) fs.rmSync(old, { force: true });
  return copy;
}
