import * as readline from 'node:readline/promises';
import { LxcdeckError } from '../core/errors.js';
import { overlayClones } from '../lxc/copies.js';
import { sanitize } from '../presentation/format.js';
import type { CliIo } from './io.js';

/**
 * Overlay clones read their original's rootfs as their lower layer: starting,
 * changing, renaming or destroying the original under them corrupts what they
 * see. Before any of that lxcdeck says so and asks (on a terminal), or
 * refuses without --force (in a script).
 */
export async function guardOriginal(lxcpath: string, name: string, verb: string, io: CliIo, force: boolean | undefined): Promise<void> {
  const clones = overlayClones(lxcpath, name);
  if (!clones.length) return;
  const what = `${name} has overlay clones (${clones.join(', ')}) that read its rootfs: to ${verb} it changes what they see and can corrupt them`;
  if (force) return io.err(sanitize(`lxcdeck: warning: ${what}`));
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(sanitize(`${what}. ${verb} it anyway? [y/N] `));
      if (/^y(es)?$/i.test(answer.trim())) return;
    } finally {
      rl.close();
    }
  }
  throw new LxcdeckError('wrong-state', what, `destroy the clones first, or pass --force to ${verb} it anyway`);
}
