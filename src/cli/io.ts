import * as fs from 'node:fs';

/** Where commands write; injected so tests can capture it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Set once stdout's reader has gone (EPIPE): the rest of the output is dropped (and streams end, see whenStdoutGone). */
let readerGone = false;
const goneListeners: (() => void)[] = [];

/** Calls fn once a write to stdout finds its reader gone (how SIGPIPE reaches Node, which ignores the signal). */
export function whenStdoutGone(fn: () => void): void {
  if (readerGone) fn();
  else goneListeners.push(fn);
}

/**
 * Output written straight to fd 1: creating process.stdout loads Node's
 * stream modules (1.5 ms for a file, ~4 ms for a pipe; bench/cli.ts), more
 * than `ls --json` spends listing ten containers. process.stdout writes to a
 * file, pipe or terminal synchronously on Linux too, so the order of what
 * either writes holds.
 */
function writeOut(text: string): void {
  if (readerGone) return;
  const buf = Buffer.from(text.endsWith('\n') ? text : `${text}\n`);
  for (let off = 0; off < buf.length; ) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') {
        readerGone = true;
        for (const fn of goneListeners.splice(0)) fn();
        return;
      }
      // a non-blocking stdout someone else set up: wait for its reader a moment
      if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      else throw e;
    }
  }
}

export const processIo: CliIo = {
  out: writeOut,
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/**
 * Whether fd is a terminal, without creating process.stdout (see writeOut):
 * a terminal device names itself /dev/pts/N, /dev/ttyX or /dev/console.
 */
export function isTerminalFd(fd: number): boolean {
  try {
    return /^\/dev\/(pts\/\d+|tty\w*|console)$/.test(fs.readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}
