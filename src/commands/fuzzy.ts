/**
 * Fuzzy matching for the command palette, strict enough that a far match is
 * no match: the query starts on a word, and each next character either
 * follows the last one, skips a few characters inside the same word, or begins a later
 * word (a space in the query forces a new word). A word left for the next
 * one gave at least two characters, so initials alone do not chain:
 * "frz" finds "Freeze"; "clone" does not find "Focus the next pane", nor
 * "snap" "Switch to the next theme". Word starts and contiguous
 * runs score highest, so the closest reading ranks first.
 */
const WORD_START = 8;
const CONTIGUOUS = 6;
const IN_WORD = 1;
/** Characters a match may skip inside a word ("frz" in "freeze" skips two). */
const MAX_SKIP = 3;

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

export function fuzzyScore(query: string, text: string): number | null {
  const t = text.toLowerCase();
  const q: string[] = [];
  const newWord: boolean[] = [];
  let pendingWord = true;
  for (const ch of query.toLowerCase()) {
    if (!isWordChar(ch) && ch.trim() === '') {
      pendingWord = true;
      continue;
    }
    q.push(ch);
    newWord.push(pendingWord);
    pendingWord = false;
  }
  if (!q.length) return 0;
  // word[i]: which word t[i] belongs to (-1 on separators); starts[i]: t[i] begins a word
  const word: number[] = [];
  const starts: boolean[] = [];
  let w = -1;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    const begins = isWordChar(c) && !isWordChar(t[i - 1]);
    if (begins) w++;
    word.push(isWordChar(c) ? w : -1);
    starts.push(begins);
  }
  const memo = new Map<number, number | null>();
  // the best score for q[qi..] when q[qi-1] matched at t[pos], the n-th character (up to 2) from its word
  const best = (qi: number, pos: number, n: number): number | null => {
    if (qi === q.length) return 0;
    const k = (qi * (t.length + 1) + pos + 1) * 3 + n;
    const cached = memo.get(k);
    if (cached !== undefined) return cached;
    let top: number | null = null;
    for (let j = t.indexOf(q[qi] as string, pos + 1); j >= 0; j = t.indexOf(q[qi] as string, j + 1)) {
      let gain: number;
      if (starts[j]) {
        if (pos >= 0 && n < 2) continue; // a lone initial: not a reading of the query
        gain = WORD_START + (j === 0 ? 2 : 0);
      } else if (newWord[qi] || pos < 0) continue;
      else if (j === pos + 1) gain = CONTIGUOUS;
      else if (word[j] === word[pos] && j - pos <= MAX_SKIP + 1) gain = IN_WORD;
      else continue; // mid-word in a later word: too far
      const rest = best(qi + 1, j, starts[j] ? 1 : Math.min(2, n + 1));
      if (rest !== null && (top === null || gain + rest > top)) top = gain + rest;
    }
    memo.set(k, top);
    return top;
  };
  const score = best(0, -1, 0);
  return score === null ? null : score - t.length / 100;
}

/** The items that match, best first (equal scores keep their order). */
export function fuzzyFilter<T>(query: string, items: readonly T[], text: (item: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, score: fuzzyScore(query, text(item)) }))
    .filter((x): x is { item: T; i: number; score: number } => x.score !== null)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((x) => x.item);
}
