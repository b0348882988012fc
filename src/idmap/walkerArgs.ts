import type { IdMapEntry } from '../core/idmap.js';
import { walkerNamespace, type ShiftSegment, type ShiftTranslation } from './shift.js';

/**
 * The command line of native/lxcdeck-shift for a translation: as root the
 * walker runs as it is, with host ids; otherwise inside a user namespace
 * mapping the old and the new range (lxc-usernsexec, which uses
 * newuidmap/newgidmap with the user's own /etc/subuid ranges), with the
 * segments in that namespace's ids. Pure.
 */
export interface WalkerCommand {
  argv: string[];
  /** The namespace map (empty as root), for previews. */
  namespace: IdMapEntry[];
}

const seg = (s: ShiftSegment) => `${s.kind}:${s.from}:${s.to}:${s.count}`;
const changing = (segs: readonly ShiftSegment[]) => segs.filter((s) => s.from !== s.to);

export function walkerCommand(walker: string, rootfs: string, t: ShiftTranslation, opts: { root: boolean; journal: string; total?: number }): WalkerCommand {
  const flags = ['--journal', opts.journal, ...(opts.total === undefined ? [] : ['--total', String(opts.total)])];
  if (opts.root) return { argv: [walker, ...flags, rootfs, ...changing(t.segments).map(seg)], namespace: [] };
  const ns = walkerNamespace(t);
  const maps = ns.map.flatMap((e) => ['-m', `${e.kind}:${e.nsid}:${e.hostid}:${e.range}`]);
  return { argv: ['lxc-usernsexec', ...maps, '--', walker, '--ns', ...flags, rootfs, ...changing(ns.segments).map(seg)], namespace: ns.map };
}
