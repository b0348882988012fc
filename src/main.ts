import { isLxcdeckError, LxcdeckError } from './core/errors.js';
import { createContext } from './cli/context.js';
import { processIo } from './cli/io.js';

/**
 * The only place that wires everything and may exit the process. Every
 * failure becomes one line on stderr and a non-zero status.
 */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const args = argv.slice(2);
  const bare = args.length === 0 || (args.length === 2 && /^(-P|--lxcpath)$/.test(args[0] ?? ''));
  try {
    if (bare) {
      if (!process.stdout.isTTY || !process.stdin.isTTY)
        throw new LxcdeckError('invalid-argument', 'lxcdeck needs a terminal for the workstation', "run it in a terminal, or use 'lxcdeck ls' in scripts");
      const { runTui } = await import('./tui.js');
      await runTui(createContext({ lxcpath: args[1] }), { input: process.stdin, output: process.stdout });
      return 0;
    }
    // commander and the subcommands load only for subcommands, not the TUI
    const { buildProgram } = await import('./cli/program.js');
    const program = buildProgram(processIo, (code) => {
      status = code;
    });
    await program.parseAsync(args, { from: 'user' });
    return status;
  } catch (e) {
    // commander's own exits (--help, usage errors) carry a 'commander.*' code
    if (isCommanderExit(e)) return e.exitCode === 0 ? 0 : 2;
    if (isLxcdeckError(e)) {
      processIo.err(`lxcdeck: ${e.line}`);
      return e.exitCode;
    }
    processIo.err(`lxcdeck: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

function isCommanderExit(e: unknown): e is { exitCode: number } {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('commander.') && typeof (e as { exitCode?: unknown }).exitCode === 'number';
}
