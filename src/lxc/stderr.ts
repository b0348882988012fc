import * as fs from 'node:fs';
import type { Disposable } from '../base/disposable.js';
import { nodeNet } from './lazyBuiltins.js';
import type { NativeLib } from './native.js';

/**
 * liblxc writes error lines to fd 2 from whichever thread calls it (part of
 * its log state is per thread, and koffi's async calls run on worker
 * threads), whatever its log settings say. So fd 2 is not the user's
 * terminal while lxcdeck runs: it goes to the liblxc log file (the CLI) or
 * to a pipe the TUI reads into its event log. lxcdeck's own stderr
 * (process.stderr) keeps writing to the real one, through a copy of it.
 */
export interface LiblxcStderr {
  /** The TUI: fd 2's lines go to `onLine` (and the log file) until disposed, then back to the log file. */
  capture(onLine: (line: string) => void): Disposable;
  /** The user's own stderr (the copy of fd 2), for programs run in the foreground; null when there is none. */
  readonly terminal: number | null;
}

export function divertLiblxcStderr(lib: NativeLib, logFile: string | null): LiblxcStderr {
  const terminal = lib.lxcdeck_stderr_save();
  if (terminal < 0) return { capture: () => ({ dispose: () => undefined }), terminal: null };
  keepOwnStderr(terminal);
  const sink = openSink(logFile);
  if (sink >= 0) lib.lxcdeck_stderr_set(sink);
  return {
    terminal,
    capture(onLine) {
      const read = lib.lxcdeck_stderr_pipe();
      if (read < 0) return { dispose: () => undefined };
      const pipe = new (nodeNet().Socket)({ fd: read, readable: true, writable: false });
      let rest = '';
      pipe.setEncoding('utf8');
      pipe.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          if (sink >= 0) fs.write(sink, `${line}\n`, () => undefined);
          onLine(line);
        }
      });
      pipe.on('error', () => undefined);
      return {
        dispose() {
          // back to the log file first: the pipe's only writer (fd 2) goes away and it ends
          if (sink >= 0) lib.lxcdeck_stderr_set(sink);
          pipe.destroy();
        },
      };
    },
  };
}

function openSink(logFile: string | null): number {
  try {
    return fs.openSync(logFile ?? '/dev/null', 'a');
  } catch {
    try {
      return fs.openSync('/dev/null', 'a');
    } catch {
      return -1;
    }
  }
}

/**
 * process.stderr writes go to `fd` (the terminal fd 2 was) instead of fd 2.
 * Patched when first used: creating the stream loads Node's streams (and tty,
 * net), ~3 ms that a `freeze` that prints nothing need not pay.
 */
function keepOwnStderr(fd: number): void {
  const own = Object.getOwnPropertyDescriptor(process, 'stderr');
  const create = own?.get;
  if (!create || !own.configurable) return patchStderr(process.stderr, fd);
  Object.defineProperty(process, 'stderr', {
    configurable: true,
    enumerable: own.enumerable ?? false,
    get() {
      const stream = create.call(process) as NodeJS.WriteStream;
      Object.defineProperty(process, 'stderr', { ...own, get: () => stream });
      patchStderr(stream, fd);
      return stream;
    },
  });
}

function patchStderr(s: NodeJS.WriteStream, fd: number): void {
  const stream = s as NodeJS.WriteStream & { write: (...args: unknown[]) => boolean; _refreshSize?: () => void };
  // a tty stream re-reads its size from fd 2 on every SIGWINCH; fd 2 is no tty now (ENOTTY
  // would be thrown as an error event): its size is the copy's, and nothing writes through it
  if (typeof stream._refreshSize === 'function') stream._refreshSize = () => undefined;
  stream.on('error', () => undefined);
  stream.write = (chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : cb;
    writeAll(fd, typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array));
    if (typeof done === 'function') (done as () => void)();
    return true;
  };
}

/** Writes every byte; a terminal fd shared with Node's non-blocking tty handle can say EAGAIN. */
function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  for (let tries = 0; off < data.length && tries < 1000; ) {
    try {
      off += fs.writeSync(fd, data, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return; // the terminal is gone: nothing to tell it
      tries++;
    }
  }
}
