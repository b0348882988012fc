/**
 * Byte sizes as users type them: "512M", "2G", "128kB", "1.5GiB", "4096".
 * Units are binary (K = 1024), the way memory.max, lxc.cgroup.* and
 * liblxc's byte-size parser read them. Pure: never throws, returns the bytes
 * or a one-line error.
 */
export type SizeResult = { ok: true; bytes: number } | { ok: false; error: string };

const POWERS: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5 };
const UNITS = ['', 'K', 'M', 'G', 'T', 'P'] as const;

export const SIZE_FIX = 'use a whole number of bytes with an optional unit K, M, G, T (or kB, MiB, ...), e.g. 512M';

export function parseSize(text: string): SizeResult {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?\s*$/i.exec(text);
  const unit = (m?.[2] ?? '').toLowerCase();
  // "iB" needs a prefix ("KiB"); a bare "B" is bytes
  if (!m || (unit === '' && (m[3] ?? '').toLowerCase() === 'ib')) {
    return { ok: false, error: `${JSON.stringify(text.trim())} is not a size: ${SIZE_FIX}` };
  }
  const bytes = Math.floor(Number(m[1]) * 1024 ** (POWERS[unit] ?? 0));
  if (!Number.isSafeInteger(bytes)) return { ok: false, error: `${JSON.stringify(text.trim())} is too large: use at most ${formatSize(Number.MAX_SAFE_INTEGER)} bytes` };
  return { ok: true, bytes };
}

/**
 * The shortest exact spelling of a byte count in the largest unit that
 * divides it ("512M", "1536K", "100"); parseSize reads it back unchanged.
 * Careful: liblxc reads `lxc.console.buffer.size = 128k` as 128 bytes; for
 * LXC keys append the B ("128kB" works) or write plain bytes.
 */
export function formatSize(bytes: number): string {
  let power = 0;
  while (power < UNITS.length - 1 && bytes !== 0 && bytes % 1024 ** (power + 1) === 0) power++;
  return `${bytes / 1024 ** power}${UNITS[power]}`;
}
