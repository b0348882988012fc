/**
 * Subsequence fuzzy match for the command palette: every query character in
 * order; consecutive runs and word starts score higher. null when no match.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  if (!q) return 0;
  let score = 0;
  let ti = 0;
  let prev = -2;
  for (const ch of q) {
    const i = t.indexOf(ch, ti);
    if (i < 0) return null;
    score += i === prev + 1 ? 3 : 1;
    if (i === 0 || /[\s.:-]/.test(t[i - 1] ?? '')) score += 2;
    prev = i;
    ti = i + 1;
  }
  return score - t.length / 100;
}

export function fuzzyFilter<T>(query: string, items: readonly T[], text: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, score: fuzzyScore(query, text(item)) }))
    .filter((x): x is { item: T; score: number } => x.score !== null)
    .sort((a, b) => b.score - a.score)
    .map((x) => x.item);
}
