import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { sanitize } from '../presentation/format.js';
import { paintState, useColor } from './color.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';

/**
 * `lxcdeck events [--json]`: one line per state change of a container or a
 * job. Containers come from the lister, which after its first look keeps
 * each running container's init pid and reads its state from the freezer
 * cgroup and /proc (liblxc is asked only for the active list and when a
 * process changed), so a tick costs a few file reads per container, not a
 * command-socket round trip each. Jobs come from their records and cgroups.
 */

export interface StateEvent {
  /** ISO 8601 time the change was seen. */
  time: string;
  kind: 'container' | 'job';
  name: string;
  /** A container's lxcpath (absent for jobs). */
  lxcpath?: string;
  /** Container: STOPPED, RUNNING, FROZEN, ...; job: running, frozen, finished; both: REMOVED when it is gone. */
  state: string;
  /** null on the first line for each workload (the state when the stream started). */
  previous: string | null;
  pid: number | null;
  /**
   * Who changed it: "lxcdeck cli freeze (pid N)" from lxcdeck's record of its own actions, "outside lxcdeck"
   * for a container change no lxcdeck action explains; null when not known (the first line, jobs).
   */
  by: string | null;
}

type Snapshot = Map<string, { kind: 'container' | 'job'; name: string; lxcpath?: string; state: string; pid: number | null }>;

/** The changes from one snapshot to the next, in a stable order (containers, then jobs, by name). */
export function diffSnapshots(before: Snapshot | null, after: Snapshot, time: string): StateEvent[] {
  const out: StateEvent[] = [];
  for (const [key, now] of after) {
    const was = before?.get(key);
    if (!was || was.state !== now.state || was.pid !== now.pid) out.push({ time, ...now, previous: was ? was.state : null, by: null });
  }
  for (const [key, was] of before ?? []) if (!after.has(key)) out.push({ time, kind: was.kind, name: was.name, ...(was.lxcpath ? { lxcpath: was.lxcpath } : {}), state: 'REMOVED', previous: was.state, pid: null, by: null });
  return out;
}

/** `primary`: the first lxcpath, whose containers are named alone; others' say where they are (as `ls` does). */
export function eventLine(e: StateEvent, color = false, primary?: string): string {
  const change = e.previous === null ? paintState(e.state, color) : `${e.previous} -> ${paintState(e.state, color)}`;
  const where = e.lxcpath && primary !== undefined && e.lxcpath !== primary ? ` (${e.lxcpath})` : '';
  return `${e.time} ${e.kind} ${sanitize(e.name)}${sanitize(where)} ${change} pid ${e.pid ?? '-'}${e.by ? ` by ${sanitize(e.by)}` : ''}`;
}

/** `contexts`: one per lxcpath (the first the primary one); every one is watched. */
export function registerEventCommands(program: Command, io: CliIo, contexts: (cmd: Command) => CliContext[]): void {
  program
    .command('events')
    .description('stream state changes of containers and jobs, one line each (first the current states); Ctrl-C ends')
    .option('--json', 'one JSON object per line')
    .option('--interval <ms>', 'how often to look, in milliseconds', '250')
    .action(async (opts: { json?: boolean; interval: string }, cmd: Command) => {
      const interval = Number(opts.interval);
      if (!/^\d+$/.test(opts.interval) || interval < 50 || interval > 10_000)
        throw new LxcdeckError('invalid-argument', `invalid interval ${JSON.stringify(opts.interval)}`, 'use milliseconds from 50 to 10000');
      const all = contexts(cmd);
      const ctx = all[0] as CliContext;
      const [{ JobManager }, { untilStopped, pause }, { ActionLogTail, actionLogFile }, { ActorTracker, parseActionLines }, { stateDir }] = await Promise.all([
        import('../jobs/manager.js'),
        import('./stream.js'),
        import('../host/actionLog.js'),
        import('../core/actions.js'),
        import('../host/paths.js'),
      ]);
      const actions = new ActionLogTail(actionLogFile(stateDir(ctx.identity)));
      const actors = new Map(all.map((c) => [c.backend.lxcpath, new ActorTracker(c.backend.lxcpath, Date.now())]));
      const jobs = new JobManager({ host: ctx.cgroups, identity: ctx.identity, fs: ctx.fs });
      const life = untilStopped();
      const color = useColor(cmd);
      let last: Snapshot | null = null;
      while (!life.isStopped()) {
        const now: Snapshot = new Map();
        // the active list is liblxc's; everything else the lister keeps or reads from files
        for (const { backend } of all)
          for (const c of backend.list({ definedMaxAgeMs: 2000, addressesMaxAgeMs: Number.MAX_SAFE_INTEGER, totals: false }))
            now.set(`container:${backend.lxcpath}/${c.name}`, { kind: 'container', name: c.name, lxcpath: backend.lxcpath, state: c.state, pid: c.pid });
        for (const j of jobs.list()) now.set(`job:${j.record.name}`, { kind: 'job', name: j.record.name, state: j.state, pid: j.state === 'finished' ? null : j.record.pid });
        const seen = Date.now();
        const records = parseActionLines(actions.read());
        for (const a of actors.values()) a.add(records);
        for (const e of diffSnapshots(last, now, new Date(seen).toISOString())) {
          if (life.isStopped()) break;
          // destroy is not among the recorded actions: a REMOVED stays unknown
          if (e.kind === 'container' && e.state !== 'REMOVED') e.by = actors.get(e.lxcpath ?? '')?.who(e.kind, e.name, e.state, e.previous, seen) ?? null;
          io.out(opts.json ? JSON.stringify(e) : eventLine(e, color, ctx.backend.lxcpath));
        }
        last = now;
        await pause(interval, life.stopped);
      }
      for (const c of all) c.backend.dispose();
    });
}
