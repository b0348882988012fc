import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The host's files as this code sees them. The real one reads /; tests use a
 * recorded tree (a directory mirroring absolute paths plus owners.json, since
 * git keeps no ownership).
 */
export interface HostFs {
  read(p: string): string | null;
  exists(p: string): boolean;
  isDir(p: string): boolean;
  list(p: string): string[];
  /** Owner uid and permission bits, or null when missing. */
  stat(p: string): { uid: number; gid: number; mode: number } | null;
}

export const realHostFs: HostFs = {
  read(p) {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return null;
    }
  },
  exists: (p) => fs.existsSync(p),
  isDir(p) {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  },
  list(p) {
    try {
      return fs.readdirSync(p);
    } catch {
      return [];
    }
  },
  stat(p) {
    try {
      const s = fs.statSync(p);
      return { uid: s.uid, gid: s.gid, mode: s.mode };
    } catch {
      return null;
    }
  },
};

/** A recorded host tree rooted at `root`; ownership comes from root/owners.json. */
export function recordedHostFs(root: string): HostFs {
  const ownersFile = path.join(root, 'owners.json');
  const owners: Record<string, number> = fs.existsSync(ownersFile)
    ? (JSON.parse(fs.readFileSync(ownersFile, 'utf8')) as Record<string, number>)
    : {};
  const at = (p: string) => path.join(root, p);
  return {
    read: (p) => realHostFs.read(at(p)),
    exists: (p) => realHostFs.exists(at(p)),
    isDir: (p) => realHostFs.isDir(at(p)),
    list: (p) => realHostFs.list(at(p)),
    stat(p) {
      const s = realHostFs.stat(at(p));
      if (!s) return null;
      const uid = owners[p.replace(/\/+$/, '')] ?? 0;
      // recorded files carry the owner's write bit, as cgroupfs does
      return { uid, gid: uid, mode: s.mode };
    },
  };
}
