import { spawn } from 'node:child_process';
import type { ConfigEdit } from '../core/configText.js';
import type { Backing } from '../core/createSource.js';
import { LxcdeckError } from '../core/errors.js';
import { fileSize, lastLxcError } from '../host/paths.js';
import { helperErrorToLxcdeck, parseHelperError } from './helper.js';
import { findNativeFile } from './native.js';
import { interrupted } from './tools.js';

/**
 * A copy or snapshot clone in native/lxcdeck-helper (clone.c): liblxc's
 * clone with the new container's keys and lxcdeck's half-made marker in the
 * same process, instead of lxc-copy followed by a config rewrite in Node
 * (that made an instant overlay clone twice as slow as lxc-copy -s).
 */
export interface HelperClone {
  from: string;
  name: string;
  lxcpath: string;
  snapshot: boolean;
  backing: Backing | null;
  /** Keys the clone gets: each replaces the original's values (liblxc judges them before anything is made). */
  edits: readonly ConfigEdit[];
  /** The marker file made with the new directory, its text, and whether it stays (a start follows). */
  marker: { file: string; text: string; keep: boolean } | null;
}

export function helperCloneArgs(c: HelperClone): string[] {
  const keys = c.edits.flatMap((e) => ['--clear', e.key, ...e.values.flatMap((v) => ['--set', e.key, v])]);
  const marker = c.marker ? ['--marker', c.marker.file, c.marker.text, ...(c.marker.keep ? ['--keep-marker'] : [])] : [];
  const backing = c.backing ?? (c.snapshot ? 'overlay' : null);
  return ['clone', c.from, c.lxcpath, c.name, ...(c.snapshot ? ['--snapshot'] : []), ...(backing ? ['--backing', backing] : []), ...marker, ...keys];
}

/** Runs the clone in its own process group (Ctrl-C ends a copy's rsync too); a failure is the helper's one line plus liblxc's cause. */
export function runHelperClone(c: HelperClone, logFile: string | null, signal?: AbortSignal): Promise<void> {
  const file = findNativeFile('lxcdeck-helper');
  const offset = fileSize(logFile);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(interrupted('the clone'));
    const child = spawn(file, helperCloneArgs(c), { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...(logFile ? { LXCDECK_LXC_LOG: logFile } : {}) } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    };
    signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (e) => {
      signal?.removeEventListener('abort', kill);
      reject(new LxcdeckError('internal', `cannot run ${file}: ${e.message}`));
    });
    // success needs nothing from stderr: settle on the exit, not on the pipe's close (a loop turn later)
    child.on('exit', (code) => {
      if (code !== 0 || signal?.aborted) return;
      signal?.removeEventListener('abort', kill);
      resolve();
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', kill);
      if (code === 0 && !signal?.aborted) return;
      if (signal?.aborted) return reject(interrupted('the clone'));
      const parsed = parseHelperError(stderr);
      if (parsed) return reject(helperErrorToLxcdeck(parsed, lastLxcError(logFile, offset)));
      reject(new LxcdeckError('liblxc-failed', `the clone failed: ${stderr.trim().split('\n')[0] || (sig ? `killed by ${sig}` : `exit status ${code}`)}`));
    });
  });
}
