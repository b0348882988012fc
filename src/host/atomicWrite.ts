import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The one way lxcdeck writes a file: a temp file in the same directory,
 * fsync, then rename over the target (or link, to create without replacing),
 * then fsync of the directory. A reader (liblxc, another lxcdeck) sees the
 * old file or the new one, never half of one, even after a crash or kill -9.
 * (The `atomically` package that conf uses does most of this, but it hooks
 * exit signals, which main owns, and cannot create exclusively.)
 */
export interface AtomicWriteOptions {
  /** Mode of a new file; an existing file keeps its own mode (and owner, when we are root). */
  mode?: number;
  /** Create the parent directory with this mode when it is missing. */
  mkdirMode?: number;
  /**
   * false: no fsync of the file nor the directory. Still atomic for readers
   * and against kill -9 (the rename is); only a power loss may lose the
   * write. For files whose world a reboot wipes anyway (network plan journals).
   */
  durable?: boolean;
}

/**
 * Random hex from /dev/urandom: node:crypto costs every command that writes a
 * file ~10 ms of start-up to load, for a few bytes of a temp or journal name.
 */
export function randomHex(bytes: number): string {
  const buf = Buffer.alloc(bytes);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    fs.readSync(fd, buf, 0, bytes, null);
  } finally {
    fs.closeSync(fd);
  }
  return buf.toString('hex');
}

/** Replaces (or creates) `file` with `data`; returns the path written (symlinks are followed). */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): string {
  const target = resolveTarget(file);
  const tmp = writeTemp(target, data, options);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  if (options.durable !== false) syncDir(path.dirname(target));
  return target;
}

/** Creates `file` with `data` unless it exists (returns false then): two racing creators cannot both win. */
export function createFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): boolean {
  const tmp = writeTemp(file, data, options);
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  if (options.durable !== false) syncDir(path.dirname(file));
  return true;
}

function resolveTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

function writeTemp(target: string, data: string | Uint8Array, options: AtomicWriteOptions): string {
  const dir = path.dirname(target);
  if (options.mkdirMode !== undefined) fs.mkdirSync(dir, { recursive: true, mode: options.mkdirMode });
  let existing: fs.Stats | null = null;
  try {
    existing = fs.statSync(target);
  } catch {
    existing = null;
  }
  const mode = existing ? existing.mode & 0o7777 : (options.mode ?? 0o644);
  purgeStaleTemps(dir, path.basename(target));
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomHex(4)}.tmp`);
  // 'wx': never follow or reuse something planted under the temp name
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fchmodSync(fd, mode); // the umask trimmed the open mode
    const uid = process.getuid?.();
    if (existing && uid === 0 && (existing.uid !== 0 || existing.gid !== 0)) fs.fchownSync(fd, existing.uid, existing.gid);
    if (options.durable !== false) fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  return tmp;
}

/**
 * Removes temp files a killed writer left in `dir` (their pid is gone): of
 * one target (`base`), or of every target, for a directory of files with
 * unique names (plan journals) that are never written twice.
 */
export function purgeStaleTemps(dir: string, base?: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(n);
    if (!m || (base !== undefined && m[1] !== base)) continue;
    if (!fs.existsSync(`/proc/${m[2]}`)) fs.rmSync(path.join(dir, n), { force: true });
  }
}

/** Makes the rename itself durable; some filesystems refuse to fsync a directory, which is fine. */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
