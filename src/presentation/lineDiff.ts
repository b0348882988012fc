/**
 * A unified diff of two texts, line by line (what a plan step shows for a
 * file it rewrites). Config files are small: a plain LCS table is enough;
 * above a size cap the diff falls back to one hunk between the common head
 * and tail, which is still correct, only less tight.
 */
type Op = { op: ' ' | '-' | '+'; line: string };

const MAX_CELLS = 4_000_000;

function lines(text: string): string[] {
  if (text === '') return [];
  const l = text.split('\n');
  if (l.at(-1) === '') l.pop();
  return l;
}

function lcsOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // suffix LCS lengths, one row per line of a
  const t: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = t[i] as Uint32Array;
    const below = t[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i++] as string });
      j++;
    } else if ((t[i + 1]?.[j] ?? 0) >= (t[i]?.[j + 1] ?? 0)) ops.push({ op: '-', line: a[i++] as string });
    else ops.push({ op: '+', line: b[j++] as string });
  }
  while (i < n) ops.push({ op: '-', line: a[i++] as string });
  while (j < m) ops.push({ op: '+', line: b[j++] as string });
  return ops;
}

function diffOps(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const mid: Op[] =
    (midA.length + 1) * (midB.length + 1) <= MAX_CELLS
      ? lcsOps(midA, midB)
      : [...midA.map((line): Op => ({ op: '-', line })), ...midB.map((line): Op => ({ op: '+', line }))];
  return [...a.slice(0, head).map((line): Op => ({ op: ' ', line })), ...mid, ...a.slice(a.length - tail).map((line): Op => ({ op: ' ', line }))];
}

/** Unified diff lines (---/+++ header, @@ hunks); [] when the texts are equal. */
export function unifiedDiff(path: string, before: string | null, after: string | null, context = 3): string[] {
  if (before === after) return [];
  const ops = diffOps(lines(before ?? ''), lines(after ?? ''));
  const out = [`--- ${before === null ? '/dev/null' : `a${path}`}`, `+++ ${after === null ? '/dev/null' : `b${path}`}`];
  const changed = ops.flatMap((o, k) => (o.op === ' ' ? [] : [k]));
  if (changed.length === 0) {
    // only the final newline differs
    out.push('@@ -1 +1 @@', '\\ No newline at end of file (on one side)');
    return out;
  }
  // group changes whose contexts touch into hunks
  const hunks: [number, number][] = [];
  for (const k of changed) {
    const last = hunks.at(-1);
    if (last && k - last[1] <= 2 * context) last[1] = k;
    else hunks.push([k, k]);
  }
  for (const [first, lastChange] of hunks) {
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length, lastChange + context + 1);
    const before0 = ops.slice(0, start).filter((o) => o.op !== '+').length;
    const after0 = ops.slice(0, start).filter((o) => o.op !== '-').length;
    const body = ops.slice(start, end);
    const na = body.filter((o) => o.op !== '+').length;
    const nb = body.filter((o) => o.op !== '-').length;
    out.push(`@@ -${na ? before0 + 1 : before0},${na} +${nb ? after0 + 1 : after0},${nb} @@`);
    for (const o of body) out.push(`${o.op}${o.line}`);
  }
  return out;
}
