/** One /etc/lxc/lxc-usernet line: `user|@group type link count`. */
export interface UsernetEntry {
  who: string;
  type: string;
  link: string;
  count: number;
}

export function parseUsernet(text: string): UsernetEntry[] {
  const out: UsernetEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [who, type, link, count] = line.split(/\s+/);
    if (!who || !type || !link || !/^\d+$/.test(count ?? '')) continue;
    out.push({ who, type, link, count: Number(count) });
  }
  return out;
}

/** Entries that apply to the user directly or through one of its groups. */
export function usernetFor(entries: readonly UsernetEntry[], user: string, groups: readonly string[]): UsernetEntry[] {
  return entries.filter((e) => e.who === user || (e.who.startsWith('@') && groups.includes(e.who.slice(1))));
}
