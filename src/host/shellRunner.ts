import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunResult } from '../net/steps.js';
import { randomHex } from './atomicWrite.js';

/**
 * Runs commands one after another through one long-lived `sh`: a network
 * plan runs a dozen short tools (ip, nft, dnsmasq), and a fork of `sh` is
 * far cheaper than a spawn from Node for each. Every command's stdout and
 * stderr go to files in a private directory, read back once `sh` prints its
 * end marker with the exit status. The shell is held only while a command
 * runs, so an idle runner never keeps the process alive.
 */
const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

export class ShellRunner {
  private child: ChildProcess | null = null;
  private dir: string | null = null;
  private buffer = '';
  private queue: Promise<unknown> = Promise.resolve();
  private waiter: ((line: string) => void) | null = null;

  run(argv: readonly string[], input?: string): Promise<RunResult> {
    const next = this.queue.then(() => this.runNow(argv, input));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private start(): ChildProcess {
    if (this.child && this.child.exitCode === null && !this.child.killed) return this.child;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-sh-'));
    const child = spawn('sh', [], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C', PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` } });
    child.stdin?.on('error', () => undefined);
    // the shell outlives a CLI process that exits without closing it, or is hung up with the TUI's terminal: it removes its directory itself
    child.stdin?.write(`trap ${quote(`rm -rf ${quote(this.dir)}`)} EXIT HUP INT TERM\n`);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      this.buffer += d;
      const nl = this.buffer.indexOf('\n');
      if (nl < 0) return;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      this.waiter?.(line);
    });
    child.on('exit', () => {
      this.child = null;
      this.waiter?.('__exit__');
      if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    });
    this.child = child;
    return child;
  }

  private hold(child: ChildProcess, on: boolean): void {
    const streams = [child.stdout, child.stdin] as unknown as ({ ref?: () => void; unref?: () => void } | null)[];
    if (on) {
      child.ref();
      for (const s of streams) s?.ref?.();
    } else {
      child.unref();
      for (const s of streams) s?.unref?.();
    }
  }

  private async runNow(argv: readonly string[], input?: string): Promise<RunResult> {
    const child = this.start();
    const dir = this.dir as string;
    const mark = `__lxcdeck_${randomHex(6)}__`;
    const body = input === undefined ? '</dev/null' : `<<'${mark}IN'\n${input.endsWith('\n') ? input : `${input}\n`}${mark}IN`;
    const script = `${argv.map(quote).join(' ')} >${quote(`${dir}/out`)} 2>${quote(`${dir}/err`)} ${body}\necho "${mark} $?"\n`;
    this.hold(child, true);
    try {
      const code = await new Promise<number>((resolve) => {
        this.waiter = (line) => {
          if (line === '__exit__') resolve(127);
          else if (line.startsWith(`${mark} `)) resolve(Number(line.slice(mark.length + 1)));
        };
        child.stdin?.write(script);
      });
      this.waiter = null;
      const read = (f: string) => {
        try {
          return fs.readFileSync(`${dir}/${f}`, 'utf8');
        } catch {
          return '';
        }
      };
      return { code, stdout: read('out'), stderr: read('err') };
    } finally {
      this.hold(child, false);
    }
  }
}
