import * as fs from 'node:fs';
import type { Disposable } from '../base/disposable.js';

/**
 * Reads small kernel files (cgroupfs, procfs) through descriptors kept open
 * between reads: a positioned read from offset 0 regenerates the content, and
 * skips the open/close of every tick. A failed read closes the descriptor and
 * returns null (the process or cgroup is gone). A one-shot reader keeps
 * nothing open; a primed text stands in for the next read of its file.
 */
export class KeptFileReader implements Disposable {
  private readonly fds = new Map<string, number>();
  private readonly primed = new Map<string, string>();
  private buf = Buffer.allocUnsafe(64 * 1024);
  /** False: a one-shot reader (a CLI listing) closes each file after reading it. */
  readonly keeps: boolean;

  constructor(options: { keep?: boolean } = {}) {
    // a process that keeps hundreds of descriptors pays for growing its
    // descriptor table: past 256 the kernel waits for an RCU grace period
    // (~6 ms here), a waste for a listing that reads each file once
    this.keeps = options.keep ?? true;
  }

  /**
   * Gives the text of `path` read elsewhere just now (a batch read, see
   * src/lxc/batchRead.ts): the next read() returns it without a system call;
   * the descriptor, if kept, is opened at the read after.
   */
  prime(path: string, text: string): void {
    this.primed.set(path, text);
  }

  /** Forgets every primed text not read yet (it is only true for the moment it was read). */
  dropPrimed(): void {
    this.primed.clear();
  }

  read(path: string): string | null {
    const primed = this.primed.get(path);
    if (primed !== undefined) {
      this.primed.delete(path);
      return primed;
    }
    let fd = this.fds.get(path);
    if (fd === undefined) {
      try {
        fd = fs.openSync(path, 'r');
      } catch {
        return null;
      }
      if (!this.keeps) {
        try {
          return this.readFrom(fd);
        } catch {
          return null;
        } finally {
          fs.closeSync(fd);
        }
      }
      this.fds.set(path, fd);
    }
    try {
      return this.readFrom(fd);
    } catch {
      this.close(path);
      return null;
    }
  }

  /** The whole file from offset 0 (a positioned read regenerates a kernel file's content). */
  private readFrom(fd: number): string {
    let n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
    while (n === this.buf.length) {
      // a large file (fib_trie of a busy namespace): grow and read again
      this.buf = Buffer.allocUnsafe(this.buf.length * 2);
      n = fs.readSync(fd, this.buf, 0, this.buf.length, 0);
    }
    return this.buf.toString('utf8', 0, n);
  }

  /** Closes every descriptor (and drops every primed text) whose path starts with one of the prefixes. */
  forget(...prefixes: string[]): void {
    for (const path of [...this.fds.keys()]) if (prefixes.some((p) => path.startsWith(p))) this.close(path);
    for (const path of [...this.primed.keys()]) if (prefixes.some((p) => path.startsWith(p))) this.primed.delete(path);
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
