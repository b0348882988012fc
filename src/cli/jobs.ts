import * as os from 'node:os';
import { Command } from 'commander';
import { systemClock } from '../base/clock.js';
import { LxcdeckError } from '../core/errors.js';
import { hierarchyLabel, readCgroupHost, type Hierarchy } from '../host/cgroups.js';
import { realHostFs } from '../host/hostfs.js';
import { currentIdentity } from '../host/identity.js';
import { jobDirMap } from '../jobs/cgroup.js';
import { parseCpuPercent, parsePidsMax, parseSize, type JobLimits } from '../jobs/limits.js';
import { DEFAULT_JOB_TIMEOUT_MS, JobManager, type JobStatus } from '../jobs/manager.js';
import { validateJobName } from '../jobs/names.js';
import { RuleStore } from '../rules/ruleStore.js';
import { parseMark, parseSource, parseTarget, validateRule, type Rule } from '../rules/rules.js';
import { RuleRunner, type ContainerControl } from '../rules/runner.js';
import { SourceReader, type CgroupDirsOf } from '../rules/sources.js';
import { formatTable, sanitize } from '../presentation/format.js';
import type { CliIo } from './io.js';

/** `lxcdeck job ...` and `lxcdeck rule ...`. Nothing here needs liblxc unless a rule names a container. */

function jobManager(): JobManager {
  const fs = realHostFs;
  return new JobManager({ host: readCgroupHost(fs), identity: currentIdentity(fs), fs });
}

function parseTimeout(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 600_000) throw new LxcdeckError('invalid-argument', `invalid timeout ${JSON.stringify(v)}`, 'use milliseconds from 1 to 600000');
  return n;
}

function stateText(s: JobStatus): string {
  if (s.state !== 'finished') return s.state;
  const r = s.record;
  return r.killed ? 'finished (killed)' : r.exitStatus === null ? 'finished' : `finished (${r.exitStatus})`;
}

function jobJson(s: JobStatus) {
  const r = s.record;
  return { name: r.name, state: s.state, pids: s.pids, exitStatus: r.exitStatus, killed: r.killed, command: r.command, started: r.started, pid: r.pid, limits: r.limits, cgroups: r.cgroups, unit: r.unit ?? null, log: r.log };
}

function lxcpathOf(cmd: Command): string | undefined {
  // -P may be repeated (several lxcpaths): container targets of job rules are in the first
  return cmd.optsWithGlobals<{ lxcpath?: string[] }>().lxcpath?.[0];
}

export function registerJobCommands(program: Command, io: CliIo): void {
  const job = program.command('job').description('run commands in cgroups of their own under your delegated cgroup; freeze, thaw, kill them');

  job
    .command('run')
    .description('start a command in a new job cgroup (detached; output to the job log) and print the job name')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--name <name>', 'job name (default: from the command)')
    .option('--cpu-max <pct>', 'CPU limit in percent of one core (100 = one core)', (v) => parseCpuPercent(v, os.availableParallelism()))
    .option('--memory-max <size>', 'memory limit, e.g. 512M or 2GiB', parseSize)
    .option('--pids-max <n>', 'process limit', parsePidsMax)
    .action(async (command: string[], opts: { name?: string; cpuMax?: number; memoryMax?: number; pidsMax?: number }) => {
      if (opts.name !== undefined) validateJobName(opts.name);
      const limits: JobLimits = {};
      if (opts.cpuMax !== undefined) limits.cpuMaxPercent = opts.cpuMax;
      if (opts.memoryMax !== undefined) limits.memoryMaxBytes = opts.memoryMax;
      if (opts.pidsMax !== undefined) limits.pidsMax = opts.pidsMax;
      const rec = await jobManager().run({ command, name: opts.name, limits });
      io.out(rec.name);
    });

  job
    .command('ls')
    .description('list jobs: running, frozen or finished (with exit status); cleans up finished ones')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const rows = jobManager().list();
      if (opts.json) return io.out(JSON.stringify(rows.map(jobJson), null, 2));
      io.out(
        formatTable(
          ['NAME', 'STATE', 'PIDS', 'STARTED', 'COMMAND'],
          rows.map((s) => [s.record.name, stateText(s), String(s.pids), s.record.started.replace(/\.\d+Z$/, 'Z'), sanitize(s.record.command.join(' '))]),
        ),
      );
    });

  for (const [verb, doc] of [
    ['freeze', 'freeze every process of a job; returns once FROZEN is confirmed'],
    ['thaw', 'thaw a frozen job; returns once it runs again'],
    ['kill', 'kill every process of a job (the whole tree)'],
  ] as const) {
    job
      .command(verb)
      .description(doc)
      .argument('<name>')
      .option('--timeout <ms>', 'give up after this many milliseconds (a failed freeze thaws back)', parseTimeout, DEFAULT_JOB_TIMEOUT_MS)
      .action(async (name: string, opts: { timeout: number }) => {
        const m = jobManager();
        await (verb === 'freeze' ? m.freeze(name, opts.timeout) : verb === 'thaw' ? m.thaw(name, opts.timeout) : m.kill(name, opts.timeout));
      });
  }

  job
    .command('rm')
    .description('remove a finished job: its cgroups, record and log')
    .argument('<name>')
    .action((name: string) => jobManager().remove(name));

  registerRuleCommands(program, io);
}

function ruleStore(settings: import('../settings/settings.js').SettingsStore): RuleStore {
  return new RuleStore(settings);
}

async function openSettings() {
  const { SettingsStore } = await import('../settings/settings.js');
  return new SettingsStore();
}

function registerRuleCommands(program: Command, io: CliIo): void {
  const rule = program.command('rule').description('freeze rules: freeze a target while a source reads above a high mark, thaw below a low mark');

  rule
    .command('add')
    .description('add a rule (checks that the source reads now)')
    .requiredOption('--source <source>', 'thermal:<zone>, file:<path>, pressure:memory or cpu:<job or container>')
    .requiredOption('--target <target>', 'job:<name>, jobs:*, container:<name> or group:<lxc.group>')
    .requiredOption('--high <n>', 'freeze when the value goes above this')
    .requiredOption('--low <n>', 'thaw when the value falls below this')
    .option('--name <name>', 'rule name (default: rule1, rule2, ...)')
    .action(async (opts: { source: string; target: string; high: string; low: string; name?: string }, cmd: Command) => {
      const settings = await openSettings();
      const store = ruleStore(settings);
      const draft: Rule = validateRule({ name: opts.name ?? store.freeName(), source: opts.source, target: opts.target, high: parseMark('high', opts.high), low: parseMark('low', opts.low) });
      const jobs = jobManager();
      const target = parseTarget(draft.target);
      if (target.kind === 'job') jobs.store.require(target.name);
      const containers = target.kind === 'container' || target.kind === 'group' ? await containerControl(lxcpathOf(cmd)) : null;
      if (target.kind === 'container' && containers && !containers.exists(target.name))
        throw new LxcdeckError('not-defined', `rule target: no container named ${target.name}`, "see 'lxcdeck ls', or pass --lxcpath");
      const source = parseSource(draft.source);
      const dirsOf = await dirsResolver(jobs, source.kind === 'cpu' && !jobs.store.get(source.name) ? lxcpathOf(cmd) : null);
      await new SourceReader({ host: jobs.host, clock: systemClock, dirsOf }).check(source, draft.source);
      store.add(draft);
      io.out(draft.name);
    });

  rule
    .command('ls')
    .description('list the rules in the settings')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { rules, problems } = ruleStore(await openSettings()).list();
      for (const p of problems) io.err(`lxcdeck: ${p}`);
      if (opts.json) return io.out(JSON.stringify(rules, null, 2));
      io.out(formatTable(['NAME', 'SOURCE', 'HIGH', 'LOW', 'TARGET'], rules.map((r) => [r.name, sanitize(r.source), String(r.high), String(r.low), r.target])));
    });

  rule
    .command('rm')
    .description('remove a rule')
    .argument('<name>')
    .action(async (name: string) => ruleStore(await openSettings()).remove(name));

  rule
    .command('run')
    .description('evaluate the rules until SIGTERM/SIGINT, logging trips and releases; thaws what it froze when stopped')
    .option('--interval <ms>', 'milliseconds between evaluations', (v) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 50 || n > 3_600_000) throw new LxcdeckError('invalid-argument', `invalid interval ${JSON.stringify(v)}`, 'use milliseconds from 50 to 3600000');
      return n;
    }, 1000)
    .action(async (opts: { interval: number }, cmd: Command) => {
      const { rules, problems } = ruleStore(await openSettings()).list();
      for (const p of problems) io.err(`lxcdeck: ${p}`);
      if (rules.length === 0) throw new LxcdeckError('invalid-argument', 'there are no rules to run', "add one with 'lxcdeck rule add --source S --target T --high H --low L'");
      const jobs = jobManager();
      const needsLxc = rules.some((r) => /^(container|group):/.test(r.target) || (r.source.startsWith('cpu:') && !jobs.store.get(r.source.slice(4))));
      const containers = needsLxc ? await containerControl(lxcpathOf(cmd)) : undefined;
      const dirsOf = await dirsResolver(jobs, needsLxc ? lxcpathOf(cmd) : null);
      const reader = new SourceReader({ host: jobs.host, clock: systemClock, dirsOf });
      const log = (line: string) => io.out(`${new Date().toISOString()} ${line}`);
      const runner = new RuleRunner({ rules, read: (s) => reader.read(s), jobs, containers, clock: systemClock, log });
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      log(`watching ${rules.length} rule${rules.length === 1 ? '' : 's'} every ${opts.interval} ms`);
      try {
        await runner.run(opts.interval, stop.signal);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      log('stopped');
    });
}

/** cpu:<name>: a job's cgroups first, else (when lxcpath is given) a running container's. */
async function dirsResolver(jobs: JobManager, lxcpath: string | null | undefined): Promise<CgroupDirsOf> {
  const lxc = lxcpath === null ? null : await import('./context.js').then((m) => m.createContext({ lxcpath }));
  return (name) => {
    const rec = jobs.store.get(name);
    if (rec) return rec.state === 'running' && rec.cgroups.length ? jobDirMap(jobs.host, rec.cgroups) : null;
    if (!lxc) return null;
    try {
      const info = lxc.backend.info(name);
      if (info.pid === null) return null;
      const dirs = new Map<Hierarchy, string>();
      for (const h of lxc.cgroups.hierarchies) {
        const d = info.cgroups[hierarchyLabel(h)];
        if (d) dirs.set(h, d);
      }
      return dirs;
    } catch {
      return null;
    }
  };
}

/** Containers through liblxc, for container:<name> and group:<g> targets. */
async function containerControl(lxcpath: string | undefined): Promise<ContainerControl & { exists(name: string): boolean }> {
  const { createContext } = await import('./context.js');
  const backend = createContext({ lxcpath }).backend;
  return {
    freeze: (name) => backend.freeze(name),
    thaw: (name) => backend.thaw(name),
    listGroup: (group) => backend.list({ totals: false, addressesMaxAgeMs: Infinity }).filter((c) => c.groups.includes(group)).map((c) => c.name),
    isFrozen(name) {
      try {
        const s = backend.state(name);
        return s === 'FROZEN' || s === 'FREEZING' ? true : s === 'RUNNING' ? false : null;
      } catch {
        return null;
      }
    },
    exists(name) {
      try {
        backend.state(name);
        return true;
      } catch {
        return false;
      }
    },
  };
}
