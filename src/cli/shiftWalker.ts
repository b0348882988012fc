import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import { LxcdeckError } from '../core/errors.js';
import type { StepProgress } from '../core/plan.js';

/** What the walker's last line says (native/lxcdeck-shift). */
export interface WalkerSummary {
  done: number;
  total: number;
  changed: number;
  outside: number;
  acls: number;
  caps: number;
  setid: number;
  errors: number;
}

/**
 * Runs lxcdeck-shift as a child process (never a fork of Node), turning its
 * JSON lines into progress; throws a one-line error when it fails. Exit 3 is
 * "walked, but some inodes could not be changed": the first of its lines on
 * stderr names one.
 */
export async function runWalker(argv: string[], progress: (p: StepProgress) => void): Promise<WalkerSummary> {
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString();
  });
  const exit = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  let summary: WalkerSummary | null = null;
  for await (const line of readline.createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    let e: { type?: string } & Partial<WalkerSummary>;
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      continue;
    }
    if (e.type === 'progress') progress({ count: e.done ?? 0, total: e.total ?? 0 });
    else if (e.type === 'done') {
      summary = e as WalkerSummary;
      progress({ count: summary.done, total: summary.total });
    }
  }
  const code = await exit;
  const first = stderr.split('\n').find((l) => l.trim())?.trim() ?? '';
  if (code === 0 && summary) return summary;
  if (code === 127) throw new LxcdeckError('liblxc-missing', `could not run ${argv[0]}`, argv[0] === 'lxc-usernsexec' ? 'install the lxc package (it has lxc-usernsexec)' : "build it with 'make -C native'");
  const errs = summary ? `${summary.errors} inode(s) could not be changed` : `the walker failed (exit ${code})`;
  throw new LxcdeckError('permission', `re-owning the rootfs: ${errs}${first ? `: ${first}` : ''}`, 'fix what it names (a file owned by an id outside both maps cannot be re-owned unprivileged), then run it again');
}
