import type { LineProblem, SubIdRange } from '../core/idmap.js';
import type { IdMapSubject } from '../core/idmapCheck.js';
import type { HostFs } from './hostfs.js';
import type { Identity } from './identity.js';
import { parseSubIdFile, rangesOf } from '../core/subid.js';

export { formatRange } from '../core/subid.js';

/** Ranges of /etc/subuid or /etc/subgid that belong to a user (malformed lines are skipped here; the idmap commands report them). */
export function parseSubIds(text: string, user: string, uid: number): SubIdRange[] {
  return rangesOf(parseSubIdFile(text), user, uid);
}

/** The user's subordinate ranges as the idmap commands judge maps with, plus what could not be read. */
export function readIdMapSubject(fs: HostFs, id: Identity): { subject: IdMapSubject; problems: (LineProblem & { file: string })[]; fileEnds: { u: number[]; g: number[] } } {
  const problems: (LineProblem & { file: string })[] = [];
  const load = (file: string) => {
    const text = fs.read(file);
    // root needs no ranges; for anyone else the checks say "no range" with the fix
    if (text === null && id.uid !== 0) problems.push({ file, line: 0, text: '', message: `cannot read ${file}` });
    const parsed = parseSubIdFile(text ?? '');
    problems.push(...parsed.problems.map((p) => ({ ...p, file })));
    return parsed;
  };
  const u = load('/etc/subuid');
  const g = load('/etc/subgid');
  return {
    subject: { user: id.user, uid: id.uid, gid: id.gid, subuid: rangesOf(u, id.user, id.uid), subgid: rangesOf(g, id.user, id.uid) },
    problems,
    fileEnds: { u: u.entries.map((e) => e.start + e.count), g: g.entries.map((e) => e.start + e.count) },
  };
}
