import { esc, fg, type Palette } from './tags.js';

/**
 * The user's whole subordinate id space as one bar: each stretch drawn in
 * proportion, by who maps it — the edited container (█, highlighted), one
 * other container (▒), several at once (▓, in the warning colour: they are
 * not isolated from each other) or nobody (·). Names stand under their
 * stretch where they fit, and a legend names every stretch with its ids, so
 * nothing depends on colour alone.
 */
export interface BarSlice {
  start: number;
  count: number;
  /** Containers mapping these ids (none: free). */
  containers: readonly string[];
}

type Owner = 'self' | 'other' | 'shared' | 'free';

const GLYPH: Record<Owner, string> = { self: '█', other: '▒', shared: '▓', free: '·' };
const COLOR: Record<Owner, string> = { self: 'helpKey', other: 'fg', shared: 'logWarn', free: 'dim' };

function ownerOf(s: BarSlice, self: string): Owner {
  if (s.containers.length > 1) return 'shared';
  if (!s.containers.length) return 'free';
  return s.containers[0] === self ? 'self' : 'other';
}

const span = (s: BarSlice) => (s.count === 1 ? `${s.start}` : `${s.start}-${s.start + s.count - 1}`);

/** Columns per slice: in proportion, at least one each so a small pass-through still shows. */
function columns(slices: readonly BarSlice[], width: number): number[] {
  const total = slices.reduce((n, s) => n + s.count, 0) || 1;
  const cols = slices.map((s) => Math.max(1, Math.round((s.count / total) * width)));
  // take back what rounding added from the widest slices
  for (let over = cols.reduce((a, b) => a + b, 0) - width; over > 0; over--) {
    const i = cols.indexOf(Math.max(...cols));
    if ((cols[i] ?? 0) <= 1) break;
    cols[i] = (cols[i] ?? 1) - 1;
  }
  return cols;
}

/** The bar, a line of names under it, and a legend line per stretch (tagged text for a blessed box). */
export function idmapBarLines(slices: readonly BarSlice[], self: string, width: number, p: Palette, label = 'uids'): string[] {
  if (!slices.length) return [`${label}: no subordinate range (nothing to draw)`];
  const w = Math.max(10, width);
  const cols = columns(slices, w);
  const owners = slices.map((s) => ownerOf(s, self));
  const bar = slices.map((_, i) => fg(p, COLOR[owners[i] as Owner], GLYPH[owners[i] as Owner].repeat(cols[i] ?? 1))).join('');
  // names under their stretch, where they fit without running into the next one
  let names = '';
  let at = 0;
  slices.forEach((s, i) => {
    const text = s.containers.join('+');
    const room = (cols[i] ?? 1) - 1;
    if (text && names.length <= at && [...text].length <= room) names = names.padEnd(at) + text;
    at += cols[i] ?? 1;
  });
  const legend = slices.map((s, i) => {
    const o = owners[i] as Owner;
    const who = o === 'free' ? 'free' : o === 'shared' ? `shared by ${s.containers.join(', ')} (not isolated)` : `${s.containers[0]}${o === 'self' ? ' (this container)' : ''}`;
    return fg(p, COLOR[o], esc(`${GLYPH[o]} ${span(s)}  ${who}`));
  });
  return [`${esc(label)} ${bar}`, `${' '.repeat(label.length + 1)}${esc(names)}`, ...legend.map((l) => `${' '.repeat(label.length + 1)}${l}`)];
}
