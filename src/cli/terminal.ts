import { LxcdeckError } from '../core/errors.js';
import type { HelperRunner, SessionEnd } from '../lxc/helper.js';
import { sessionStatus } from '../lxc/helper.js';
import { EscapeFilter } from '../presentation/escapeFilter.js';
import type { CliIo } from './io.js';

/**
 * `lxcdeck attach` and `console` on the user's own terminal. The program
 * runs on a pty of the container's own, proxied by the helper; this side
 * puts the user's terminal in raw mode (restored after, also on signals),
 * sends keys and window sizes to the helper, and passes the container's
 * output through the escape filter unless --raw. Without any terminal on
 * fds 0-2 an attach gets them straight (pipes and files cannot be typed into).
 */

export interface TerminalStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface TerminalRun {
  verb: 'attach' | 'console';
  /** Helper arguments after the verb (NAME LXCPATH ...); for attach, before any `--`. */
  args: string[];
  /** attach: the command after `--`. */
  command?: string[];
  prefix?: string[];
  raw: boolean;
  /** Printed once the helper is connected (console: which tty). */
  announce?: (tty: number | null) => string | null;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
const SIGNAL_NUMBER: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

export const RAW_WARNING = "warning: --raw: the container's output reaches this terminal unfiltered (it can retitle it, write the clipboard and read its answers)";

export async function runOnTerminal(helper: HelperRunner, run: TerminalRun, io: CliIo, streams: TerminalStreams = process): Promise<number> {
  const { stdin, stdout, stderr } = streams;
  const anyTty = Boolean(stdin.isTTY || stdout.isTTY || stderr.isTTY);
  const tail = run.command?.length ? ['--', ...run.command] : [];
  if (run.verb === 'attach' && !anyTty) {
    // no terminal anywhere: nothing to proxy or filter, the program gets the pipes or files themselves
    const s = helper.session('attach', [...run.args, '--stdio', ...tail], { prefix: run.prefix, mode: 'stdio' });
    return sessionStatus(await s.done);
  }
  if (run.raw) io.err(`lxcdeck: ${RAW_WARNING}`);
  const s = helper.session(run.verb, [...run.args, ...tail], { prefix: run.prefix, mode: 'proxy' });
  const input = s.input;
  const output = s.output;
  if (!input || !output) throw new LxcdeckError('internal', 'the helper session has no pipes');

  const size = () => {
    const t = stdout.isTTY ? stdout : stderr.isTTY ? stderr : null;
    s.resize(t?.rows ?? 0, t?.columns ?? 0);
  };
  size();
  const filter = run.raw || !stdout.isTTY ? null : new EscapeFilter({ onReply: (r) => input.write(r) });

  let rawSet = false;
  const restore = () => {
    if (rawSet && stdin.isTTY) stdin.setRawMode(false);
    rawSet = false;
  };
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    rawSet = true;
  }
  let killedBy = 0;
  const onSignal = (sig: (typeof SIGNALS)[number]) => {
    killedBy = SIGNAL_NUMBER[sig];
    restore();
    s.hangup();
  };
  const handlers = SIGNALS.map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  process.on('exit', restore);
  const onResize = () => size();
  if (stdout.isTTY) stdout.on('resize', onResize);

  const onKeys = (d: Buffer) => input.write(d);
  const onEnd = () => input.end();
  stdin.on('data', onKeys);
  stdin.on('end', onEnd);
  stdin.resume();

  // the container's output, filtered, with backpressure from the terminal
  output.on('data', (chunk: Buffer) => {
    const out = filter ? filter.push(chunk) : chunk;
    if (out.length && !stdout.write(out)) {
      output.pause();
      stdout.once('drain', () => output.resume());
    }
  });
  output.on('end', () => {
    const last = filter?.end();
    if (last?.length) stdout.write(last);
  });

  void s.ready.then((r) => {
    const line = r && run.announce?.(r.tty);
    if (line) io.err(line);
  });

  let end: SessionEnd;
  try {
    end = await s.done;
  } finally {
    restore();
    for (const [sig, h] of handlers) process.off(sig, h);
    process.off('exit', restore);
    stdout.off('resize', onResize);
    stdin.off('data', onKeys);
    stdin.off('end', onEnd);
    stdin.pause();
    input.end();
  }
  await new Promise<void>((r) => (stdout.writableNeedDrain ? stdout.once('drain', () => r()) : r()));
  return killedBy ? 128 + killedBy : sessionStatus(end);
}
