import type { ConfigEdit } from '../core/configText.js';
import type { Backing } from '../core/createSource.js';
import { helperServer } from './helperServer.js';

/**
 * A copy or snapshot clone in native/lxcdeck-helper (clone.c): liblxc's
 * clone with the new container's keys and lxcdeck's half-made marker in the
 * same process, instead of lxc-copy followed by a config rewrite in Node
 * (that made an instant overlay clone twice as slow as lxc-copy -s).
 */
export interface HelperClone {
  from: string;
  name: string;
  lxcpath: string;
  snapshot: boolean;
  backing: Backing | null;
  /** Keys the clone gets: each replaces the original's values (liblxc judges them before anything is made). */
  edits: readonly ConfigEdit[];
  /** The marker file made with the new directory, its text, and whether it stays (a start follows). */
  marker: { file: string; text: string; keep: boolean } | null;
}

export function helperCloneArgs(c: HelperClone): string[] {
  const keys = c.edits.flatMap((e) => ['--clear', e.key, ...e.values.flatMap((v) => ['--set', e.key, v])]);
  const marker = c.marker ? ['--marker', c.marker.file, c.marker.text, ...(c.marker.keep ? ['--keep-marker'] : [])] : [];
  const backing = c.backing ?? (c.snapshot ? 'overlay' : null);
  return ['clone', c.from, c.lxcpath, c.name, ...(c.snapshot ? ['--snapshot'] : []), ...(backing ? ['--backing', backing] : []), ...marker, ...keys];
}

/** Runs the clone in the process's helper server (helperServer.ts); a failure is the helper's one line plus liblxc's cause. */
export function runHelperClone(c: HelperClone, logFile: string | null, signal?: AbortSignal): Promise<void> {
  return helperServer(logFile).request(helperCloneArgs(c).slice(1), signal);
}
