import { reportFailure } from './cli/failure.js';
import { isTerminalFd, processIo } from './cli/io.js';
import { parseFast, runFast } from './cli/fast.js';

/**
 * The entry of dist/src/fast.cjs, the small bundle bin tries first for every
 * subcommand: the commands scripts loop over (src/cli/fast.ts) from a file a
 * tenth of the whole CLI's size (reading and compiling the whole one cost
 * `freeze` ~7 ms: bench/cli.ts). Null: not one of them; bin then runs main.ts.
 */
export async function main(argv: string[]): Promise<number | null> {
  const fast = parseFast(argv.slice(2));
  if (!fast) return null;
  try {
    return await runFast(fast, processIo, () => isTerminalFd(1));
  } catch (e) {
    return reportFailure(e);
  }
}
