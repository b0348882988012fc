import { isLxcdeckError } from '../core/errors.js';
import { processIo } from './io.js';

/** A command's failure as one line on stderr; the exit status it carries (1 for an internal error). */
export function reportFailure(e: unknown): number {
  if (isLxcdeckError(e)) {
    processIo.err(`lxcdeck: ${e.line}`);
    return e.exitCode;
  }
  processIo.err(`lxcdeck: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 1;
}
