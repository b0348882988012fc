import * as fs from 'node:fs';
import { LxcdeckError } from '../core/errors.js';

/**
 * Reading a rule's source file safely. A source is a number in a small file:
 * a regular file or a sysfs/procfs attribute (those are regular files too).
 * Anything else is refused before it is opened: a FIFO blocks open() and
 * read() until a writer comes, a character device such as /dev/zero never
 * ends, and opening some devices has effects of its own (/dev/watchdog arms
 * the watchdog). What is opened is opened O_NONBLOCK and checked again with
 * fstat (it may have been swapped since the stat), and never more than
 * SOURCE_CAP_BYTES are read.
 */
export const SOURCE_CAP_BYTES = 4096;

const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;

/** 'a FIFO', 'a character device', ... for a file that is not regular; null for a regular file. */
export function notRegular(st: fs.Stats): string | null {
  if (st.isFile()) return null;
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** The one-line refusal for a source path of the wrong type. */
export function wrongType(label: string, kind: string): LxcdeckError {
  return new LxcdeckError('invalid-argument', `rule source ${label} is ${kind}, not a regular file`, 'point it at a regular file or a sysfs/procfs attribute that holds a number');
}

function missing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM' || code === 'ENXIO' || code === 'ELOOP';
}

function sameFile(a: fs.Stats, b: fs.Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/**
 * The first SOURCE_CAP_BYTES of a source file, from a worker thread (the
 * event loop never waits on it). null when it does not exist or cannot be
 * read; throws a one-line LxcdeckError when it is not a regular file.
 */
export async function readSourceFile(path: string, label = `file:${path}`): Promise<string | null> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(path);
  } catch (e) {
    if (missing(e)) return null;
    throw e;
  }
  const kind = notRegular(st);
  if (kind) throw wrongType(label, kind);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(path, OPEN_FLAGS);
  } catch (e) {
    if (missing(e)) return null;
    throw e;
  }
  try {
    const now = await fh.stat();
    const swapped = notRegular(now);
    if (swapped) throw wrongType(label, swapped);
    if (!sameFile(st, now)) return null; // replaced between stat and open: read it next time
    const buf = Buffer.alloc(SOURCE_CAP_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, bytesRead);
  } catch (e) {
    if (e instanceof LxcdeckError) throw e;
    return null;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * The same checks and cap, synchronously, for a check made while a dialog
 * waits for its answer: it never opens anything but a regular file, so the
 * only wait is one bounded read of a regular file or a kernel attribute.
 */
export function readSourceFileSync(path: string, label = `file:${path}`): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (e) {
    if (missing(e)) return null;
    throw e;
  }
  const kind = notRegular(st);
  if (kind) throw wrongType(label, kind);
  let fd: number;
  try {
    fd = fs.openSync(path, OPEN_FLAGS);
  } catch (e) {
    if (missing(e)) return null;
    throw e;
  }
  try {
    const now = fs.fstatSync(fd);
    const swapped = notRegular(now);
    if (swapped) throw wrongType(label, swapped);
    if (!sameFile(st, now)) return null;
    const buf = Buffer.alloc(SOURCE_CAP_BYTES);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n);
  } catch (e) {
    if (e instanceof LxcdeckError) throw e;
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
