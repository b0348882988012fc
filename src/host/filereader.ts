import * as fs from 'node:fs';
import type { Disposable } from '../base/disposable.js';

/**
 * Reads small kernel files (cgroupfs, procfs) through descriptors kept open
 * between reads: a positioned read from offset 0 regenerates the content, and
 * skips the open/close of every tick. A failed read closes the descriptor and
 * returns null (the process or cgroup is gone).
 */
export class KeptFileReader implements Disposable {
  private readonly fds = new Map<string, number>();
  private buf = Buffer.allocUnsafe(64 * 1024);

  read(path: string): string | null {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      try {
        fd = fs.openSync(path, 'r');
      } catch {
        return null;
      }
      this.fds.set(path, fd);
    }
    try {
      let n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
      while (n === this.buf.length) {
        // a large file (fib_trie of a busy namespace): grow and read again
        this.buf = Buffer.allocUnsafe(this.buf.length * 2);
        n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
      }
      return this.buf.toString('utf8', 0, n);
    } catch {
      this.close(path);
      return null;
    }
  }

  /** Closes every descriptor whose path starts with one of the prefixes. */
  forget(...prefixes: string[]): void {
    for (const path of [...this.fds.keys()]) if (prefixes.some((p) => path.startsWith(p))) this.close(path);
  }

  get openCount(): number {
    return this.fds.size;
  }

  private close(path: string): void {
    const fd = this.fds.get(path);
    this.fds.delete(path);
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already gone */
      }
    }
  }

  dispose(): void {
    this.forget('');
  }
}
