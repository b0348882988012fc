import {
  formatIdMapEntry,
  formatSpan,
  hostSpan,
  intersect,
  kindWord,
  MAX_ID,
  MAX_MAP_LINES,
  mergeSpans,
  nsSpan,
  parseIdMapLines,
  SLICE,
  uncovered,
  type IdKind,
  type IdMapEntry,
  type SubIdRange,
} from './idmap.js';

/**
 * Validation of one container's idmap for one user: every error the kernel,
 * newuidmap/newgidmap or LXC would refuse the map for, before it is tried,
 * and warnings for maps that work but are not isolated from the user's other
 * containers. Each finding is one line: what is wrong, then the fix.
 */
export interface IdMapSubject {
  user: string;
  uid: number;
  gid: number;
  subuid: readonly SubIdRange[];
  subgid: readonly SubIdRange[];
}

/** Another container of the same user and its map. */
export interface OtherMap {
  name: string;
  entries: readonly IdMapEntry[];
}

export type FindingRule =
  | 'syntax'
  | 'unloadable'
  | 'no-map'
  | 'count'
  | 'id-range'
  | 'outside'
  | 'host-overlap'
  | 'ns-overlap'
  | 'root-unmapped'
  | 'kind-missing'
  | 'too-many'
  | 'shared'
  | 'pass-through-shared';

export interface IdMapFinding {
  severity: 'error' | 'warning';
  rule: FindingRule;
  /** The entry (as `u 0 100000 65536`) the finding is about, null for the map as a whole. */
  entry: string | null;
  message: string;
  fix: string;
}

export const findingLine = (f: IdMapFinding): string => `${f.message}: ${f.fix}`;
export const hasErrors = (fs: readonly IdMapFinding[]): boolean => fs.some((f) => f.severity === 'error');

const KINDS: readonly IdKind[] = ['u', 'g'];

const rangesFor = (s: IdMapSubject, k: IdKind) => (k === 'u' ? s.subuid : s.subgid);
const ownId = (s: IdMapSubject, k: IdKind) => (k === 'u' ? s.uid : s.gid);
const addFlag = (k: IdKind) => (k === 'u' ? '--add-subuids' : '--add-subgids');
const file = (k: IdKind) => `/etc/sub${kindWord(k)}`;

/** A map line a user could write for this kind, from their first range (or the conventional one). */
function exampleEntry(s: IdMapSubject, k: IdKind): string {
  const r = rangesFor(s, k)[0];
  return `${k} 0 ${r?.start ?? 100000} ${Math.min(r?.count ?? SLICE, SLICE)}`;
}

/** An entry whose container ids equal its host ids: a host id passed through. */
export const isPassThrough = (e: IdMapEntry): boolean => e.nsid === e.hostid;

type Problem = Pick<IdMapFinding, 'rule' | 'message' | 'fix'>;

function entryErrors(e: IdMapEntry): Problem | null {
  const w = kindWord(e.kind);
  if (e.range <= 0) return { rule: 'count', message: `${formatIdMapEntry(e)}: the count is ${e.range}`, fix: `use a count of at least 1, e.g. '${e.kind} ${e.nsid} ${e.hostid} ${SLICE}'` };
  if (e.nsid < 0) return { rule: 'id-range', message: `${formatIdMapEntry(e)}: the container ${w} ${e.nsid} is negative`, fix: 'use ids from 0' };
  if (e.hostid < 0) return { rule: 'id-range', message: `${formatIdMapEntry(e)}: the host ${w} ${e.hostid} is negative`, fix: 'use ids from 0' };
  for (const [where, start] of [['container', e.nsid], ['host', e.hostid]] as const)
    if (start + e.range - 1 > MAX_ID)
      return {
        rule: 'id-range',
        message: `${formatIdMapEntry(e)}: ${where} ${w}s ${start}-${start + e.range - 1} go above ${MAX_ID} (2^32-2)`,
        fix: `shorten it to a count of at most ${Math.max(1, MAX_ID - start + 1)} or start lower`,
      };
  return null;
}

function outsideRanges(e: IdMapEntry, s: IdMapSubject): Problem | null {
  const k = e.kind;
  // newuidmap lets a user map their own uid (and newgidmap their own gid) as a single id
  if (e.range === 1 && e.hostid === ownId(s, k)) return null;
  const ranges = rangesFor(s, k);
  const missing = uncovered(hostSpan(e), ranges);
  if (!missing.length) return null;
  const w = kindWord(k);
  const add = `sudo usermod ${missing.map((m) => `${addFlag(k)} ${m.start}-${m.start + m.count - 1}`).join(' ')} ${s.user}`;
  if (!ranges.length) return { rule: 'outside', message: `${formatIdMapEntry(e)}: ${s.user} has no range in ${file(k)}`, fix: add };
  const yours = mergeSpans(ranges).map(formatSpan).join(', ');
  return {
    rule: 'outside',
    message: `${formatIdMapEntry(e)}: host ${w}s ${missing.map(formatSpan).join(', ')} are outside your ${file(k)} ranges (${yours})`,
    fix: `map inside them, e.g. '${exampleEntry(s, k)}', or add the ids: ${add}`,
  };
}

/** Pairs of same-kind entries whose spans (host or container side) overlap. */
function overlaps(entries: readonly IdMapEntry[], span: (e: IdMapEntry) => SubIdRange): [IdMapEntry, IdMapEntry, SubIdRange][] {
  const out: [IdMapEntry, IdMapEntry, SubIdRange][] = [];
  for (let i = 0; i < entries.length; i++)
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i] as IdMapEntry;
      const b = entries[j] as IdMapEntry;
      const common = a.kind === b.kind ? intersect(span(a), span(b)) : null;
      if (common) out.push([a, b, common]);
    }
  return out;
}

/**
 * Every finding for a map, errors first in entry order, then warnings. root
 * (uid 0) may map any host id and may have no map at all (a privileged container).
 */
export function checkIdMap(entries: readonly IdMapEntry[], subject: IdMapSubject, others: readonly OtherMap[] = []): IdMapFinding[] {
  const out: IdMapFinding[] = [];
  const error = (rule: FindingRule, entry: IdMapEntry | null, message: string, fix: string) =>
    out.push({ severity: 'error', rule, entry: entry ? formatIdMapEntry(entry) : null, message, fix });
  const root = subject.uid === 0;

  if (!entries.length) {
    if (!root)
      error('no-map', null, `no lxc.idmap: a container of ${subject.user} needs a uid and a gid map`, `add 'lxc.idmap = ${exampleEntry(subject, 'u')}' and 'lxc.idmap = ${exampleEntry(subject, 'g')}'`);
    return out;
  }

  // entries with unusable numbers are reported once and left out of the other rules
  const usable: IdMapEntry[] = [];
  for (const e of entries) {
    const bad = entryErrors(e);
    if (bad) error(bad.rule, e, bad.message, bad.fix);
    else usable.push(e);
  }
  if (!root)
    for (const e of usable) {
      const o = outsideRanges(e, subject);
      if (o) error(o.rule, e, o.message, o.fix);
    }
  for (const [a, b, common] of overlaps(usable, hostSpan))
    error('host-overlap', a, `${formatIdMapEntry(a)} and ${formatIdMapEntry(b)} both map host ${kindWord(a.kind)}s ${formatSpan(common)}`, 'give each entry host ids of its own');
  for (const [a, b, common] of overlaps(usable, nsSpan))
    error(
      'ns-overlap',
      a,
      `${formatIdMapEntry(a)} and ${formatIdMapEntry(b)} both map container ${kindWord(a.kind)}s ${formatSpan(common)}`,
      `split the larger entry around ${formatSpan(common)} so each container id is mapped once (as a pass-through does)`,
    );

  for (const k of KINDS) {
    const mine = entries.filter((e) => e.kind === k);
    const other: IdKind = k === 'u' ? 'g' : 'u';
    if (!mine.length) {
      if (entries.some((e) => e.kind === other))
        error('kind-missing', null, `${other} entries but no ${k} entry: LXC needs both a uid and a gid map`, `add one such as 'lxc.idmap = ${exampleEntry(subject, k)}'`);
      continue;
    }
    if (mine.length > MAX_MAP_LINES)
      error('too-many', null, `${mine.length} ${k} entries, more than the kernel's ${MAX_MAP_LINES} per map`, 'merge adjacent entries into fewer, longer ones');
    if (!usable.some((e) => e.kind === k && e.nsid <= 0 && e.nsid + e.range > 0))
      error('root-unmapped', null, `no ${k} entry maps container ${kindWord(k)} 0 (root)`, `add one such as 'lxc.idmap = ${exampleEntry(subject, k)}'`);
  }

  for (const e of usable) {
    for (const o of others) {
      const common = mergeSpans(o.entries.filter((x) => x.kind === e.kind && x.range > 0).map((x) => intersect(hostSpan(e), hostSpan(x))).filter((x): x is SubIdRange => x !== null));
      if (!common.length) continue;
      const ids = common.map(formatSpan).join(', ');
      const w = kindWord(e.kind);
      out.push(
        isPassThrough(e)
          ? {
              severity: 'warning',
              rule: 'pass-through-shared',
              entry: formatIdMapEntry(e),
              message: `${formatIdMapEntry(e)} passes host ${w} ${ids} through, and container ${o.name} maps it too`,
              fix: `pass it through into one container only, unless both should share the files of host ${w} ${ids}`,
            }
          : {
              severity: 'warning',
              rule: 'shared',
              entry: formatIdMapEntry(e),
              message: `${formatIdMapEntry(e)} shares host ${w}s ${ids} with container ${o.name} (not isolated: root in one owns the other's files)`,
              fix: "give one of them host ids no other container maps (free ids: 'lxcdeck idmap show')",
            },
      );
    }
  }
  return out;
}

/** Checks a container's raw lxc.idmap values: unreadable lines are errors naming their line number. */
export function checkIdMapValues(values: readonly string[], subject: IdMapSubject, others: readonly OtherMap[] = []): { entries: IdMapEntry[]; findings: IdMapFinding[] } {
  const { entries, problems } = parseIdMapLines(values);
  const syntax = problems.map(
    (p): IdMapFinding => ({ severity: 'error', rule: 'syntax', entry: p.text.trim(), message: `lxc.idmap line ${p.line} ${JSON.stringify(p.text.trim())}: ${p.message}`, fix: 'write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"' }),
  );
  // the rest is judged without the unreadable lines; all unreadable is not "no map"
  const rest = problems.length && !entries.length ? [] : checkIdMap(entries, subject, others);
  return { entries, findings: [...syntax, ...rest] };
}
