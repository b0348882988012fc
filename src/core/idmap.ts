import { LxcdeckError } from './errors.js';

/**
 * uid/gid maps: the `lxc.idmap` lines of a container (`u|g NSID HOSTID RANGE`,
 * the kernel's uid_map/gid_map rows) and the id ranges they cover.
 */
export type IdKind = 'u' | 'g';

/** One lxc.idmap line: `u|g nsid hostid range`. */
export interface IdMapEntry {
  kind: IdKind;
  nsid: number;
  hostid: number;
  range: number;
}

/** A subordinate id range from /etc/subuid or /etc/subgid. */
export interface SubIdRange {
  start: number;
  count: number;
}

/** (uid_t)-1 is "no id": the highest id a map may name is 2^32 - 2. */
export const MAX_ID = 2 ** 32 - 2;
/** Lines the kernel accepts per uid_map or gid_map (since Linux 4.15). */
export const MAX_MAP_LINES = 340;
/** What one container conventionally gets: 16 bits of ids. */
export const SLICE = 65536;

/** A line of input that could not be read, with its 1-based line number. */
export interface LineProblem {
  line: number;
  text: string;
  message: string;
}

/** Whether lxc.rootfs.options asks for an idmapped rootfs mount (LXC 5: files keep container ids on disk). */
export const IDMAP_MOUNT_OPTION = 'idmap=container';
export const hasIdmapMount = (options: string | undefined): boolean => (options ?? '').split(',').map((o) => o.trim()).includes(IDMAP_MOUNT_OPTION);

/** lxc.rootfs.options with idmap=container added (other options kept). */
export const withIdmapMount = (options: string | undefined): string => (hasIdmapMount(options) ? (options ?? '').trim() : [(options ?? '').trim(), IDMAP_MOUNT_OPTION].filter(Boolean).join(','));

export const kindWord = (k: IdKind): string => (k === 'u' ? 'uid' : 'gid');

export function formatIdMapEntry(e: IdMapEntry): string {
  return `${e.kind} ${e.nsid} ${e.hostid} ${e.range}`;
}

const INT = /^-?\d+$/;

/**
 * Reads one lxc.idmap value without judging it: any integers are kept (the
 * validator names zero counts and ids out of range), only the shape is checked.
 * Returns the reason as a string when the shape is wrong.
 */
export function readIdMapEntry(value: string): IdMapEntry | string {
  const parts = value.trim().split(/\s+/).filter(Boolean);
  const [kind, ...nums] = parts;
  if (kind !== 'u' && kind !== 'g') return `the kind must be u or g, not ${JSON.stringify(kind ?? '')}`;
  if (nums.length !== 3) return `expected 4 fields "u|g NSID HOSTID RANGE", found ${parts.length}`;
  const numbers = nums.map((n) => (INT.test(n) ? Number(n) : NaN));
  const bad = numbers.findIndex((n) => !Number.isSafeInteger(n));
  if (bad >= 0) return `${['NSID', 'HOSTID', 'RANGE'][bad]} ${JSON.stringify(nums[bad])} is not a whole number`;
  const [nsid, hostid, range] = numbers as [number, number, number];
  return { kind, nsid, hostid, range };
}

/** Every lxc.idmap value of a container (as liblxc lists them): entries, and the unreadable lines by number. */
export function parseIdMapLines(values: readonly string[]): { entries: IdMapEntry[]; problems: LineProblem[] } {
  const entries: IdMapEntry[] = [];
  const problems: LineProblem[] = [];
  values.forEach((text, i) => {
    if (!text.trim()) return;
    const r = readIdMapEntry(text);
    if (typeof r === 'string') problems.push({ line: i + 1, text, message: r });
    else entries.push(r);
  });
  return { entries, problems };
}

/** Strict form for callers that need a usable entry or an error now. */
export function parseIdMapEntry(value: string): IdMapEntry {
  const r = readIdMapEntry(value);
  if (typeof r === 'string' || r.nsid < 0 || r.hostid < 0)
    throw new LxcdeckError('invalid-argument', `invalid idmap ${JSON.stringify(value)}`, 'write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"');
  if (r.range < 1) throw new LxcdeckError('invalid-argument', `idmap ${JSON.stringify(value)} has an empty range`, 'use a range of at least 1');
  return r;
}

/** Whether [hostid, hostid + range) lies inside the union of the ranges (adjacent ranges join, as newuidmap allows). */
export function isMappedInside(entry: IdMapEntry, ranges: readonly SubIdRange[]): boolean {
  return uncovered({ start: entry.hostid, count: entry.range }, ranges).length === 0;
}

/** The host uid that the container's root (nsid 0) maps to, if mapped. */
export function hostIdForRoot(entries: readonly IdMapEntry[], kind: IdKind): number | null {
  const e = entries.find((x) => x.kind === kind && x.nsid <= 0 && x.nsid + x.range > 0);
  return e ? e.hostid - e.nsid : null;
}

/** The host ids an entry covers. */
export const hostSpan = (e: IdMapEntry): SubIdRange => ({ start: e.hostid, count: e.range });
/** The container ids an entry covers. */
export const nsSpan = (e: IdMapEntry): SubIdRange => ({ start: e.nsid, count: e.range });

export function formatSpan(r: SubIdRange): string {
  return r.count === 1 ? String(r.start) : `${r.start}-${r.start + r.count - 1}`;
}

/** The common part of two spans, or null. */
export function intersect(a: SubIdRange, b: SubIdRange): SubIdRange | null {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.start + a.count, b.start + b.count);
  return end > start ? { start, count: end - start } : null;
}

/** Sorted, merged (overlapping or adjacent joined) spans. */
export function mergeSpans(spans: readonly SubIdRange[]): SubIdRange[] {
  const sorted = spans.filter((s) => s.count > 0).sort((a, b) => a.start - b.start);
  const out: SubIdRange[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.start + last.count) last.count = Math.max(last.count, s.start + s.count - last.start);
    else out.push({ ...s });
  }
  return out;
}

/** The parts of span not covered by any of the ranges. */
export function uncovered(span: SubIdRange, ranges: readonly SubIdRange[]): SubIdRange[] {
  const out: SubIdRange[] = [];
  let at = span.start;
  const end = span.start + span.count;
  for (const r of mergeSpans(ranges)) {
    if (r.start + r.count <= at) continue;
    if (r.start >= end) break;
    if (r.start > at) out.push({ start: at, count: r.start - at });
    at = Math.max(at, r.start + r.count);
    if (at >= end) break;
  }
  if (at < end) out.push({ start: at, count: end - at });
  return out;
}

/** Total ids in merged spans. */
export const spanTotal = (spans: readonly SubIdRange[]): number => mergeSpans(spans).reduce((n, s) => n + s.count, 0);
