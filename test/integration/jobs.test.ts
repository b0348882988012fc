import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, eventually, hostUnavailable, lxcdeck, ROOT, TEST_USER, uniqueName, USER, USER_UNDELEGATED, type Runner } from './host.js';

const skip = hostUnavailable();
/** Pure cgroup v2 (one job cgroup, cgroup.freeze/cgroup.events) and whether systemd runs it (jobs get scopes). */
const V2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
const SYSTEMD = fs.existsSync('/run/systemd/system');

interface JobRow {
  name: string;
  state: string;
  pids: number;
  exitStatus: number | null;
  killed: boolean;
  cgroups: { hierarchy: string; version: 1 | 2; dir: string }[];
  unit: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const read = (p: string) => fs.readFileSync(p, 'utf8').trim();

/** CPU seconds of one process (utime + stime), from /proc/<pid>/stat. */
function procCpu(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** When a process started, in clock ticks since boot. */
function startTicks(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[19]);
}

function alive(pid: number): boolean {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe.skipIf(skip).each([ROOT, USER])('jobs in their own cgroups as $label', (base: Runner) => {
  const tag = base.unprivileged ? 'u' : 'r';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `lxcdeck-jobs-${tag}-`));
  const configHome = path.join(tmp, 'config');
  const stateHome = path.join(tmp, 'state');
  // settings (rules) and, for root, job records in a private place; the test user keeps its own state dir
  const runner: Runner = base.unprivileged
    ? { ...base, prefix: ['env', `XDG_CONFIG_HOME=${configHome}`, ...base.prefix] }
    : { ...base, prefix: ['env', `XDG_CONFIG_HOME=${configHome}`, `XDG_STATE_HOME=${stateHome}`] };
  const name = (t: string) => uniqueName(`${tag}${t}`);
  const made: string[] = [];
  const background: ChildProcess[] = [];

  const ls = async (): Promise<JobRow[]> => {
    const r = await lxcdeck(runner, ['job', 'ls', '--json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as JobRow[];
  };
  const row = async (n: string) => (await ls()).find((j) => j.name === n);
  // v1/hybrid: the hierarchy holding the controller; v2: the job's one cgroup
  const dirOf = (j: JobRow, controller: string) =>
    (V2 ? j.cgroups.find((c) => c.version === 2) : j.cgroups.find((c) => c.version === 1 && c.hierarchy.split(',').includes(controller)))?.dir ?? '';
  /** The kernel's own word: v1 freezer.state; v2 cgroup.events "frozen 1" (FREEZING while cgroup.freeze is 1 but not yet frozen). */
  const freezerState = (j: JobRow) => {
    const dir = dirOf(j, 'freezer');
    if (!V2) return read(path.join(dir, 'freezer.state'));
    if (/^frozen 1$/m.test(read(path.join(dir, 'cgroup.events')))) return 'FROZEN';
    return read(path.join(dir, 'cgroup.freeze')) === '1' ? 'FREEZING' : 'THAWED';
  };
  const procs = (j: JobRow) => read(path.join(dirOf(j, 'freezer'), 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
  /** CPU nanoseconds the job's cgroup used: cpuacct.usage, or v2 cpu.stat usage_usec. */
  const cpuUsage = (j: JobRow) =>
    V2 ? Number(/^usage_usec (\d+)$/m.exec(read(path.join(dirOf(j, 'cpu'), 'cpu.stat')))?.[1]) * 1000 : Number(read(path.join(dirOf(j, 'cpuacct'), 'cpuacct.usage')));
  const uid = Number(execFileSync('id', ['-u', base.unprivileged ? TEST_USER : 'root'], { encoding: 'utf8' }).trim());

  async function runJob(n: string, args: string[], extra: string[] = []): Promise<JobRow> {
    const r = await lxcdeck(runner, ['job', 'run', '--name', n, ...extra, '--', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(n);
    made.push(n);
    return (await row(n))!;
  }

  beforeAll(() => {
    fs.mkdirSync(configHome);
    fs.mkdirSync(stateHome);
    fs.chmodSync(tmp, 0o755);
    if (base.unprivileged) execFileSync('chown', ['-R', TEST_USER, tmp]);
  });

  afterAll(async () => {
    for (const p of background) p.kill('SIGKILL');
    for (const n of made) {
      await lxcdeck(runner, ['job', 'kill', n]);
      await lxcdeck(runner, ['job', 'rm', n]);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a busy job stops using CPU while frozen, also a child it forked after start, and resumes after thaw', async () => {
    const n = name('busy');
    // the child busy loop starts a moment after the job did
    const j = await runJob(n, ['sh', '-c', 'while :; do :; done & sleep 0.3; (while :; do :; done) & wait']);
    expect(j.state).toBe('running');
    if (!V2) expect(j.cgroups.length).toBeGreaterThanOrEqual(4);
    else {
      expect(j.cgroups).toHaveLength(1);
      if (SYSTEMD) {
        // its own transient scope, from the user's manager or (root) the system's
        expect(j.unit).toBe(`lxcdeck-job-${n}.scope`);
        expect(path.basename(dirOf(j, 'cpu'))).toBe(`lxcdeck-job-${n}.scope`);
        if (base.unprivileged) expect(dirOf(j, 'cpu')).toContain(`/user@${uid}.service/`);
        else expect(dirOf(j, 'cpu')).not.toContain('/user.slice/');
        expect(fs.statSync(dirOf(j, 'cpu')).uid).toBe(uid);
      }
    }
    await sleep(600);
    expect(procs(j).length).toBe(4); // wrapper, sh, 2 loops
    // the busy loops are the ones using CPU now (the wrapper's pid may carry systemd-run's ticks from before its exec)
    const before = new Map(procs(j).map((p) => [p, procCpu(p)]));
    await sleep(300);
    const busy = procs(j).filter((p) => procCpu(p) > (before.get(p) ?? Infinity));
    expect(busy.length).toBe(2);
    // the second started 0.3 s after the job
    const [first, late] = [...busy].sort((x, y) => startTicks(x) - startTicks(y)) as [number, number];
    expect(startTicks(late) - startTicks(first)).toBeGreaterThanOrEqual(20); // clock ticks (100 Hz)
    const u0 = cpuUsage(j);
    await sleep(200);
    expect(cpuUsage(j)).toBeGreaterThan(u0);

    // a CLI run's own cost (seconds under the v2vm's emulation) is the baseline: the freeze adds less than its 5 s timeout
    const t0 = Date.now();
    await ls();
    const t = Date.now();
    const f = await lxcdeck(runner, ['job', 'freeze', n]);
    expect(f.stderr).toBe('');
    expect(f.code).toBe(0);
    expect(Date.now() - t).toBeLessThan(t - t0 + 5000);
    expect(freezerState(j)).toBe('FROZEN');
    if (V2) expect(read(path.join(dirOf(j, 'freezer'), 'cgroup.events'))).toMatch(/^frozen 1$/m);
    expect((await row(n))?.state).toBe('frozen');
    const frozenAt = cpuUsage(j);
    const perProc = new Map(busy.map((p) => [p, procCpu(p)]));
    await sleep(500);
    expect(cpuUsage(j)).toBe(frozenAt);
    for (const [p, c] of perProc) expect(procCpu(p)).toBe(c);
    // freezing a frozen job is a no-op
    expect((await lxcdeck(runner, ['job', 'freeze', n])).code).toBe(0);

    const th = await lxcdeck(runner, ['job', 'thaw', n]);
    expect(th.code).toBe(0);
    expect(freezerState(j)).toBe('THAWED');
    if (V2) expect(read(path.join(dirOf(j, 'freezer'), 'cgroup.events'))).toMatch(/^frozen 0$/m);
    await sleep(300);
    expect(cpuUsage(j)).toBeGreaterThan(frozenAt);
    for (const [p, c] of perProc) expect(procCpu(p)).toBeGreaterThan(c);
    // busy loops left running slow every later test (two vCPUs in ../shared/v2vm)
    expect((await lxcdeck(runner, ['job', 'kill', n])).code).toBe(0);
  });

  it('applies the CPU, memory and process limits to the cgroup files', async () => {
    const j = await runJob(name('lim'), ['sleep', '1000'], ['--cpu-max', '50', '--memory-max', '64M', '--pids-max', '20']);
    if (V2) {
      expect(read(path.join(dirOf(j, 'cpu'), 'cpu.max'))).toBe('50000 100000');
      expect(read(path.join(dirOf(j, 'memory'), 'memory.max'))).toBe(String(64 * 1024 * 1024));
      expect(read(path.join(dirOf(j, 'pids'), 'pids.max'))).toBe('20');
      return;
    }
    expect(read(path.join(dirOf(j, 'cpu'), 'cpu.cfs_period_us'))).toBe('100000');
    expect(read(path.join(dirOf(j, 'cpu'), 'cpu.cfs_quota_us'))).toBe('50000');
    expect(read(path.join(dirOf(j, 'memory'), 'memory.limit_in_bytes'))).toBe(String(64 * 1024 * 1024));
    expect(read(path.join(dirOf(j, 'pids'), 'pids.max'))).toBe('20');
  });

  it('kill removes every process of the tree; ls shows it finished and removes its cgroups; rm removes the record', async () => {
    const n = name('tree');
    const j = await runJob(n, ['sh', '-c', 'for i in 1 2 3; do (sleep 1000) & done; (while :; do :; done) & wait']);
    await eventually(async () => procs(j).length >= 6, 5000);
    const pids = procs(j);
    // rm refuses while processes remain, and changes nothing
    const refused = await lxcdeck(runner, ['job', 'rm', n]);
    expect(refused.code).toBe(4);
    expect(refused.stderr.trim().split('\n')).toEqual([`lxcdeck: job ${n} still has ${pids.length} processes: kill it first: lxcdeck job kill ${n}`]);
    expect(fs.existsSync(dirOf(j, 'freezer'))).toBe(true);

    const k = await lxcdeck(runner, ['job', 'kill', n]);
    expect(k.stderr).toBe('');
    expect(k.code).toBe(0);
    for (const p of pids) expect(alive(p)).toBe(false);
    const after = await row(n);
    expect(after).toMatchObject({ state: 'finished', pids: 0, killed: true });
    for (const c of j.cgroups) expect(fs.existsSync(c.dir)).toBe(false);
    expect((await lxcdeck(runner, ['job', 'rm', n])).code).toBe(0);
    expect(await row(n)).toBeUndefined();
  });

  it('a job that exits shows as finished with its exit status', async () => {
    const n = name('exit');
    const j = await runJob(n, ['sh', '-c', 'echo out; exit 3']);
    const done = await eventually(async () => (await row(n))?.state === 'finished', 5000);
    expect(done).toBe(true);
    expect((await row(n))?.exitStatus).toBe(3);
    for (const c of j.cgroups) expect(fs.existsSync(c.dir)).toBe(false);
  });

  it('refuses bad input with one line and changes nothing', async () => {
    const cases: [string[], number, string][] = [
      [['job', 'freeze', name('nope')], 3, `lxcdeck: no job named "${name('nope')}": see 'lxcdeck job ls'`],
      [['job', 'run', '--memory-max', '12Q', '--', 'true'], 2, 'lxcdeck: invalid size "12Q": '],
      [['job', 'run', '--cpu-max', 'lots', '--', 'true'], 2, 'lxcdeck: invalid CPU percentage "lots": '],
      [['job', 'run', '--name', 'a/b', '--', 'true'], 2, 'lxcdeck: invalid job name "a/b": '],
      [['rule', 'add', '--source', 'file:/nonexistent/x', '--target', 'jobs:*', '--high', '5', '--low', '3'], 2, 'lxcdeck: rule source file:/nonexistent/x is unreadable'],
      [['rule', 'add', '--source', 'pressure:memory', '--target', 'jobs:*', '--high', '5', '--low', '5'], 2, 'lxcdeck: rule rule1: low mark 5 is not below high mark 5: '],
      [['rule', 'rm', 'nope'], 3, `lxcdeck: no rule named "nope": see 'lxcdeck rule ls'`],
    ];
    const before = await ls();
    for (const [args, code, line] of cases) {
      const r = await lxcdeck(runner, args);
      expect(r.code, args.join(' ')).toBe(code);
      const lines = r.stderr.trim().split('\n');
      expect(lines.length).toBe(1);
      expect(lines[0]?.startsWith(line), lines[0]).toBe(true);
    }
    expect((await ls()).map((j) => j.name)).toEqual(before.map((j) => j.name));
    expect(JSON.parse((await lxcdeck(runner, ['rule', 'ls', '--json'])).stdout)).toEqual([]);
  }, 120_000);

  it('a rule over a file freezes above high within a tick, holds between the marks, thaws below low, and never thaws a hand-frozen job', async () => {
    const valueFile = path.join(tmp, 'value');
    fs.writeFileSync(valueFile, '0\n', { mode: 0o644 });
    const a = await runJob(name('ra'), ['sh', '-c', 'while :; do :; done']);
    const b = await runJob(name('rb'), ['sh', '-c', 'while :; do :; done']);
    const rule = name('rule');
    for (const [target, rn] of [[`job:${a.name}`, `${rule}a`], [`job:${b.name}`, `${rule}b`]] as const) {
      const add = await lxcdeck(runner, ['rule', 'add', '--name', rn, '--source', `file:${valueFile}`, '--target', target, '--high', '50', '--low', '20']);
      expect(add.stderr).toBe('');
      expect(add.stdout.trim()).toBe(rn);
    }
    const argv = [...runner.prefix, process.execPath, BIN, 'rule', 'run', '--interval', '250'];
    const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    background.push(proc);
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    expect(await eventually(async () => out.includes('watching 2 rules'), 30_000)).toBe(true);

    const within = async (ms: number, cond: () => boolean) => {
      const t = Date.now();
      while (!cond() && Date.now() - t < ms) await sleep(20);
      return cond() ? Date.now() - t : -1;
    };
    const set = (v: number) => fs.writeFileSync(valueFile, `${v}\n`);

    set(60);
    const took = await within(2000, () => freezerState(a) === 'FROZEN' && freezerState(b) === 'FROZEN');
    expect(took).toBeGreaterThanOrEqual(0);
    expect(took).toBeLessThan(250 + 400); // one tick plus the freeze itself
    set(30);
    await sleep(750);
    expect([freezerState(a), freezerState(b)]).toEqual(['FROZEN', 'FROZEN']);
    set(10);
    expect(await within(1000, () => freezerState(a) === 'THAWED' && freezerState(b) === 'THAWED')).toBeGreaterThanOrEqual(0);

    // b frozen by hand: the rule leaves it alone at the trip and never thaws it
    expect((await lxcdeck(runner, ['job', 'freeze', b.name])).code).toBe(0);
    set(60);
    expect(await within(1000, () => freezerState(a) === 'FROZEN')).toBeGreaterThanOrEqual(0);
    set(10);
    expect(await within(1000, () => freezerState(a) === 'THAWED')).toBeGreaterThanOrEqual(0);
    await sleep(750);
    expect(freezerState(b)).toBe('FROZEN');

    // stopped while tripped: it thaws what it froze (a), not b
    set(60);
    expect(await within(1000, () => freezerState(a) === 'FROZEN')).toBeGreaterThanOrEqual(0);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toBe('');
    expect(freezerState(a)).toBe('THAWED');
    expect(freezerState(b)).toBe('FROZEN');
    const lines = out.trim().split('\n').map((l) => l.replace(/^\S+ /, ''));
    expect(lines).toContain(`trip ${rule}a: file:${valueFile} = 60.0 > 50: froze job:${a.name}`);
    expect(lines).toContain(`release ${rule}a: file:${valueFile} = 10.0 < 20: thawed job:${a.name}`);
    expect(lines).toContain(`trip ${rule}b: file:${valueFile} = 60.0 > 50: froze nothing (left alone, frozen already: job:${b.name})`);
    expect(lines).toContain(`stopped: thawed job:${a.name}`);
    expect(lines.at(-1)).toBe('stopped');
    for (const rn of [`${rule}a`, `${rule}b`]) expect((await lxcdeck(runner, ['rule', 'rm', rn])).code).toBe(0);
    // b is still frozen: a kill takes frozen jobs too
    for (const j of [a, b]) expect((await lxcdeck(runner, ['job', 'kill', j.name])).code).toBe(0);
  }, 180_000); // about 20 lxcdeck runs: each takes seconds under software emulation (../shared/v2vm)
});

describe.skipIf(skip)('jobs without a delegated cgroup', () => {
  it('refuses with one line naming the fix and exit 5', async () => {
    // v2 + systemd: refused only when the user manager is out of reach too
    const runner: Runner = V2 && SYSTEMD ? { ...USER_UNDELEGATED, prefix: [...USER_UNDELEGATED.prefix, 'XDG_RUNTIME_DIR=/run/user/none'] } : USER_UNDELEGATED;
    const r = await lxcdeck(runner, ['job', 'run', '--', 'true']);
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    if (V2 && SYSTEMD)
      expect(r.stderr).toMatch(
        new RegExp(`^lxcdeck: your cgroup /sys/fs/cgroup/\\S+ is not delegated to ${TEST_USER} and no systemd user manager is reachable: run from a systemd login session \\(sudo loginctl enable-linger ${TEST_USER}\\) or from a delegated cgroup\\n$`),
      );
    else expect(r.stderr).toMatch(new RegExp(`^lxcdeck: no delegated cgroup for ${TEST_USER} in: .*freezer.*: sudo scripts/prepare-host --user ${TEST_USER} && exec scripts/enter-cgroup\\n$`));
  });

  it('on v2 with systemd, a bare login (no XDG_RUNTIME_DIR) still gets a scope from its user manager; without systemd it is refused', async () => {
    const n = uniqueName('undeleg');
    const r = await lxcdeck(USER_UNDELEGATED, ['job', 'run', '--name', n, '--', 'sleep', '1000']);
    if (!(V2 && SYSTEMD)) {
      expect(r.code).toBe(5);
      return;
    }
    try {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const j = (JSON.parse((await lxcdeck(USER_UNDELEGATED, ['job', 'ls', '--json'])).stdout) as JobRow[]).find((x) => x.name === n)!;
      expect(j.unit).toBe(`lxcdeck-job-${n}.scope`);
      expect(j.cgroups[0]?.dir).toMatch(new RegExp(`/user@\\d+\\.service/.*lxcdeck-job-${n}\\.scope$`));
      expect(read(path.join(j.cgroups[0]!.dir, 'cgroup.procs')).split('\n').length).toBe(2); // wrapper and sleep
    } finally {
      await lxcdeck(USER_UNDELEGATED, ['job', 'kill', n]);
      await lxcdeck(USER_UNDELEGATED, ['job', 'rm', n]);
    }
  });
});
