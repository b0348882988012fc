import { jobId, workloadKey } from '../core/workload.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Clock } from '../base/clock.js';
import { systemClock } from '../base/clock.js';
import { LxcdeckError } from '../core/errors.js';
import type { CgroupHost } from '../host/cgroups.js';
import type { HostFs } from '../host/hostfs.js';
import type { Identity } from '../host/identity.js';
import { stateDir } from '../host/paths.js';
import { currentDelegations, hasSystemdSystemManager, hasSystemdUserManager } from '../host/placement.js';
import type { MetricsTarget } from '../metrics/sampler.js';
import { createJobCgroups, jobDirMap, planJobParents, primaryDir, procsOf, readV2Controllers, removeJobCgroups } from './cgroup.js';
import { freezeJob, jobFreezerState, killJob, thawJob } from './control.js';
import type { JobLimits } from './limits.js';
import { nameStem, validateJobName } from './names.js';
import { decideJobPlacement, type JobPlacement } from './placement.js';
import { JobStore, type JobRecord } from './record.js';
import { checkJobScope, jobScopeUnit, scopeCommand, v2DirOf } from './scope.js';
import { resolveCommand, spawnInCgroups, type SpawnJobOptions } from './spawn.js';

export type JobState = 'running' | 'freezing' | 'frozen' | 'finished';

export interface JobStatus {
  record: JobRecord;
  state: JobState;
  /** Processes in the job's cgroup now. */
  pids: number;
}

export const DEFAULT_JOB_TIMEOUT_MS = 5000;

export interface JobManagerOptions {
  host: CgroupHost;
  identity: Identity;
  fs: HostFs;
  clock?: Clock;
  /** Default: <stateDir>/jobs. */
  dir?: string;
}

/**
 * Jobs: commands run in a child cgroup of the user's delegated cgroup, frozen,
 * thawed and killed as one tree. Every lxcdeck process sees the same jobs
 * through the records in `dir`.
 */
export class JobManager {
  readonly store: JobStore;
  private readonly clock: Clock;

  constructor(private readonly opts: JobManagerOptions) {
    this.store = new JobStore(opts.dir ?? path.join(stateDir(opts.identity), 'jobs'));
    this.clock = opts.clock ?? systemClock;
  }

  get host(): CgroupHost {
    return this.opts.host;
  }

  async run(req: { command: string[]; name?: string; limits?: JobLimits; cwd?: string }): Promise<JobRecord> {
    const [cmd] = req.command;
    if (cmd === undefined || cmd === '') throw new LxcdeckError('invalid-argument', 'no command to run', "put it after --, e.g. 'lxcdeck job run -- make -j8'");
    if (!resolveCommand(cmd)) throw new LxcdeckError('invalid-argument', `command not found: ${JSON.stringify(cmd)}`, 'check the name, or give its full path');
    const name = req.name === undefined ? this.freeName(nameStem(cmd)) : validateJobName(req.name);
    const { host, identity, fs: hostFs } = this.opts;
    const delegations = currentDelegations(hostFs, host, identity);
    const placement = this.placement(delegations);
    if (placement.kind === 'refuse') throw new LxcdeckError('no-delegated-cgroup', placement.reason, placement.fix);
    // checked before the record exists: a refusal leaves nothing behind
    const parents = placement.kind === 'cgroup-tree' ? planJobParents({ host, delegations, user: identity.user, v2Controllers: readV2Controllers }) : [];
    const limits = req.limits ?? {};
    // the record is made first, with link(): two runs of one name cannot both pass this
    const rec: JobRecord = {
      name,
      command: req.command,
      cgroups: [],
      started: new Date().toISOString(),
      pid: process.pid,
      state: 'running',
      exitStatus: null,
      killed: false,
      limits,
      log: this.store.logFile(name),
    };
    if (!this.store.create(rec))
      throw new LxcdeckError('wrong-state', `a job named ${name} exists`, `pick another --name, or remove it with 'lxcdeck job rm ${name}'`);
    const spawnOpts: SpawnJobOptions = { command: req.command, procsFiles: [], logFile: rec.log, statusFile: this.store.statusFile(name), cwd: req.cwd };
    try {
      fs.rmSync(this.store.statusFile(name), { force: true });
      if (placement.kind === 'systemd-scope') {
        const manager = placement.manager;
        rec.unit = jobScopeUnit(name);
        spawnOpts.prefix = scopeCommand(manager, name, limits);
        // systemd-run --user finds the manager through XDG_RUNTIME_DIR (a bare su/setpriv shell has none)
        spawnOpts.env = manager === 'user' && !process.env.XDG_RUNTIME_DIR ? { ...process.env, XDG_RUNTIME_DIR: `/run/user/${identity.uid}` } : process.env;
        spawnOpts.confirm = (procCgroup) => {
          const dir = v2DirOf(host, procCgroup);
          if (!dir) throw new LxcdeckError('internal', `the job's launcher is in no v2 cgroup (${procCgroup.trim() || 'empty /proc/self/cgroup'})`);
          // recorded now, so a failed check below still finds the scope to clean up
          rec.cgroups = [{ hierarchy: 'unified', version: 2, dir }];
          checkJobScope(hostFs, dir, { name, user: identity.user, manager, limits });
        };
      } else {
        rec.cgroups = createJobCgroups(parents, name, limits);
        spawnOpts.procsFiles = rec.cgroups.map((c) => path.join(c.dir, 'cgroup.procs'));
      }
      rec.pid = await spawnInCgroups(spawnOpts);
      this.store.put(rec);
      return rec;
    } catch (e) {
      try {
        // a refused scope empties once its wrapper exits, and systemd removes it; rmdir tolerates either order
        for (let i = 0; i < 50 && rec.cgroups.some((c) => procsOf(c.dir).length > 0); i++) await this.clock.sleep(10);
        removeJobCgroups(rec.cgroups);
      } catch {
        /* a wrapper that got in is gone by now; nothing else can be inside */
      }
      this.store.remove(name);
      throw e;
    }
  }

  /** How a job started now gets its cgroup (see decideJobPlacement). */
  placement(delegations = currentDelegations(this.opts.fs, this.opts.host, this.opts.identity)): JobPlacement {
    const { host, identity, fs: hostFs } = this.opts;
    return decideJobPlacement({
      uid: identity.uid,
      user: identity.user,
      host,
      delegations,
      systemdSystem: hasSystemdSystemManager(hostFs),
      systemdUserManager: hasSystemdUserManager(hostFs, identity),
    });
  }

  /** Every job with its live state; finished jobs are settled (status read, cgroups removed). */
  list(): JobStatus[] {
    return this.store.list().map((r) => this.status(r));
  }

  get(name: string): JobStatus {
    return this.status(this.store.require(validateJobName(name)));
  }

  status(rec: JobRecord): JobStatus {
    const dir = primaryDir(rec.cgroups);
    const pids = dir ? procsOf(dir).length : 0;
    if (pids === 0) return { record: this.settle(rec), state: 'finished', pids };
    const f = jobFreezerState(this.opts.host, rec);
    return { record: rec, state: f === 'FROZEN' ? 'frozen' : f === 'FREEZING' ? 'freezing' : 'running', pids };
  }

  async freeze(name: string, timeoutMs = DEFAULT_JOB_TIMEOUT_MS): Promise<void> {
    await freezeJob(this.opts.host, this.store.require(validateJobName(name)), timeoutMs, this.clock);
  }

  async thaw(name: string, timeoutMs = DEFAULT_JOB_TIMEOUT_MS): Promise<void> {
    await thawJob(this.opts.host, this.store.require(validateJobName(name)), timeoutMs, this.clock);
  }

  async kill(name: string, timeoutMs = DEFAULT_JOB_TIMEOUT_MS): Promise<void> {
    const rec = this.store.require(validateJobName(name));
    await killJob(this.opts.host, rec, timeoutMs, this.clock);
    this.store.put({ ...rec, killed: true });
    this.settle({ ...rec, killed: true });
  }

  /** Removes a finished job: its cgroups, record, status and log. */
  remove(name: string): void {
    const rec = this.store.require(validateJobName(name));
    const busy = rec.cgroups.reduce((n, c) => Math.max(n, procsOf(c.dir).length), 0);
    if (busy > 0) throw new LxcdeckError('wrong-state', `job ${name} still has ${busy} process${busy === 1 ? '' : 'es'}`, `kill it first: lxcdeck job kill ${name}`);
    removeJobCgroups(rec.cgroups);
    this.store.remove(name);
  }

  /** What the metrics sampler needs to graph a job like a container. */
  metricsTarget(rec: JobRecord): MetricsTarget {
    return { id: workloadKey(jobId(rec.name)), dirs: jobDirMap(this.opts.host, rec.cgroups), hostInterfaces: [] };
  }

  /** A finished job's exit status into its record, and its cgroups removed (best effort: another user's job is read-only). */
  private settle(rec: JobRecord): JobRecord {
    if (rec.state === 'finished' && rec.cgroups.every((c) => !fs.existsSync(c.dir))) return rec;
    // a record still being started (pid is the starter's) has no cgroups yet: leave it
    if (rec.cgroups.length === 0) return rec;
    let exitStatus = rec.exitStatus;
    try {
      const s = fs.readFileSync(this.store.statusFile(rec.name), 'utf8').trim();
      if (/^\d+$/.test(s)) exitStatus = Number(s);
    } catch {
      /* killed, or the wrapper could not write it */
    }
    const next: JobRecord = { ...rec, state: 'finished', exitStatus };
    try {
      removeJobCgroups(rec.cgroups);
      this.store.put(next);
    } catch {
      /* not ours to change */
    }
    return next;
  }

  private freeName(stem: string): string {
    const taken = new Set(this.store.list().map((r) => r.name));
    if (!taken.has(stem)) return stem;
    for (let i = 2; ; i++) if (!taken.has(`${stem}-${i}`)) return `${stem}-${i}`;
  }
}
