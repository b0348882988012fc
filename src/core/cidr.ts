/**
 * IPv4 and IPv6 prefixes ("10.20.0.0/24", "fd42::/64"), parsed without a
 * library (no Node imports in core). Pure: never throws. IPv4 parts must be
 * plain decimal without leading zeros (inet_aton would read "010" as octal),
 * IPv6 follows RFC 4291 (one "::", an optional dotted IPv4 tail, no zone)
 * and is printed the RFC 5952 way (lowercase, longest zero run as "::").
 */
export interface Cidr {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: readonly number[];
  prefix: number;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; error: string };

export interface CidrOptions {
  /** Only this family (default: either). */
  family?: 4 | 6;
  /** 'network' (default): host bits must be zero ("10.20.0.0/24"); 'address': an address in its subnet ("10.20.0.1/24"). */
  form?: 'network' | 'address';
}

export function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b <= 255) ? bytes : null;
}

export function parseIPv6(s: string): number[] | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string, last: boolean): number[] | null => {
    if (h === '') return [];
    const parts = h.split(':');
    const out: number[] = [];
    for (const [i, p] of parts.entries()) {
      if (last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1] ?? '', true) : [];
  if (!head || !tail) return null;
  const explicit = head.length + tail.length;
  // without "::" all eight groups are written; "::" stands for at least one zero group
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const all = [...head, ...Array<number>(8 - explicit).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

export function formatAddress(family: 4 | 6, bytes: readonly number[]): string {
  if (family === 4) return bytes.join('.');
  const g = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 section 5)
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${bytes.slice(12).join('.')}`;
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return best.at < 0 ? hex(g) : `${hex(g.slice(0, best.at))}::${hex(g.slice(best.at + best.len))}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.family, c.bytes)}/${c.prefix}`;
}

/** The prefix with every host bit cleared ("10.20.0.7/24" -> "10.20.0.0/24"). */
export function networkOf(c: Cidr): Cidr {
  const bytes = c.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, c.prefix - 8 * i));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { ...c, bytes };
}

const EXAMPLE = { 4: '10.20.0.0/24', 6: 'fd42::/64' } as const;

export function parseCidr(text: string, opts: CidrOptions = {}): CidrResult {
  const s = text.trim();
  const shown = JSON.stringify(s);
  const example = opts.family ? EXAMPLE[opts.family] : `${EXAMPLE[4]} or ${EXAMPLE[6]}`;
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const family: 4 | 6 | null = addr.includes(':') ? 6 : /^[\d.]+$/.test(addr) ? 4 : null;
  const bytes = family === 6 ? parseIPv6(addr) : family === 4 ? parseIPv4(addr) : null;
  if (!family || !bytes) {
    const what = family === 6 ? 'an IPv6 address' : family === 4 ? 'an IPv4 address (four numbers 0-255)' : 'an IP prefix';
    return { ok: false, error: `${shown} is not ${what}: write an address and a prefix length, e.g. ${example}` };
  }
  if (opts.family && family !== opts.family) return { ok: false, error: `${shown} is IPv${family}: give an IPv${opts.family} prefix, e.g. ${example}` };
  const max = family === 4 ? 32 : 128;
  if (slash < 0) return { ok: false, error: `${shown} has no prefix length: add one, e.g. ${s}/${family === 4 ? 24 : 64}` };
  const p = s.slice(slash + 1);
  const prefix = /^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN;
  if (!(prefix <= max)) return { ok: false, error: `prefix length ${JSON.stringify(p)} in ${shown} is not valid for IPv${family}: use 0 to ${max}` };
  const cidr: Cidr = { family, bytes, prefix };
  const net = networkOf(cidr);
  if ((opts.form ?? 'network') === 'network' && net.bytes.some((b, i) => b !== bytes[i]))
    return { ok: false, error: `${shown} has host bits set: use the network ${formatCidr(net)}` };
  return { ok: true, cidr };
}

/** IPv4 as an unsigned 32-bit number (network order), for range maths. */
export function ipv4ToInt(bytes: readonly number[]): number {
  return (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** First and last address of an IPv4 prefix, as numbers. */
export function ipv4Range(c: Cidr): { first: number; last: number } {
  const first = ipv4ToInt(networkOf(c).bytes);
  const size = 2 ** (32 - c.prefix);
  return { first, last: first + size - 1 };
}

/** Whether the IPv4 address (dotted) lies in the prefix. */
export function ipv4In(c: Cidr, address: string): boolean {
  const b = parseIPv4(address);
  if (!b || c.family !== 4) return false;
  const n = ipv4ToInt(b);
  const r = ipv4Range(c);
  return n >= r.first && n <= r.last;
}

/** Whether two prefixes of the same family share any address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const p = Math.min(a.prefix, b.prefix);
  const na = networkOf({ ...a, prefix: p });
  const nb = networkOf({ ...b, prefix: p });
  return na.bytes.every((x, i) => x === nb.bytes[i]);
}
