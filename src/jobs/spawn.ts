import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';

/**
 * The job's first process: a shell that writes its own pid into every
 * cgroup.procs *before* it runs anything, so the command and all its
 * descendants start inside (Node never forks itself). With confirm=1 it then
 * reports its /proc/self/cgroup and waits on fd 3 for "run" (a scope made by
 * systemd-run is checked before the command starts). It reports "ok" on fd 3
 * and closes it, then waits for the command and records its exit status.
 *   $1 status file, $2 confirm (0|1), $3 count of procs files, then the files, then the command
 */
const WRAPPER = [
  'st=$1; confirm=$2; n=$3; shift 3',
  'while [ "$n" -gt 0 ]; do',
  '  echo $$ 2>/dev/null > "$1" || { echo "cannot move into $1" >&3; exit 126; }',
  '  shift; n=$((n - 1))',
  'done',
  'if [ "$confirm" = 1 ]; then',
  '  while read -r l; do echo "cgroup $l" >&3; done < /proc/self/cgroup',
  '  echo ready >&3',
  '  read -r go <&3 || go=',
  '  [ "$go" = run ] || exit 125',
  'fi',
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

export interface SpawnJobOptions {
  command: string[];
  /** cgroup.procs files the wrapper joins itself (none when a prefix puts it in place). */
  procsFiles: string[];
  logFile: string;
  statusFile: string;
  cwd?: string;
  /** Runs the wrapper through this (systemd-run ... --). */
  prefix?: string[];
  env?: NodeJS.ProcessEnv;
  /** Gets the wrapper's /proc/self/cgroup before the command starts; a throw stops the job there. */
  confirm?: (procCgroup: string) => void;
}

/** The last line a prefix (systemd-run) wrote to the log before it gave up. */
function lastLogLine(logFile: string): string {
  try {
    return fs.readFileSync(logFile, 'utf8').trim().split('\n').pop()?.trim() ?? '';
  } catch {
    return '';
  }
}

/**
 * Starts `command` detached (its own session, survives lxcdeck) inside the
 * cgroups whose cgroup.procs files are given; output goes to `logFile`.
 * Resolves with the wrapper's pid once it is inside every cgroup.
 */
export function spawnInCgroups(opts: SpawnJobOptions): Promise<number> {
  const logFd = fs.openSync(opts.logFile, 'w', 0o600);
  const prefix = opts.prefix ?? [];
  return new Promise<number>((resolve, reject) => {
    let report = '';
    let settled = false;
    let refused: LxcdeckError | null = null;
    let answered = false;
    const done = (err: LxcdeckError | null, pid?: number) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(pid!);
    };
    const argv = [...prefix, '/bin/sh', '-c', WRAPPER, 'lxcdeck-job', opts.statusFile, opts.confirm ? '1' : '0', String(opts.procsFiles.length), ...opts.procsFiles, ...opts.command];
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', logFd, logFd, 'pipe'],
      cwd: opts.cwd ?? process.cwd(),
      env: opts.env ?? process.env,
    });
    fs.closeSync(logFd);
    child.on('error', (e) => done(new LxcdeckError('internal', `cannot start ${argv[0]} for the job (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    // a duplex socket: the wrapper reports on it and, with confirm, reads "run" from it
    const pipe = child.stdio[3] as import('node:net').Socket | null;
    if (!pipe) return done(new LxcdeckError('internal', 'no status pipe to the job wrapper'));
    pipe.setEncoding('utf8');
    pipe.on('data', (d: string) => {
      report += d;
      if (!opts.confirm || answered || !/^ready$/m.test(report)) return;
      answered = true;
      try {
        opts.confirm(report.split('\n').filter((l) => l.startsWith('cgroup ')).map((l) => l.slice(7)).join('\n'));
        pipe.write('run\n');
      } catch (e) {
        refused = e instanceof LxcdeckError ? e : new LxcdeckError('internal', String(e));
        pipe.end(); // the wrapper reads EOF and exits before the command runs
      }
    });
    pipe.on('error', () => undefined);
    // the wrapper closes fd 3 right before it runs the command (or exits on failure)
    pipe.on('end', () => {
      child.unref();
      if (refused) return done(refused);
      const lines = report.trim().split('\n');
      const last = lines[lines.length - 1] ?? '';
      if (last === 'ok' && child.pid !== undefined) return done(null, child.pid);
      const said = lines.find((l) => l.startsWith('cannot move into')) ?? '';
      if (!said && prefix.length > 0) {
        const why = lastLogLine(opts.logFile);
        return done(new LxcdeckError('permission', `${prefix[0]} could not start the job${why ? `: ${why}` : ''}`, `run '${prefix.filter((a) => a !== '--quiet').join(' ')} true' to see why`));
      }
      done(
        new LxcdeckError(
          'permission',
          said ? `the job could not join its cgroup: ${said}` : 'the job wrapper exited before joining its cgroups',
          "check that your cgroup is delegated ('lxcdeck doctor')",
        ),
      );
    });
  });
}
