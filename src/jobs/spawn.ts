import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';

/**
 * The job's first process: a shell that writes its own pid into every
 * cgroup.procs *before* it runs anything, so the command and all its
 * descendants start inside (Node never forks itself). It reports "ok" on fd 3
 * and closes it, then waits for the command and records its exit status.
 *   $1 status file, $2 count of procs files, then the files, then the command
 */
const WRAPPER = [
  'st=$1; n=$2; shift 2',
  'while [ "$n" -gt 0 ]; do',
  '  echo $$ 2>/dev/null > "$1" || { echo "cannot move into $1" >&3; exit 126; }',
  '  shift; n=$((n - 1))',
  'done',
  'echo ok >&3; exec 3>&-',
  '"$@"; s=$?',
  'echo $s > "$st"',
  'exit $s',
].join('\n');

/** The executable a command name resolves to, as the shell will find it; null if none. */
export function resolveCommand(cmd: string, envPath = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  const executable = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return executable(cmd) ? path.resolve(cmd) : null;
  for (const dir of envPath.split(':')) {
    const p = path.join(dir || '.', cmd);
    if (executable(p)) return p;
  }
  return null;
}

/**
 * Starts `command` detached (its own session, survives lxcdeck) inside the
 * cgroups whose cgroup.procs files are given; output goes to `logFile`.
 * Resolves with the wrapper's pid once it is inside every cgroup.
 */
export function spawnInCgroups(opts: { command: string[]; procsFiles: string[]; logFile: string; statusFile: string; cwd?: string }): Promise<number> {
  const logFd = fs.openSync(opts.logFile, 'w', 0o600);
  return new Promise<number>((resolve, reject) => {
    let report = '';
    let settled = false;
    const done = (err: LxcdeckError | null, pid?: number) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(pid!);
    };
    const child = spawn('/bin/sh', ['-c', WRAPPER, 'lxcdeck-job', opts.statusFile, String(opts.procsFiles.length), ...opts.procsFiles, ...opts.command], {
      detached: true,
      stdio: ['ignore', logFd, logFd, 'pipe'],
      cwd: opts.cwd ?? process.cwd(),
    });
    fs.closeSync(logFd);
    child.on('error', (e) => done(new LxcdeckError('internal', `cannot start /bin/sh for the job (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    const pipe = child.stdio[3] as NodeJS.ReadableStream | null;
    if (!pipe) return done(new LxcdeckError('internal', 'no status pipe to the job wrapper'));
    pipe.setEncoding('utf8');
    pipe.on('data', (d: string) => (report += d));
    pipe.on('error', () => undefined);
    // the wrapper closes fd 3 right before it runs the command (or exits on failure)
    pipe.on('end', () => {
      child.unref();
      const line = report.trim();
      if (line === 'ok' && child.pid !== undefined) return done(null, child.pid);
      done(
        new LxcdeckError(
          'permission',
          line ? `the job could not join its cgroup: ${line}` : 'the job wrapper exited before joining its cgroups',
          "check that your cgroup is delegated ('lxcdeck doctor')",
        ),
      );
    });
  });
}
