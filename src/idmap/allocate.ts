import { LxcdeckError } from '../core/errors.js';
import { formatSpan, hostSpan, kindWord, mergeSpans, SLICE, uncovered, type IdKind, type IdMapEntry, type SubIdRange } from '../core/idmap.js';
import type { IdMapSubject, OtherMap } from '../core/idmapCheck.js';

/**
 * The map presets: `standard` (container 0.. -> the start of the user's
 * range), `isolated` (a slice no other container of the user touches) and
 * pass-through (one container id mapped to the same host id, the map split
 * around it). Pure: the caller reads /etc/subuid and the other maps.
 */
const KINDS: readonly IdKind[] = ['u', 'g'];
const rangesFor = (s: IdMapSubject, k: IdKind) => (k === 'u' ? s.subuid : s.subgid);
const addFlag = (k: IdKind) => (k === 'u' ? '--add-subuids' : '--add-subgids');

/** Where a new range could go without touching anyone's: after the highest end in the file (all owners). */
function additionHint(s: IdMapSubject, k: IdKind, size: number, fileEnds: readonly number[]): string {
  const ends = [...fileEnds, ...rangesFor(s, k).map((r) => r.start + r.count), 100000];
  const start = Math.max(...ends);
  return `sudo usermod ${addFlag(k)} ${start}-${start + size - 1} ${s.user}`;
}

export interface AllocateOptions {
  /** Ids per container (default 65536). */
  size?: number;
  /** End (start + count) of every range in /etc/subuid and /etc/subgid, any owner: keeps a suggested new range clear of them. */
  fileEnds?: { u: readonly number[]; g: readonly number[] };
}

/** container 0..size-1 -> the first `size` ids of the user's lowest range, for u and g. */
export function standardMap(s: IdMapSubject, options: AllocateOptions = {}): IdMapEntry[] {
  const size = options.size ?? SLICE;
  return KINDS.map((k) => {
    const first = mergeSpans(rangesFor(s, k))[0];
    if (!first || first.count < size) {
      const have = first ? `the lowest ${kindWord(k)} range of ${s.user} (${formatSpan(first)}) has only ${first.count} ids` : `${s.user} has no range in /etc/sub${kindWord(k)}`;
      throw new LxcdeckError('invalid-argument', `cannot map ${size} ${kindWord(k)}s: ${have}`, additionHint(s, k, size, options.fileEnds?.[k] ?? []));
    }
    return { kind: k, nsid: 0, hostid: first.start, range: size };
  });
}

/** The lowest `size` ids inside the ranges that none of `used` covers, or null. */
export function freeSlice(ranges: readonly SubIdRange[], used: readonly SubIdRange[], size: number): SubIdRange | null {
  for (const r of mergeSpans(ranges)) for (const gap of uncovered(r, used)) if (gap.count >= size) return { start: gap.start, count: size };
  return null;
}

/**
 * A slice of the user's ranges that no other container of the user maps
 * (u and g each), for container ids 0..size-1. The containers passed as
 * `others` must not include the one being re-mapped.
 */
export function isolatedMap(s: IdMapSubject, others: readonly OtherMap[], options: AllocateOptions = {}): IdMapEntry[] {
  const size = options.size ?? SLICE;
  return KINDS.map((k) => {
    const used = others.flatMap((o) => o.entries.filter((e) => e.kind === k && e.range > 0).map(hostSpan));
    const slice = freeSlice(rangesFor(s, k), used, size);
    if (slice) return { kind: k, nsid: 0, hostid: slice.start, range: size };
    const ranges = mergeSpans(rangesFor(s, k));
    const w = kindWord(k);
    const where = ranges.length ? `your /etc/sub${w} ranges (${ranges.map(formatSpan).join(', ')}) have no ${size} ${w}s left that no other container uses` : `${s.user} has no range in /etc/sub${w}`;
    throw new LxcdeckError('invalid-argument', `no isolated ${w} range free: ${where}`, `add ${size} ids to /etc/sub${w}: ${additionHint(s, k, size, options.fileEnds?.[k] ?? [])}`);
  });
}

/**
 * Container id `id` of one kind maps to host id `id`; the entry that covered
 * it is split into the part below, the id itself and the part above (the
 * classic 0..id-1 -> range, id -> id, id+1.. -> range+id+1 map). The host id
 * that container id used to reach is left unmapped. An id no entry covers is
 * added as its own entry.
 */
export function passThrough(entries: readonly IdMapEntry[], kind: IdKind, id: number): IdMapEntry[] {
  const i = entries.findIndex((e) => e.kind === kind && e.range > 0 && id >= e.nsid && id < e.nsid + e.range);
  if (i < 0) return [...entries, { kind, nsid: id, hostid: id, range: 1 }];
  const e = entries[i] as IdMapEntry;
  const below = id - e.nsid;
  const above = e.nsid + e.range - id - 1;
  const parts: IdMapEntry[] = [];
  if (below > 0) parts.push({ kind, nsid: e.nsid, hostid: e.hostid, range: below });
  parts.push({ kind, nsid: id, hostid: id, range: 1 });
  if (above > 0) parts.push({ kind, nsid: id + 1, hostid: e.hostid + below + 1, range: above });
  return [...entries.slice(0, i), ...parts, ...entries.slice(i + 1)];
}

/** Parses `UID[:GID]` (GID defaults to UID). */
export function parsePassThrough(text: string): { uid: number; gid: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  const uid = Number(m?.[1]);
  const gid = m?.[2] === undefined ? uid : Number(m[2]);
  if (!m || uid > 2 ** 32 - 2 || gid > 2 ** 32 - 2)
    throw new LxcdeckError('invalid-argument', `invalid pass-through ${JSON.stringify(text)}`, 'write it as UID or UID:GID, e.g. 1000 or 1000:1000');
  return { uid, gid };
}

/** Passes a uid and a gid through a map (both kinds). */
export function passThroughMap(entries: readonly IdMapEntry[], ids: { uid: number; gid: number }): IdMapEntry[] {
  return passThrough(passThrough(entries, 'u', ids.uid), 'g', ids.gid);
}
