import { LxcdeckError } from './errors.js';

/** One lxc.idmap line: `u|g nsid hostid range`. */
export interface IdMapEntry {
  kind: 'u' | 'g';
  nsid: number;
  hostid: number;
  range: number;
}

/** A subordinate id range from /etc/subuid or /etc/subgid. */
export interface SubIdRange {
  start: number;
  count: number;
}

export function parseIdMapEntry(value: string): IdMapEntry {
  const parts = value.trim().split(/\s+/);
  const [kind, ...nums] = parts;
  const numbers = nums.map((n) => (/^\d+$/.test(n) ? Number(n) : NaN));
  if ((kind !== 'u' && kind !== 'g') || numbers.length !== 3 || numbers.some((n) => !Number.isSafeInteger(n))) {
    throw new LxcdeckError(
      'invalid-argument',
      `invalid idmap ${JSON.stringify(value)}`,
      'write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"',
    );
  }
  const [nsid, hostid, range] = numbers as [number, number, number];
  if (range < 1) throw new LxcdeckError('invalid-argument', `idmap ${JSON.stringify(value)} has an empty range`, 'use a range of at least 1');
  return { kind, nsid, hostid, range };
}

/** Whether [hostid, hostid + range) lies inside one of the ranges. */
export function isMappedInside(entry: IdMapEntry, ranges: readonly SubIdRange[]): boolean {
  return ranges.some((r) => entry.hostid >= r.start && entry.hostid + entry.range <= r.start + r.count);
}

/** The host uid that the container's root (nsid 0) maps to, if mapped. */
export function hostIdForRoot(entries: readonly IdMapEntry[], kind: 'u' | 'g'): number | null {
  const e = entries.find((x) => x.kind === kind && x.nsid === 0);
  return e ? e.hostid : null;
}
