import { execFile } from 'node:child_process';
import { hasIdmapMount } from '../core/idmap.js';
import type { MapChangePreview } from '../idmap/change.js';
import { findNativeFile } from '../lxc/native.js';

/**
 * How a map change keeps a rootfs's files right for the new map: re-own
 * every inode (the walker), or — as root, where the filesystem allows it —
 * leave the files with container ids and let LXC mount the rootfs idmapped
 * (lxc.rootfs.options = idmap=container), as Incus does. Unprivileged users
 * cannot idmap-mount an ext4 rootfs: the kernel wants CAP_SYS_ADMIN over the
 * filesystem's user namespace, so for them it is always the walk.
 */
export type FilesPath = { kind: 'reown' | 'idmapped' | 'none'; why: string };

/** Tries an idmapped mount of a detached clone of DIR's mount (native/lxcdeck-idmap-probe, ~1 ms): null when supported, else why not. */
export function probeIdmappedMount(dir: string): Promise<string | null> {
  let probe: string;
  try {
    probe = findNativeFile('lxcdeck-idmap-probe');
  } catch (e) {
    return Promise.resolve(e instanceof Error ? e.message : String(e));
  }
  return new Promise((resolve) =>
    execFile(probe, [dir], { timeout: 10_000 }, (err, stdout) => resolve(err ? stdout.trim().split('\n')[0] || err.message : null)),
  );
}

export async function chooseFilesPath(p: MapChangePreview, o: { root: boolean; dir: string; rootfsOptions: string | undefined; reown: boolean; probe?: (dir: string) => Promise<string | null> }): Promise<FilesPath> {
  if (hasIdmapMount(o.rootfsOptions)) return { kind: 'idmapped', why: 'the rootfs is mounted idmapped already (lxc.rootfs.options has idmap=container): its files keep container ids, only the map changes' };
  if (!p.shift.needed) return { kind: 'none', why: 'no file owner changes' };
  if (o.reown) return { kind: 'reown', why: '--reown asked for it' };
  if (!o.root) return { kind: 'reown', why: "unprivileged: the kernel allows an idmapped mount of the rootfs's filesystem only with CAP_SYS_ADMIN over its user namespace, so the files are re-owned" };
  if (!o.dir) return { kind: 'reown', why: 'not a directory rootfs' };
  if (p.old.length) return { kind: 'reown', why: `its files are owned by the old map's host ids (root ${p.rootfs.oldRoot.uid}:${p.rootfs.oldRoot.gid}); an idmapped mount needs them owned by container ids` };
  const t0 = Date.now();
  const refused = await (o.probe ?? probeIdmappedMount)(o.dir);
  if (refused) return { kind: 'reown', why: `the filesystem of ${o.dir} refuses idmapped mounts (${refused})` };
  return { kind: 'idmapped', why: `root, and the filesystem of ${o.dir} takes idmapped mounts (probed in ${Date.now() - t0} ms): the kernel maps the ids at mount time, no file is re-owned (--reown re-owns them instead)` };
}
