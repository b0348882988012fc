/**
 * Pure parsers of cgroup, PSI and /proc/net/dev text: no file access, no
 * state. The readers (readers.ts) feed them what a tick read.
 */
/** A file holding one non-negative number ("5\n"). */
export function parseInteger(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

// v1 "unlimited" is PAGE_COUNTER_MAX in bytes (9223372036854771712 on x86-64);
// nothing real comes near 2^62.
const V1_UNLIMITED = 2 ** 62;

/** v1 memory.limit_in_bytes: null when unlimited. */
export function parseV1Limit(text: string | null): number | null {
  const n = parseInteger(text);
  return n === null || n >= V1_UNLIMITED ? null : n;
}

/** v2 memory.max, pids.max (both versions): "max" or a number; null when unlimited or unreadable. */
export function parseMaxLimit(text: string | null): number | null {
  if (text === null || text.trim() === 'max') return null;
  return parseInteger(text);
}

/** End of the line starting at or before `from`. */
function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** `key value` lines (cpu.stat, memory.stat): the value of `key`. */
export function parseKeyedValue(text: string | null, key: string): number | null {
  if (text === null) return null;
  let from = 0;
  for (;;) {
    const at = text.indexOf(key, from);
    if (at < 0) return null;
    const after = at + key.length;
    if ((at === 0 || text.charCodeAt(at - 1) === 10) && text.charCodeAt(after) === 32) {
      return parseInteger(text.slice(after + 1, lineEnd(text, after)));
    }
    from = after;
  }
}

/** cpu.pressure, memory.pressure, io.pressure: avg10 of the "some" line. */
export function parsePsiSomeAvg10(text: string | null): number | null {
  if (text === null || !text.startsWith('some ')) return null;
  const end = lineEnd(text, 0);
  const at = text.indexOf('avg10=', 0);
  if (at < 0 || at > end) return null;
  const stop = text.indexOf(' ', at);
  const n = Number(text.slice(at + 6, stop < 0 || stop > end ? end : stop));
  return Number.isFinite(n) ? n : null;
}

export interface IoBytes {
  read: number;
  write: number;
}

/**
 * v1 blkio.*io_service_bytes*: "MAJ:MIN Read N" / "MAJ:MIN Write N" per
 * device, then "Total N". Null when no device line is present: the kernel
 * prints devices only where the policy is active (throttle: since 6.10 only
 * on queues where a limit was ever set; bfq: only under the bfq scheduler),
 * so "Total 0" alone means "not counted", not "no IO".
 */
export function parseBlkioBytes(text: string | null): IoBytes | null {
  if (text === null) return null;
  let read = 0;
  let write = 0;
  let devices = 0;
  for (let start = 0; start < text.length; ) {
    const end = lineEnd(text, start);
    const colon = text.indexOf(':', start);
    const sp1 = text.indexOf(' ', start);
    // a device line: "MAJ:MIN Op N"; the trailing "Total N" has no colon
    if (colon >= start && sp1 > colon && sp1 < end) {
      const sp2 = text.indexOf(' ', sp1 + 1);
      if (sp2 > sp1 && sp2 < end) {
        const n = Number(text.slice(sp2 + 1, end));
        if (Number.isFinite(n)) {
          devices++;
          const op = text.slice(sp1 + 1, sp2);
          if (op === 'Read') read += n;
          else if (op === 'Write') write += n;
        }
      }
    }
    start = end + 1;
  }
  return devices > 0 ? { read, write } : null;
}

function sumField(text: string, key: string): number {
  let sum = 0;
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + key.length)) {
    if (at > 0 && text.charCodeAt(at - 1) !== 32) continue;
    const from = at + key.length;
    let to = from;
    while (to < text.length && text.charCodeAt(to) >= 48 && text.charCodeAt(to) <= 57) to++;
    if (to > from) sum += Number(text.slice(from, to));
  }
  return sum;
}

/** v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=..." per device; empty means no IO yet. */
export function parseIoStat(text: string | null): IoBytes | null {
  if (text === null) return null;
  return { read: sumField(text, 'rbytes='), write: sumField(text, 'wbytes=') };
}

// ---- files of one target ---------------------------------------------------

/** Byte counters of every interface of this network namespace, by name. */
export type NetDevTable = Map<string, { rx: number; tx: number }>;

export const PROC_NET_DEV = '/proc/net/dev';

/**
 * /proc/net/dev: two header lines, then "  name: rxBytes rxPackets ... (8
 * receive fields) txBytes ...". The same dev_get_stats() numbers as
 * /sys/class/net/<if>/statistics, for every interface in one read: a sampler
 * tick reads it once instead of two sysfs files per container.
 */
export function parseNetDev(text: string | null): NetDevTable | null {
  if (text === null) return null;
  const out: NetDevTable = new Map();
  let start = text.indexOf('\n', text.indexOf('\n') + 1) + 1;
  while (start > 0 && start < text.length) {
    const end = lineEnd(text, start);
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      // fields 0 and 8 after the colon, scanned without splitting the line
      let rx = NaN;
      let tx = NaN;
      let field = 0;
      for (let i = colon + 1; i < end && field <= 8; ) {
        while (i < end && text.charCodeAt(i) === 32) i++;
        const from = i;
        while (i < end && text.charCodeAt(i) !== 32) i++;
        if (i === from) break;
        if (field === 0) rx = Number(text.slice(from, i));
        else if (field === 8) tx = Number(text.slice(from, i));
        field++;
      }
      if (Number.isFinite(rx) && Number.isFinite(tx)) out.set(text.slice(start, colon).trim(), { rx, tx });
    }
    start = end + 1;
  }
  return out;
}
