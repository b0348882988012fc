import { CommanderError } from 'commander';
import { isLxcdeckError } from './core/errors.js';
import { buildProgram, processIo } from './cli/program.js';

/**
 * The only place that wires everything and may exit the process. Every
 * failure becomes one line on stderr and a non-zero status.
 */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = buildProgram(processIo, (code) => {
    status = code;
  });
  const args = argv.slice(2);
  // the full-screen workstation arrives with the TUI; until then the bare command lists
  if (args.length === 0 || (args.length === 2 && /^(-P|--lxcpath)$/.test(args[0] ?? ''))) args.push('ls');
  try {
    await program.parseAsync(args, { from: 'user' });
    return status;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isLxcdeckError(e)) {
      processIo.err(`lxcdeck: ${e.line}`);
      return e.exitCode;
    }
    processIo.err(`lxcdeck: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}
