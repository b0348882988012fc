import { formatIdMapEntry, formatSpan, hostSpan, intersect, mergeSpans, spanTotal, type IdKind, type IdMapEntry, type LineProblem, type SubIdRange } from '../core/idmap.js';
import { checkIdMapValues, hasErrors, type IdMapFinding, type IdMapSubject, type OtherMap } from '../core/idmapCheck.js';
import type { ContainerIdMapValues } from '../core/idmapSource.js';
import type { ContainerState } from '../core/state.js';

/**
 * Who uses what of a user's subordinate id space: each container's map, the
 * ranges each entry draws from, the containers it shares host ids with, and
 * the findings of the validator. Pure: `show` prints it, the TUI can draw it.
 */
export interface EntryUse {
  entry: string;
  kind: IdKind;
  /** Host ids, as `100000-165535`. */
  hostIds: string;
  /** Whether the host ids lie inside the user's ranges of that kind. */
  inside: boolean;
  sharedWith: { name: string; ids: string }[];
}

export interface ContainerUse {
  name: string;
  state: ContainerState;
  idmap: string[];
  uses: EntryUse[];
  /** Maps some ids, and shares none with another container of the user. */
  isolated: boolean;
  valid: boolean;
  findings: IdMapFinding[];
}

export interface SpaceUse {
  ranges: string[];
  total: number;
  /** Ids of the ranges that some container maps. */
  used: number;
  free: number;
}

export interface IdMapUsage {
  user: string;
  uid: number;
  gid: number;
  subuid: SpaceUse;
  subgid: SpaceUse;
  /** Unreadable lines of /etc/subuid and /etc/subgid (and unreadable files). */
  fileProblems: (LineProblem & { file: string })[];
  containers: ContainerUse[];
}

function space(ranges: readonly SubIdRange[], maps: readonly IdMapEntry[][], kind: IdKind): SpaceUse {
  const merged = mergeSpans(ranges);
  const spans = maps.flatMap((m) => m.filter((e) => e.kind === kind && e.range > 0).map(hostSpan));
  const used = spanTotal(merged.flatMap((r) => spans.map((s) => intersect(r, s)).filter((x): x is SubIdRange => x !== null)));
  const total = spanTotal(merged);
  return { ranges: merged.map(formatSpan), total, used, free: total - used };
}

function entryUse(e: IdMapEntry, subject: IdMapSubject, others: readonly OtherMap[]): EntryUse {
  const ranges = e.kind === 'u' ? subject.subuid : subject.subgid;
  const span = hostSpan(e);
  const inside = e.range > 0 && mergeSpans(ranges).some((r) => r.start <= span.start && span.start + span.count <= r.start + r.count);
  const sharedWith = others.flatMap((o) => {
    const common = mergeSpans(o.entries.filter((x) => x.kind === e.kind && x.range > 0).map((x) => intersect(span, hostSpan(x))).filter((x): x is SubIdRange => x !== null));
    return common.length ? [{ name: o.name, ids: common.map(formatSpan).join(', ') }] : [];
  });
  const own = e.range === 1 && e.hostid === (e.kind === 'u' ? subject.uid : subject.gid);
  return { entry: formatIdMapEntry(e), kind: e.kind, hostIds: e.range > 0 ? formatSpan(span) : '-', inside: inside || own || subject.uid === 0, sharedWith };
}

export function idmapUsage(subject: IdMapSubject, containers: readonly ContainerIdMapValues[], fileProblems: IdMapUsage['fileProblems'] = []): IdMapUsage {
  const parsed = containers.map((c) => ({ c, ...checkIdMapValues(c.values, subject) }));
  const unloadable = (c: ContainerIdMapValues): IdMapFinding[] =>
    c.loadError ? [{ severity: 'error', rule: 'unloadable', entry: null, message: c.loadError, fix: `fix the line liblxc names ('lxc-info -n ${c.name}' shows it)` }] : [];
  const all: OtherMap[] = parsed.map((p) => ({ name: p.c.name, entries: p.entries }));
  const rows = parsed.map(({ c, entries }): ContainerUse => {
    const others = all.filter((o) => o.name !== c.name);
    const findings = c.loadError ? unloadable(c) : checkIdMapValues(c.values, subject, others).findings;
    const uses = entries.map((e) => entryUse(e, subject, others));
    return {
      name: c.name,
      state: c.state,
      idmap: c.values,
      uses,
      isolated: entries.length > 0 && uses.every((u) => !u.sharedWith.length),
      valid: !hasErrors(findings),
      findings,
    };
  });
  const maps = parsed.map((p) => p.entries);
  return { user: subject.user, uid: subject.uid, gid: subject.gid, subuid: space(subject.subuid, maps, 'u'), subgid: space(subject.subgid, maps, 'g'), fileProblems, containers: rows };
}

/** A stretch of the user's id space and the containers mapping it (none: free). */
export interface SpaceSlice {
  ids: string;
  start: number;
  count: number;
  containers: string[];
}

/**
 * The user's ranges of one kind cut at every container's entry edges, each
 * piece with who maps it: the bar the usage view draws (free, one owner, or
 * shared by several).
 */
export function spaceSlices(subject: IdMapSubject, maps: readonly OtherMap[], kind: IdKind): SpaceSlice[] {
  const spans = maps.flatMap((m) => m.entries.filter((e) => e.kind === kind && e.range > 0).map((e) => ({ name: m.name, span: hostSpan(e) })));
  const out: SpaceSlice[] = [];
  for (const r of mergeSpans(kind === 'u' ? subject.subuid : subject.subgid)) {
    const cuts = new Set([r.start, r.start + r.count]);
    for (const { span } of spans)
      for (const edge of [span.start, span.start + span.count]) if (edge > r.start && edge < r.start + r.count) cuts.add(edge);
    const edges = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < edges.length; i++) {
      const piece = { start: edges[i] as number, count: (edges[i + 1] as number) - (edges[i] as number) };
      const containers = [...new Set(spans.filter((s) => intersect(s.span, piece)).map((s) => s.name))];
      const last = out.at(-1);
      // neighbours with the same owners are one slice (a split map's pieces)
      if (last && last.start + last.count === piece.start && last.containers.join('\n') === containers.join('\n')) {
        last.count += piece.count;
        last.ids = formatSpan(last);
      } else out.push({ ids: formatSpan(piece), ...piece, containers });
    }
  }
  return out;
}
