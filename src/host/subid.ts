import type { SubIdRange } from '../core/idmap.js';

/**
 * Ranges of /etc/subuid or /etc/subgid (`owner:start:count`) that belong to a
 * user, matched by name or numeric uid as shadow-utils does.
 */
export function parseSubIds(text: string, user: string, uid: number): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [owner, start, count] = line.split(':');
    if (owner !== user && owner !== String(uid)) continue;
    if (!/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    out.push({ start: Number(start), count: Number(count) });
  }
  return out;
}

export function formatRange(r: SubIdRange): string {
  return `${r.start}-${r.start + r.count - 1} (${r.count})`;
}
