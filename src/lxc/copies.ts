import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyConfigEdits, configValues } from '../core/configText.js';
import { writeFileAtomic } from '../host/atomicWrite.js';
import { LxcdeckError } from '../core/errors.js';
import { runTool } from './tools.js';

/**
 * Snapshots and overlay clones as they are on disk: liblxc keeps a
 * container's snapshots in <dir>/snaps/snapN (config, ts, comment) and
 * records overlay dependents in <original>/lxc_snapshots and
 * <clone>/lxc_rdepends. The forking work (lxc-snapshot, lxc-destroy) runs in
 * LXC's own tools.
 */
export interface SnapshotInfo {
  name: string;
  /** liblxc's timestamp ("2026:12:01 08:32:40"). */
  time: string;
  comment: string;
  path: string;
}

const readOr = (f: string, d = '') => {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return d;
  }
};

export function snapshotsOf(lxcpath: string, name: string): SnapshotInfo[] {
  const dir = path.join(lxcpath, name, 'snaps');
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((s) => /^snap\d+$/.test(s)) : [];
  return names
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .map((s) => ({ name: s, time: readOr(path.join(dir, s, 'ts')).trim(), comment: readOr(path.join(dir, s, 'comment')).trim(), path: path.join(dir, s) }));
}

/** Rootfs directory a config names (dir: prefix or a bare path). */
export function rootfsDir(config: string): string | null {
  const v = configValues(config, 'lxc.rootfs.path').at(-1) ?? '';
  if (v.startsWith('dir:')) return v.slice(4);
  return v.startsWith('/') ? v : null;
}

/** The containers of `lxcpath` whose rootfs is an overlay on `name`'s rootfs (they break when it changes). */
export function overlayClones(lxcpath: string, name: string): string[] {
  const own = rootfsDir(readOr(path.join(lxcpath, name, 'config')));
  if (!own) return [];
  const out = new Set<string>();
  const recorded = readOr(path.join(lxcpath, name, 'lxc_snapshots')).split('\n').filter(Boolean);
  for (let i = 0; i + 1 < recorded.length; i += 2) if (fs.existsSync(path.join(recorded[i] as string, recorded[i + 1] as string, 'config'))) out.add(recorded[i + 1] as string);
  for (const other of fs.existsSync(lxcpath) ? fs.readdirSync(lxcpath) : []) {
    if (other === name) continue;
    const v = configValues(readOr(path.join(lxcpath, other, 'config')), 'lxc.rootfs.path').at(-1) ?? '';
    if (v.startsWith(`overlay:${own}:`) || v.startsWith(`overlayfs:${own}:`)) out.add(other);
  }
  return [...out].sort();
}

/** A tool on PATH (unset: execvp's /usr/bin:/bin); liblxc and the templates run them by name. */
export const onPath = (bin: string): boolean => (process.env.PATH ?? '/usr/bin:/bin').split(':').some((d) => d !== '' && fs.existsSync(path.join(d, bin)));

/**
 * liblxc copies a directory-backed rootfs (a copy clone, a snapshot of a
 * dir container) with rsync; without it lxc-copy/lxc-snapshot fail with a
 * bare exit status. Overlay, btrfs and the other backings need no rsync.
 */
export function requireRsyncFor(what: string, configFile: string): void {
  if (onPath('rsync')) return;
  const rootfsPath = configValues(fs.readFileSync(configFile, 'utf8'), 'lxc.rootfs.path').at(-1) ?? '';
  if (/^(overlay|overlayfs|btrfs|zfs|lvm|rbd|loop):/.test(rootfsPath)) return;
  throw new LxcdeckError('liblxc-missing', `${what} copies the rootfs with rsync, which is not installed`, 'install it (apt-get install rsync), or make an overlay clone (--snapshot)');
}

export async function takeSnapshot(lxcpath: string, name: string, comment: string | undefined): Promise<SnapshotInfo> {
  requireRsyncFor(`a snapshot of ${name}`, path.join(lxcpath, name, 'config'));
  const before = new Set(snapshotsOf(lxcpath, name).map((s) => s.name));
  let file: string | null = null;
  if (comment !== undefined) {
    if (/[\0]/.test(comment)) throw new LxcdeckError('invalid-argument', 'the comment contains a NUL byte', 'give plain text');
    file = path.join(fs.mkdtempSync('/tmp/lxcdeck-comment-'), 'comment');
    fs.writeFileSync(file, comment);
  }
  try {
    await runTool(['lxc-snapshot', '-n', name, '-P', lxcpath, ...(file ? ['-c', file] : [])]);
  } finally {
    if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  const made = snapshotsOf(lxcpath, name).find((s) => !before.has(s.name));
  if (!made) throw new LxcdeckError('liblxc-failed', `lxc-snapshot said nothing went wrong, but ${name} has no new snapshot`, 'see the liblxc log');
  return made;
}

export function requireSnapshot(lxcpath: string, name: string, snap: string): SnapshotInfo {
  const s = snapshotsOf(lxcpath, name).find((x) => x.name === snap);
  if (!s) throw new LxcdeckError('not-defined', `${name} has no snapshot ${JSON.stringify(snap)}`, `see 'lxcdeck snapshot ls ${name}'`);
  return s;
}

export async function restoreSnapshot(lxcpath: string, name: string, snap: string, as: string | null): Promise<void> {
  requireSnapshot(lxcpath, name, snap);
  // a snapshot is a container under <name>/snaps: copying it works even where liblxc's restore refuses (overlay dependents)
  if (as) await runTool(['lxc-copy', '-P', path.join(lxcpath, name, 'snaps'), '-n', snap, '-N', as, '-p', lxcpath]);
  else await runTool(['lxc-snapshot', '-n', name, '-P', lxcpath, '-r', snap]);
}

export async function removeSnapshot(lxcpath: string, name: string, snap: string): Promise<void> {
  requireSnapshot(lxcpath, name, snap);
  await runTool(['lxc-snapshot', '-n', name, '-P', lxcpath, '-d', snap]);
}

/** A plain directory rootfs outside the container's own directory (one created with --in-place), or null. */
export function rootfsInPlace(lxcpath: string, name: string): string | null {
  const own = path.join(lxcpath, name);
  const dir = rootfsDir(readOr(path.join(own, 'config')));
  return dir && path.relative(own, dir).startsWith('..') ? dir : null;
}

/** Destroys a stopped container; a rootfs it used in place is kept (liblxc would delete it). Returns the kept directory. */
export async function destroyContainer(lxcpath: string, name: string, withSnapshots: boolean): Promise<string | null> {
  const snaps = snapshotsOf(lxcpath, name);
  if (snaps.length && !withSnapshots) throw new LxcdeckError('wrong-state', `${name} has ${snaps.length} snapshot${snaps.length === 1 ? '' : 's'} (${snaps.map((s) => s.name).join(', ')})`, `pass --with-snapshots to destroy them too, or 'lxcdeck snapshot rm ${name} SNAP' first`);
  const kept = rootfsInPlace(lxcpath, name);
  if (kept) {
    // without lxc.rootfs.path liblxc removes only the container's own directory
    const file = path.join(lxcpath, name, 'config');
    const text = fs.readFileSync(file, 'utf8');
    writeFileAtomic(file, applyConfigEdits(text, [{ key: 'lxc.rootfs.path', values: [] }]));
  }
  await runTool(['lxc-destroy', '-n', name, '-P', lxcpath, ...(withSnapshots && snaps.length ? ['-s'] : [])]);
  return kept;
}

/** snapshotsOf without blocking the event loop (the TUI's detail view reads it while the screen runs). */
export async function readSnapshots(lxcpath: string, name: string): Promise<SnapshotInfo[]> {
  const dir = path.join(lxcpath, name, 'snaps');
  const names = (await fs.promises.readdir(dir).catch(() => [] as string[])).filter((s) => /^snap\d+$/.test(s)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const read = (f: string) => fs.promises.readFile(f, 'utf8').catch(() => '');
  return Promise.all(names.map(async (s) => ({ name: s, time: (await read(path.join(dir, s, 'ts'))).trim(), comment: (await read(path.join(dir, s, 'comment'))).trim(), path: path.join(dir, s) })));
}
