import { MAX_ID, type LineProblem, type SubIdRange } from './idmap.js';

/**
 * /etc/subuid and /etc/subgid (`owner:start:count`, one range a line; owner a
 * user name or a numeric uid, as shadow-utils matches them).
 */
export interface SubIdEntry extends SubIdRange {
  owner: string;
  /** 1-based line number in the file. */
  line: number;
}

export interface SubIdFile {
  entries: SubIdEntry[];
  problems: LineProblem[];
}

const NUM = /^\d+$/;

function readLine(line: string): Omit<SubIdEntry, 'line'> | string {
  const fields = line.split(':');
  if (fields.length !== 3) return `expected "owner:start:count", found ${fields.length} field${fields.length === 1 ? '' : 's'}`;
  const [owner, start, count] = fields as [string, string, string];
  if (!owner.trim() || /\s/.test(owner)) return `the owner ${JSON.stringify(owner)} is not a user name or uid`;
  if (!NUM.test(start)) return `the start ${JSON.stringify(start)} is not a whole number`;
  if (!NUM.test(count)) return `the count ${JSON.stringify(count)} is not a whole number`;
  const s = Number(start);
  const c = Number(count);
  if (c < 1) return 'the count is 0';
  if (s + c - 1 > MAX_ID) return `the range ends at ${s + c - 1}, above the highest id ${MAX_ID}`;
  return { owner, start: s, count: c };
}

/** Never throws: every line is either an entry or a problem (comments and blank lines are neither). */
export function parseSubIdFile(text: string): SubIdFile {
  const entries: SubIdEntry[] = [];
  const problems: LineProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const r = readLine(line);
    if (typeof r === 'string') problems.push({ line: i + 1, text: raw, message: r });
    else entries.push({ ...r, line: i + 1 });
  });
  return { entries, problems };
}

/** The ranges of one user, by name or numeric uid, in file order. */
export function rangesOf(file: SubIdFile, user: string, uid: number): SubIdRange[] {
  return file.entries.filter((e) => e.owner === user || e.owner === String(uid)).map(({ start, count }) => ({ start, count }));
}

export function formatSubIdFile(entries: readonly Pick<SubIdEntry, 'owner' | 'start' | 'count'>[]): string {
  return entries.map((e) => `${e.owner}:${e.start}:${e.count}\n`).join('');
}

export function formatRange(r: SubIdRange): string {
  return `${r.start}-${r.start + r.count - 1} (${r.count})`;
}
