import { formatSpan, intersect, mergeSpans, nsSpan, uncovered, type IdKind, type IdMapEntry, type SubIdRange } from '../core/idmap.js';

/**
 * What re-owning a rootfs means when a container's map changes, as a pure id
 * translation: a file owned by host id h under the old map belongs to
 * container id n; under the new map n is host id h'. The walker (a helper
 * process, not built here) applies it to every inode's owner, ACL entries and
 * security.capability rootid; rolling back is the same translation with the
 * maps swapped.
 */
export interface ShiftSegment {
  kind: IdKind;
  /** First host id under the old map. */
  from: number;
  /** First host id under the new map. */
  to: number;
  count: number;
}

export interface ShiftTranslation {
  /** Sorted by kind, then `from`; disjoint on the old side. Segments with from === to change nothing but are kept: those ids are mapped, not foreign. */
  segments: ShiftSegment[];
  /** Old host ids whose container ids the new map does not map: a file owned by one cannot be shifted. */
  unmapped: { kind: IdKind; hostIds: SubIdRange; containerIds: SubIdRange }[];
}

const KINDS: readonly IdKind[] = ['u', 'g'];
const usable = (m: readonly IdMapEntry[], k: IdKind) => m.filter((e) => e.kind === k && e.range > 0);

export function shiftTranslation(oldMap: readonly IdMapEntry[], newMap: readonly IdMapEntry[]): ShiftTranslation {
  const segments: ShiftSegment[] = [];
  const unmapped: ShiftTranslation['unmapped'] = [];
  for (const kind of KINDS) {
    const news = usable(newMap, kind);
    for (const o of usable(oldMap, kind)) {
      for (const n of news) {
        const c = intersect(nsSpan(o), nsSpan(n));
        if (c) segments.push({ kind, from: o.hostid + c.start - o.nsid, to: n.hostid + c.start - n.nsid, count: c.count });
      }
      for (const gap of uncovered(nsSpan(o), news.map(nsSpan))) unmapped.push({ kind, hostIds: { start: o.hostid + gap.start - o.nsid, count: gap.count }, containerIds: gap });
    }
  }
  segments.sort((a, b) => (a.kind === b.kind ? a.from - b.from : a.kind === 'u' ? -1 : 1));
  return { segments, unmapped };
}

/** Whether the translation changes any id at all (no walk needed when it does not). */
export const shiftNeeded = (t: ShiftTranslation): boolean => t.segments.some((s) => s.from !== s.to);

/**
 * The new host id of an old one: a number, 'unmapped' (mapped by the old map
 * but not the new), or null for an id outside the old map (left as it is, and
 * reported by the walker).
 */
export function translateId(t: ShiftTranslation, kind: IdKind, id: number): number | 'unmapped' | null {
  // binary search: a rootfs has tens of thousands of inodes, the map a few segments
  const segs = t.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segs[mid] as ShiftSegment;
    const before = s.kind !== kind ? s.kind === 'u' : s.from + s.count <= id;
    const after = s.kind !== kind ? !before : s.from > id;
    if (before) lo = mid + 1;
    else if (after) hi = mid - 1;
    else return s.to + (id - s.from);
  }
  return t.unmapped.some((u) => u.kind === kind && id >= u.hostIds.start && id < u.hostIds.start + u.hostIds.count) ? 'unmapped' : null;
}

/** Rolling back: the old ids from the new ones. */
export const inverseTranslation = (oldMap: readonly IdMapEntry[], newMap: readonly IdMapEntry[]): ShiftTranslation => shiftTranslation(newMap, oldMap);

/**
 * The user namespace the walker runs in, so an unprivileged user can chown
 * between two of their ranges: every old and new host id, packed from
 * namespace id 0 (what `lxc-usernsexec -m b:0:OLD:N -m b:N:NEW:N` does).
 * Returns the newuidmap/newgidmap lines and the translation in namespace ids.
 */
export function walkerNamespace(t: ShiftTranslation): { map: IdMapEntry[]; segments: ShiftSegment[] } {
  const map: IdMapEntry[] = [];
  const toNs = new Map<IdKind, (host: number) => number>();
  for (const kind of KINDS) {
    const spans = mergeSpans(t.segments.filter((s) => s.kind === kind).flatMap((s) => [{ start: s.from, count: s.count }, { start: s.to, count: s.count }]));
    let next = 0;
    const lines = spans.map((s) => {
      const e: IdMapEntry = { kind, nsid: next, hostid: s.start, range: s.count };
      next += s.count;
      return e;
    });
    map.push(...lines);
    toNs.set(kind, (host) => {
      const e = lines.find((l) => host >= l.hostid && host < l.hostid + l.range) as IdMapEntry;
      return e.nsid + host - e.hostid;
    });
  }
  const segments = t.segments.map((s) => {
    const f = toNs.get(s.kind) as (h: number) => number;
    return { ...s, from: f(s.from), to: f(s.to) };
  });
  return { map, segments };
}

/** One line per changing segment, for previews: `uids 100000-165535 -> 165536-231071`. */
export function describeShift(t: ShiftTranslation): string[] {
  const word = (k: IdKind) => (k === 'u' ? 'uids' : 'gids');
  return [
    ...t.segments.filter((s) => s.from !== s.to).map((s) => `${word(s.kind)} ${formatSpan({ start: s.from, count: s.count })} -> ${formatSpan({ start: s.to, count: s.count })}`),
    ...t.unmapped.map((u) => `${word(u.kind)} ${formatSpan(u.hostIds)} (container ${formatSpan(u.containerIds)}): not in the new map, files they own cannot be shifted`),
  ];
}
