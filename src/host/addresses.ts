import type { HostFs } from './hostfs.js';

/**
 * A running container's addresses, read from its network namespace through
 * /proc/<init pid>/net — no fork and no setns per container (lxc-ls -f forks
 * into every namespace). Matches liblxc's get_ips(): no loopback, and IPv6
 * with global scope only.
 */
export function parseFibTrieLocal(text: string): string[] {
  // a refresh parses every running container's trie: find the LOCAL /32 entries
  // and the leaf line above each, instead of splitting and matching every line
  const out: string[] = [];
  const MARK = '/32 host LOCAL';
  for (let at = text.indexOf(MARK); at >= 0; at = text.indexOf(MARK, at + MARK.length)) {
    const leaf = text.lastIndexOf('|--', at);
    if (leaf < 0) continue;
    const end = text.indexOf('\n', leaf);
    const addr = text.slice(leaf + 3, end < 0 || end > at ? at : end).trim();
    if (!IPV4.test(addr) || addr.startsWith('127.') || out.includes(addr)) continue;
    out.push(addr);
  }
  return out;
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

export function parseIfInet6Global(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const [hex, , , scope, , ifname] = f;
    if (ifname === 'lo' || scope !== '00' || !hex || hex.length !== 32) continue;
    const addr = compressIpv6(hex);
    if (!out.includes(addr)) out.push(addr);
  }
  return out;
}

/** 32 hex digits -> RFC 5952 text. */
export function compressIpv6(hex: string): string {
  const groups = Array.from({ length: 8 }, (_, i) => parseInt(hex.slice(i * 4, i * 4 + 4), 16).toString(16));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

export function readAddresses(fs: HostFs, pid: number): { ipv4: string[]; ipv6: string[] } {
  return {
    ipv4: parseFibTrieLocal(fs.read(`/proc/${pid}/net/fib_trie`) ?? ''),
    ipv6: parseIfInet6Global(fs.read(`/proc/${pid}/net/if_inet6`) ?? ''),
  };
}
