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

export function walkerCommand(walker: string, rootfs: string, t: ShiftTranslation, opts: { root: boolean; journal: string; total?: number; uid?: number; gid?: number }): WalkerCommand {
  const flags = ['--parent', '--journal', opts.journal, ...(opts.total === undefined ? [] : ['--total', String(opts.total)])];
  if (opts.root) return { argv: [walker, ...flags, rootfs, ...changing(t.segments).map(seg)], namespace: [] };
  const ns = walkerNamespace(t);
  // the user's own uid/gid too (newuidmap allows one's own id): the container's directory, owned by
  // the map's root and the user's group, can be chowned only when both its ids are mapped
  const own: IdMapEntry[] = [];
  for (const [kind, id] of [['u', opts.uid], ['g', opts.gid]] as const) {
    const mine = ns.map.filter((e) => e.kind === kind);
    if (id === undefined || mine.some((e) => id >= e.hostid && id < e.hostid + e.range)) continue;
    own.push({ kind, nsid: mine.reduce((n, e) => Math.max(n, e.nsid + e.range), 0), hostid: id, range: 1 });
  }
  const maps = [...ns.map, ...own].flatMap((e) => ['-m', `${e.kind}:${e.nsid}:${e.hostid}:${e.range}`]);
  return { argv: ['lxc-usernsexec', ...maps, '--', walker, '--ns', ...flags, rootfs, ...changing(ns.segments).map(seg)], namespace: [...ns.map, ...own] };
}
