import { hostSpan, mergeSpans, uncovered, type IdKind, type IdMapEntry, type SubIdRange } from '../core/idmap.js';
import type { IdMapSubject } from '../core/idmapCheck.js';
import { translateId, type ShiftTranslation } from './shift.js';

/**
 * Counting what a rootfs shift would touch, for the preview: a listing of the
 * tree (`find ROOTFS -xdev -printf '%U %G %i %n %m\n'`: no symlinks followed,
 * no other mounts) summed against the translation. An unprivileged user
 * cannot read every directory of a rootfs owned by their subordinate ids, so
 * the listing runs in a user namespace where those ids are mapped; this module
 * says which and reads its ids back. Pure: the caller runs the listing.
 */
/** find's -printf format (find itself reads the backslash escape). */
export const SCAN_FORMAT = '%U %G %i %n %m\\n';

/** The kernel shows an owner the namespace does not map as the overflow id. */
const OVERFLOW_ID = 65534;

export interface ScanNamespace {
  /** Entries for `lxc-usernsexec -m`: ns 0 is the user's own id (the listing runs as ns root), the old map's host ids map to themselves. */
  map: IdMapEntry[];
  /** Host id of a namespace id as the listing prints it, or null when it is the overflow id (an owner outside the old map). */
  hostOf(kind: IdKind, nsId: number): number | null;
}

export function scanNamespace(oldMap: readonly IdMapEntry[], subject: IdMapSubject): ScanNamespace {
  const map: IdMapEntry[] = [];
  const identity = new Map<IdKind, SubIdRange[]>();
  for (const kind of ['u', 'g'] as const) {
    const own = kind === 'u' ? subject.uid : subject.gid;
    // the own id may be in the old map (passed through): it is ns 0 then, not identity-mapped twice
    const spans = mergeSpans(oldMap.filter((e) => e.kind === kind && e.range > 0).map(hostSpan)).flatMap((s) => uncovered(s, [{ start: own, count: 1 }, { start: 0, count: 1 }]));
    identity.set(kind, spans);
    map.push({ kind, nsid: 0, hostid: own, range: 1 }, ...spans.map((s) => ({ kind, nsid: s.start, hostid: s.start, range: s.count })));
  }
  return {
    map,
    hostOf(kind, n) {
      if (n === 0) return kind === 'u' ? subject.uid : subject.gid;
      const inside = (identity.get(kind) ?? []).some((s) => n >= s.start && n < s.start + s.count);
      return inside || n !== OVERFLOW_ID ? n : null;
    },
  };
}

export interface ScanSummary {
  /** Distinct inodes (hard links once). */
  inodes: number;
  /** Inodes whose uid or gid the shift changes. */
  changing: number;
  /** setuid/setgid inodes among them: chown clears the bits, the walker restores them. */
  setid: number;
  /** Inodes whose uid and gid both lie outside the old map: left as they are. */
  outside: number;
  /** Inodes owned by ids the old map maps but the new one does not: the shift cannot place them. */
  unmapped: number;
  /** Lines that could not be read. */
  unreadable: number;
}

/** Sums a listing line by line (it can be long: fed as it streams). */
export class ScanCounter {
  private readonly seen = new Set<number>();
  private readonly s: ScanSummary = { inodes: 0, changing: 0, setid: 0, outside: 0, unmapped: 0, unreadable: 0 };

  constructor(
    private readonly t: ShiftTranslation,
    /** Namespace id -> host id (identity for a listing made as root on the host). */
    private readonly hostOf: (kind: IdKind, id: number) => number | null = (_k, id) => id,
  ) {}

  add(line: string): void {
    if (!line) return;
    const f = line.split(' ');
    const [uid, gid, ino, links] = f.slice(0, 4).map(Number) as [number, number, number, number];
    const mode = parseInt(f[4] ?? '', 8);
    if (f.length !== 5 || ![uid, gid, ino, links, mode].every(Number.isSafeInteger)) {
      this.s.unreadable++;
      return;
    }
    if (links > 1) {
      if (this.seen.has(ino)) return;
      this.seen.add(ino);
    }
    this.s.inodes++;
    const hu = this.hostOf('u', uid);
    const hg = this.hostOf('g', gid);
    const ids = [hu, hg];
    const next = [hu === null ? null : translateId(this.t, 'u', hu), hg === null ? null : translateId(this.t, 'g', hg)];
    if (next.includes('unmapped')) this.s.unmapped++;
    else if (next.every((n) => n === null)) this.s.outside++;
    else if (next.some((n, i) => n !== null && n !== ids[i])) {
      this.s.changing++;
      if (mode & 0o6000) this.s.setid++;
    }
  }

  result(): ScanSummary {
    return { ...this.s };
  }
}
