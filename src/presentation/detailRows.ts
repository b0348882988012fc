import type { IdmapStatus, NetJoin, SnapshotRow } from '../core/details.js';
import { sanitize } from './format.js';

/**
 * The detail view's rows for snapshots, networks and the idmap, as plain
 * text cut to `room` columns with … (the view colours the key column).
 */

const cut = (s: string, room: number) => (s.length <= room ? s : `${s.slice(0, Math.max(0, room - 1))}…`);

/** liblxc's "2026:12:01 08:32:40" as "2026-12-01 08:32"; anything else as it is. */
export function snapshotTime(ts: string): string {
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2})/.exec(ts.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}` : ts.trim() || '-';
}

/** One line per snapshot, newest first: name, date, comment (its first line; a comment is the user's text). */
export function snapshotLines(snaps: readonly SnapshotRow[], room: number, most: number): string[] {
  if (!snaps.length) return ['none'];
  const newest = [...snaps].reverse();
  const shown = newest.length > most ? newest.slice(0, Math.max(0, most - 1)) : newest;
  const lines = shown.map((s) => {
    const comment = sanitize(s.comment.split('\n')[0] ?? '').trim();
    return cut(`${sanitize(s.name)} ${snapshotTime(s.time)}${comment ? ` ${comment}` : ''}`, room);
  });
  if (shown.length < newest.length) lines.push(cut(`… ${newest.length - shown.length} older`, room));
  return lines;
}

/** One line per interface (the view's key column names lxc.net.N): "veth lxcbr0 (net lan) 10.0.3.5". */
export function networkLine(n: NetJoin, room: number): string {
  const on = n.network ? ` (net ${sanitize(n.network)})` : '';
  return cut(`${sanitize(n.type)}${n.link ? ` ${sanitize(n.link)}` : ''}${on}${n.address ? ` ${sanitize(n.address)}` : ''}`, room);
}

/** The map and whether it validates, on one line; the error (what: fix) follows when there is room. */
export function idmapLine(s: IdmapStatus, room: number): { text: string; ok: boolean } {
  if (!s.map.length) return { text: cut('none (privileged)', room), ok: true };
  // the map first (a narrow column shows its start), then what is wrong with it
  const after = s.error ? ` — ${s.error}` : s.warnings ? ` (${s.warnings} warning${s.warnings === 1 ? '' : 's'}: lxcdeck idmap check)` : '';
  return { text: cut(`${s.error ? '✗' : '✓'} ${s.map.join('; ')}${after}`, room), ok: !s.error };
}
