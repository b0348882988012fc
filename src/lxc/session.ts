import type { StdioOptions } from 'node:child_process';
import { childProcess } from './lazyBuiltins.js';
import * as fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { LxcdeckError } from '../core/errors.js';
import { fileSize, lastLxcError } from '../host/paths.js';
import { helperErrorToLxcdeck, parseHelperError, type HelperError, type HelperSession, type SessionEnd } from './helper.js';

/**
 * Runs an attach or console helper with its reports on a pipe of their own
 * (fd 3, LXCDECK_STATUS_FD) and window sizes on another (fd 4,
 * LXCDECK_CONTROL_FD). The helper gets a session of its own (no controlling
 * terminal), so neither it nor liblxc can open the user's terminal.
 */

const STDERR_KEEP = 8192;

interface StatusLine {
  ready?: boolean;
  tty?: number;
  exit?: number;
  signal?: number;
  end?: 'detached' | 'closed';
  error?: HelperError['error'];
  message?: string;
}

export function startSession(file: string, argv: string[], env: NodeJS.ProcessEnv, mode: 'proxy' | 'stdio', logFile: string | null): HelperSession {
  const offset = fileSize(logFile);
  const stdio: StdioOptions = mode === 'proxy' ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] : ['inherit', 'inherit', 'pipe', 'pipe'];
  const child = childProcess().spawn(file, argv, {
    env: { ...env, LXCDECK_STATUS_FD: '3', ...(mode === 'proxy' ? { LXCDECK_CONTROL_FD: '4' } : {}) },
    stdio,
    detached: true,
  });
  const status = child.stdio[3] as Readable;
  const control = mode === 'proxy' ? (child.stdio[4] as Writable) : null;
  // a pipe lxcdeck closes first must not kill it with EPIPE
  for (const s of [child.stdin, control]) s?.on('error', () => undefined);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < STDERR_KEEP) stderr += d.toString('utf8');
  });

  const lines = new StatusLines();
  let markReady: (v: { tty: number | null } | null) => void = () => undefined;
  const ready = new Promise<{ tty: number | null } | null>((r) => (markReady = r));
  status.on('data', (d: Buffer) => {
    for (const v of lines.push(d.toString('utf8'))) if (v.ready) markReady({ tty: typeof v.tty === 'number' ? v.tty : null });
  });

  const done = new Promise<SessionEnd>((resolve, reject) => {
    child.on('error', (e) => reject(new LxcdeckError('internal', `cannot run ${file}: ${e.message}`)));
    // 'close': every pipe is drained, so the last status line has been read
    child.on('close', (code, signal) => {
      const end = endOf(lines.final, code, signal, stderr, lastLxcError(logFile, offset));
      if (end instanceof LxcdeckError) reject(end);
      else resolve(end);
    });
  });
  // a helper that ended without connecting was never ready
  void done.then(
    () => markReady(null),
    () => markReady(null),
  );

  return {
    input: child.stdin,
    output: child.stdout,
    ready,
    done,
    resize(rows, cols) {
      if (control && !control.destroyed) control.write(`${Math.max(0, Math.floor(rows))} ${Math.max(0, Math.floor(cols))}\n`);
    },
    hangup() {
      try {
        child.kill('SIGHUP');
      } catch {
        /* gone */
      }
    },
  };
}

/** Splits the status pipe into JSON lines; keeps the last one that is not "ready". */
class StatusLines {
  private text = '';
  final: StatusLine | null = null;

  push(chunk: string): StatusLine[] {
    this.text += chunk;
    const out: StatusLine[] = [];
    for (let nl = this.text.indexOf('\n'); nl >= 0; nl = this.text.indexOf('\n')) {
      const line = this.text.slice(0, nl);
      this.text = this.text.slice(nl + 1);
      try {
        const v = JSON.parse(line) as StatusLine;
        out.push(v);
        if (!v.ready) this.final = v;
      } catch {
        /* not a report */
      }
    }
    return out;
  }
}

/**
 * How a helper run with LXCDECK_STATUS_FILE=file ended (a pane: node-pty
 * cannot pass the status pipe): the program's status, or the helper's
 * failure as one LxcdeckError; null when the file holds no final report.
 */
export function sessionEndFromFile(file: string): SessionEnd | LxcdeckError | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = new StatusLines();
  lines.push(text);
  return lines.final ? endOf(lines.final, null, null, '', null) : null;
}

/** The session's end from the status line; without one (the helper died, or its fd was lost), from its exit. */
function endOf(line: StatusLine | null, code: number | null, signal: NodeJS.Signals | null, stderr: string, detail: string | null): SessionEnd | LxcdeckError {
  if (line?.error && typeof line.message === 'string') return helperErrorToLxcdeck({ error: line.error, message: line.message }, detail);
  if (typeof line?.exit === 'number') return { kind: 'exit', code: line.exit };
  if (typeof line?.signal === 'number' && !line.end) return { kind: 'signal', signal: line.signal };
  if (line?.end) return { kind: 'end', how: line.end };
  const parsed = parseHelperError(stderr);
  if (parsed) return helperErrorToLxcdeck(parsed, detail);
  if (signal) return new LxcdeckError('internal', `the attach helper was killed (${signal})`);
  return new LxcdeckError('internal', `the attach helper ended without a report (exit ${code ?? '?'})`, 'see the liblxc log for details');
}
