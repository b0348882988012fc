import * as os from 'node:os';
import { LxcdeckError } from './core/errors.js';
import { isTerminalFd, processIo } from './cli/io.js';
import { reportFailure } from './cli/failure.js';
import { parseFast, runFast } from './cli/fast.js';

/** Thawing what rules froze may wait on liblxc; a stuck thaw must not keep the process from ending. */
const RELEASE_TIMEOUT_MS = 10_000;

/**
 * The only place that wires everything and may exit the process. Every
 * failure becomes one line on stderr and a non-zero status.
 */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const args = argv.slice(2);
  const tui = workstationArgs(args);
  try {
    if (tui) {
      if (tui.workspace !== undefined && !/^[a-z]$/.test(tui.workspace))
        throw new LxcdeckError('invalid-argument', `--workspace ${JSON.stringify(tui.workspace)} is not a mark`, "use a lowercase letter a–z ('lxcdeck workspace ls' lists them)");
      if (!process.stdout.isTTY || !process.stdin.isTTY)
        throw new LxcdeckError('invalid-argument', 'lxcdeck needs a terminal for the workstation', "run it in a terminal, or use 'lxcdeck ls' in scripts");
      return await runWorkstation(tui.lxcpaths, tui.workspace);
    }
    // the commands scripts loop over skip commander (src/cli/fast.ts)
    const fast = parseFast(args);
    const fastStatus = fast ? await runFast(fast, processIo, () => isTerminalFd(1)) : null;
    if (fastStatus !== null) return fastStatus;
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
    return reportFailure(e);
  }
}

/**
 * The workstation's whole life: start, wait for the end (quit, a signal or a
 * fatal error), then always in this order: release what the rules froze,
 * restore the terminal, exit. Containers are never stopped.
 */
/** The TUI's own options (-P PATH, repeated for several lxcpaths; -w MARK) and nothing else: the workstation; anything more is the CLI's. */
function workstationArgs(args: string[]): { lxcpaths: string[]; workspace?: string } | null {
  const out: { lxcpaths: string[]; workspace?: string } = { lxcpaths: [] };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i] ?? '', args[i + 1]];
    if (value === undefined) return null;
    if (/^(-P|--lxcpath)$/.test(flag)) out.lxcpaths.push(value);
    else if (/^(-w|--workspace)$/.test(flag) && out.workspace === undefined) out.workspace = value;
    else return null;
  }
  return out;
}

async function runWorkstation(lxcpaths: string[], workspace: string | undefined): Promise<number> {
  const { createContexts, workstationContext } = await import('./cli/context.js');
  const { configuredLxcpaths, listingMemo } = await import('./cli/lxcpathList.js');
  const list = configuredLxcpaths(lxcpaths);
  const contexts = createContexts(list.paths, list.leaveOut, 'tui');
  // the first frame's listing starts from what the last ls or workstation learnt (createContexts gives at least one)
  const memo = listingMemo(contexts[0]!.identity, contexts.map((c) => c.backend));
  const ctx = workstationContext(contexts);
  const { startTui } = await import('./main/tui.js');
  const header = `${ctx.identity.user}@${os.hostname()}  ${contexts.map((c) => c.backend.lxcpath).join(' + ')}  cgroups ${ctx.cgroups.layout}`;
  const tui = startTui(ctx, { input: process.stdin, output: process.stdout }, header, workspace);
  const end = await tui.ended;
  let releaseError: string | null = null;
  await withTimeout(tui.releaseRules(), RELEASE_TIMEOUT_MS).catch((e: unknown) => (releaseError = e instanceof Error ? e.message : String(e)));
  await tui.close();
  memo.save();
  if (releaseError) processIo.err(`lxcdeck: could not thaw what the rules froze: ${releaseError}: thaw it with 'lxcdeck thaw NAME' or 'lxcdeck job thaw NAME'`);
  if (end.kind === 'quit') return 0;
  if (end.kind === 'fatal') processIo.err(`lxcdeck: fatal: ${end.message}`);
  // pane programs and timers may still hold the loop: a signal or a crash ends the process here
  process.exit(end.kind === 'fatal' ? 1 : end.signal === 'SIGTERM' ? 143 : 129);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`still waiting after ${ms / 1000} s`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}

function isCommanderExit(e: unknown): e is { exitCode: number } {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('commander.') && typeof (e as { exitCode?: unknown }).exitCode === 'number';
}
