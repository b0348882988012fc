import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';

/**
 * Runs LXC's own tools, tar and friends as child processes (liblxc's
 * create/clone/snapshot fork; Node must not): in their own process group so
 * an abort (Ctrl-C) ends the template and everything it started, with the
 * tail of their output kept for the error line and the TUI.
 */
export interface ToolRun {
  signal?: AbortSignal;
  /** A file fed to the tool's stdin (read as the caller, so a userns'd tool needs no access to it). */
  stdinFile?: string;
  /** Bytes of stdinFile handed to the tool so far. */
  onBytes?(bytes: number): void;
  /** Every output line (stdout and stderr), for progress and the log tail. */
  onLine?(line: string): void;
  env?: Record<string, string>;
}

export interface ToolResult {
  stdout: string;
  tail: string[];
}

const TAIL = 20;

export function runTool(argv: readonly string[], options: ToolRun = {}): Promise<ToolResult> {
  const [file, ...rest] = argv;
  if (!file) throw new Error('runTool: empty argv');
  // LXC's tools may print their errors only to a log: a private one, read for the one-line cause
  const logDir = /^lxc-(create|copy|snapshot|destroy|stop|start)$/.test(file) ? fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-tool-')) : null;
  const logFile = logDir ? path.join(logDir, 'log') : null;
  const args = logFile ? ['-l', 'ERROR', '-o', logFile, ...rest] : rest;
  const logged = (): string | undefined => {
    if (!logDir || !logFile) return undefined;
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    fs.rmSync(logDir, { recursive: true, force: true });
    return text
      .split('\n')
      .map((l) => /\bERROR\s+\S+ - \S+ - (.*)$/.exec(l)?.[1])
      .find(Boolean);
  };
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(interrupted(file));
    const child = spawn(file, args, { detached: true, stdio: [options.stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', ...options.env } });
    let stdout = '';
    const tail: string[] = [];
    const lines = (chunk: Buffer, keep: boolean) => {
      const text = chunk.toString();
      if (keep) stdout += text;
      for (const l of text.split(/\r?\n|\r/)) {
        const line = l.trim();
        if (!line) continue;
        tail.push(line);
        if (tail.length > TAIL) tail.shift();
        options.onLine?.(line);
      }
    };
    child.stdout?.on('data', (d: Buffer) => lines(d, true));
    child.stderr?.on('data', (d: Buffer) => lines(d, false));
    let killTimer: NodeJS.Timeout | null = null;
    const kill = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      killTimer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 3000);
    };
    options.signal?.addEventListener('abort', kill, { once: true });
    if (options.stdinFile && child.stdin) {
      const input = fs.createReadStream(options.stdinFile);
      let bytes = 0;
      input.on('data', (d) => {
        bytes += d.length;
        options.onBytes?.(bytes);
      });
      input.on('error', (e) => {
        kill();
        tail.push(`cannot read ${options.stdinFile}: ${e.message}`);
      });
      child.stdin.on('error', () => input.destroy());
      input.pipe(child.stdin);
    }
    child.on('error', (e) => {
      options.signal?.removeEventListener('abort', kill);
      logged();
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') reject(new LxcdeckError('liblxc-missing', `${file} is not installed`, file.startsWith('lxc-') ? 'sudo apt-get install lxc lxc-templates' : `install ${file}`));
      else reject(e);
    });
    child.on('close', (code, sig) => {
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', kill);
      if (code === 0 || options.signal?.aborted) logged();
      if (options.signal?.aborted) return reject(interrupted(file));
      if (code === 0) return resolve({ stdout, tail });
      // liblxc's tools print the cause first and 'Failed to create ...' last
      const fromLog = logged();
      const cause = fromLog ? `${file}: ${fromLog}` : (tail.find((l) => /^lxc-[\w-]+: /.test(l)) ?? tail.at(-1));
      const last = (cause ?? (sig ? `killed by ${sig}` : `exit status ${code} (see the liblxc log)`)).replace(/^(lxc-[\w-]+): ([^:]+): \S+: \w+: \d+ /, '$1: $2: ');
      reject(new LxcdeckError('liblxc-failed', `${file} failed: ${last}`));
    });
  });
}

export function interrupted(what: string): LxcdeckError {
  return new LxcdeckError('wrong-state', `interrupted while ${what} was running`, 'nothing is left half-made; run the command again');
}
