import * as fs from 'node:fs';

/**
 * Looks at a rootfs tarball before anything is extracted: its compression
 * (from the magic bytes: the archive is fed to tar on stdin, where GNU tar
 * cannot guess) and the members that must not be written: `..` components
 * and absolute names (they would land outside the rootfs), and device nodes
 * for unprivileged users (the kernel refuses mknod in a user namespace).
 * Pure apart from reading the first bytes; the listing comes from `tar -tv`.
 */
export type Compression = 'none' | 'gzip' | 'xz' | 'zstd' | 'bzip2';

export const TAR_FLAG: Record<Compression, string[]> = { none: [], gzip: ['-z'], xz: ['-J'], zstd: ['--zstd'], bzip2: ['-j'] };

export function compressionOf(head: Uint8Array): Compression | null {
  const b = (i: number) => head[i] ?? -1;
  if (b(0) === 0x1f && b(1) === 0x8b) return 'gzip';
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58) return 'xz';
  if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) return 'zstd';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68) return 'bzip2';
  // ustar magic at 257
  const magic = String.fromCharCode(...head.slice(257, 262));
  return magic === 'ustar' ? 'none' : null;
}

export function readHead(file: string): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const n = fs.readSync(fd, buf, 0, 512, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

export interface TarMember {
  /** ls-style type letter: - d l h c b p s. */
  type: string;
  /** The member name, unescaped. */
  name: string;
}

/** GNU tar's escape quoting (\\, \n, \t, \ooo) back to bytes. */
export function unescapeTarName(s: string): string {
  return s.replace(/\\(\\|n|t|r|[0-7]{3})/g, (_m, e: string) => (e === '\\' ? '\\' : e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : String.fromCharCode(parseInt(e, 8))));
}

const LINE = /^(\S)\S+\s+\S+\s+\S+\s+\d{4}-\d\d-\d\d\s+\d\d:\d\d(?::\d\d)?\s(.*)$/;

/** Parses `LC_ALL=C tar -tv --quoting-style=escape` output. */
export function parseTarListing(text: string): TarMember[] {
  const out: TarMember[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const type = m[1] as string;
    let name = m[2] as string;
    if (type === 'l') name = name.split(' -> ')[0] as string;
    else if (type === 'h') name = name.split(' link to ')[0] as string;
    out.push({ type, name: unescapeTarName(name) });
  }
  return out;
}

export interface SkippedMember {
  name: string;
  why: string;
}

export function unsafeMembers(members: readonly TarMember[], unprivileged: boolean): SkippedMember[] {
  const out: SkippedMember[] = [];
  for (const m of members) {
    if (m.name.startsWith('/')) out.push({ name: m.name, why: 'absolute path' });
    else if (m.name.split('/').includes('..')) out.push({ name: m.name, why: 'path leaves the rootfs (..)' });
    else if (unprivileged && (m.type === 'c' || m.type === 'b')) out.push({ name: m.name, why: 'device node (an unprivileged container cannot make it; LXC mounts /dev)' });
  }
  return out;
}
