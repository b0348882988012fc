import { whenStdoutGone } from './io.js';

/**
 * The life of a streaming command (events, stats --interval): runs until
 * SIGINT or SIGTERM, or until its reader goes away (EPIPE on stdout, which is
 * how SIGPIPE reaches Node), then ends with status 0.
 */
export function untilStopped(): { stopped: Promise<void>; isStopped(): boolean } {
  let stop!: () => void;
  let done = false;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const end = () => {
    if (done) return;
    done = true;
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
    stop();
  };
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
  // commands print through io.ts, which writes to fd 1 itself; anything written through process.stdout says so there
  whenStdoutGone(end);
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') end();
    else throw e;
  });
  return { stopped, isStopped: () => done };
}

/** Resolves after ms, or at once when `stopped` settles first. */
export function pause(ms: number, stopped: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    void stopped.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
