import { execFile, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real LXC test host made by `scripts/prepare-host --test-user`.
 * Under CI=true a missing piece fails the run; locally the suite is skipped
 * with the reason.
 */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin', 'lxcdeck.js');
export const AS_USER = path.join(REPO, 'scripts', 'as-user');
/** The unprivileged test user: lxcdeck-test here, alice in ../shared/v2vm. */
export const TEST_USER = process.env.LXCDECK_TEST_USER ?? 'lxcdeck-test';

export interface Runner {
  label: string;
  /** argv prefix that runs a command as this subject (empty for root). */
  prefix: string[];
  unprivileged: boolean;
}

export const ROOT: Runner = { label: 'root', prefix: [], unprivileged: false };
export const USER: Runner = { label: `unprivileged ${TEST_USER}`, prefix: [AS_USER, TEST_USER], unprivileged: true };
/** The test user left in root's cgroups (a login without delegation). */
export const USER_UNDELEGATED: Runner = {
  label: `${TEST_USER} outside its delegated cgroup`,
  prefix: ['setpriv', `--reuid=${TEST_USER}`, `--regid=${TEST_USER}`, '--init-groups', 'env', '-i', `HOME=/home/${TEST_USER}`, `USER=${TEST_USER}`, 'PATH=/usr/bin:/bin:/usr/sbin:/sbin'],
  unprivileged: true,
};

/** What is missing on this host for the integration tests, or null. */
export function missingHostSetup(): string | null {
  if (process.getuid?.() !== 0) return 'integration tests run as root (they act as the test user through scripts/as-user)';
  const need = [
    ['/usr/bin/lxc-create', "install lxc: sudo scripts/prepare-host --test-user"],
    ['/usr/share/lxc/templates/lxc-busybox', 'install lxc-templates: sudo scripts/prepare-host --test-user'],
    ['/bin/busybox', 'install busybox-static: sudo scripts/prepare-host --test-user'],
    ['/sys/class/net/lxcbr0', 'create lxcbr0: sudo scripts/prepare-host --test-user'],
    [path.join(REPO, 'native/build/lxcdeck-helper'), 'build it: npm install'],
    [path.join(REPO, 'dist/src/main.js'), 'build it: npm run build'],
  ] as const;
  for (const [p, fix] of need) if (!fs.existsSync(p)) return `${p} is missing: ${fix}`;
  try {
    execFileSync('id', [TEST_USER], { stdio: 'ignore' });
  } catch {
    return `test user ${TEST_USER} is missing: sudo scripts/prepare-host --test-user`;
  }
  // v1/hybrid: a cgroup made by prepare-host; v2 + systemd: user@.service delegates one
  if (!fs.existsSync(`/sys/fs/cgroup/freezer/lxcdeck-${TEST_USER}`) && !fs.existsSync(`/sys/fs/cgroup/lxcdeck-${TEST_USER}`) && !fs.existsSync('/run/systemd/system'))
    return `no delegated cgroup for ${TEST_USER}: sudo scripts/prepare-host --test-user`;
  return null;
}

/** Skip reason for describe.skipIf, or throws under CI so nothing skips silently there. */
export function hostUnavailable(): string | false {
  const missing = missingHostSetup();
  if (missing && process.env.CI === 'true') throw new Error(`integration host not ready under CI: ${missing}`);
  if (missing) console.warn(`skipping integration tests: ${missing}`);
  return missing ?? false;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** execFile's error carries the exit status as a number (a string code means it never ran). */
function exitCodeOf(err: Error | null): number {
  if (!err) return 0;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : 1;
}

/** Pure cgroup v2 with systemd as init (../shared/v2vm, desktops): a user's cgroups come from its systemd user manager. */
export const V2_SYSTEMD = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') && fs.existsSync('/run/systemd/system');

/**
 * lxc-start and lxc-attach of the test user on v2 + systemd run in a
 * delegated scope of its user manager, as a desktop user would type them
 * (Debian's liblxc asks systemd for none: started from root's service cgroup
 * the container gets no cgroup of its own, and an attach is refused).
 * lxcdeck itself finds its scope; only the raw LXC tools of the tests need this.
 */
function inUserScope(runner: Runner, argv: string[]): string[] {
  if (runner !== USER || !V2_SYSTEMD || !['lxc-start', 'lxc-attach'].includes(argv[0] ?? '')) return argv;
  return ['systemd-run', '--user', '--scope', '--quiet', '-p', 'Delegate=yes', '--', ...argv];
}

export function run(runner: Runner, argv: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  const full = [...runner.prefix, ...inUserScope(runner, argv)];
  return new Promise((resolve) => {
    const child = execFile(full[0] as string, full.slice(1), { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: exitCodeOf(err), stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/**
 * Runs a command in a pseudo-terminal (util-linux `script`): each step waits
 * until the output so far matches, then types its text (an expect script).
 */
export function runInPty(runner: Runner, command: string, steps: [waitFor: RegExp, data: string][], timeoutMs = 60_000): Promise<Result> {
  const full = [...runner.prefix, 'script', '-qfec', command, '/dev/null'];
  return new Promise((resolve) => {
    let out = '';
    let step = 0;
    const child = execFile(full[0] as string, full.slice(1), { timeout: timeoutMs }, (err, stdout, stderr) => {
      clearInterval(timer);
      resolve({ code: exitCodeOf(err), stdout, stderr });
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setInterval(() => {
      const next = steps[step];
      if (!next) {
        clearInterval(timer);
        return;
      }
      if (next[0].test(out)) {
        step++;
        child.stdin?.write(next[1]);
      }
    }, 100);
  });
}

export const lxcdeck = (r: Runner, args: string[], options?: { input?: string; timeoutMs?: number }) => run(r, [process.execPath, BIN, ...args], options);

/** State as the real lxc-info reports it. */
export async function lxcInfoState(r: Runner, name: string): Promise<string> {
  const res = await run(r, ['lxc-info', '-sH', '-n', name]);
  return res.stdout.trim();
}

export async function createBusybox(r: Runner, name: string, options: { ptys?: number } = {}): Promise<void> {
  const res = await run(r, ['lxc-create', '-t', 'busybox', '-n', name], { timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`lxc-create ${name} as ${r.label} failed: ${res.stderr}`);
  // the busybox template allows one pty (lxc.pty.max = 1); every attach takes one from the
  // container's own devpts, so tests with several shells on one container need more
  const ptys = options.ptys ?? 16;
  const edit = await run(r, ['sh', '-c', `sed -i 's/^lxc.pty.max = .*/lxc.pty.max = ${ptys}/' "$(lxc-config lxc.lxcpath)/${name}/config"`]);
  if (edit.code !== 0) throw new Error(`setting lxc.pty.max of ${name} failed: ${edit.stderr}`);
}

/** Stops and destroys test containers, whatever state they are in. */
export async function destroy(r: Runner, names: string[]): Promise<void> {
  for (const name of names) {
    await run(r, ['lxc-stop', '-k', '-n', name]);
    await run(r, ['lxc-destroy', '-f', '-n', name]);
  }
}

/** Polls until fn returns a truthy value or the time is up. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const uniqueName = (tag: string) => `ldt-${process.pid}-${tag}`;

/**
 * Started busybox containers are frozen only once their boot is over: a v1
 * freeze while rcS still waits for udhcpc's lease stayed FREEZING for
 * minutes here. The lease (an IPv4 in lxc-info) marks the end; bounded.
 */
export async function settled(lxcpath: string, n: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (/\d+\.\d+\.\d+\.\d+/.test(spawnSync('lxc-info', ['-P', lxcpath, '-n', n, '-iH'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A process's freezer cgroup, to freeze and thaw by hand behind liblxc's
 * back: v1 freezer.state, or v2 cgroup.freeze with the kernel's word in
 * cgroup.events. null when the process has neither.
 */
export function handFreezer(pid: number | string): { stateFile: string; write(frozen: boolean): void; frozen(): boolean } | null {
  const v1 = v1FreezerState(pid);
  if (v1) return { stateFile: v1, write: (f) => fs.writeFileSync(v1, f ? 'FROZEN' : 'THAWED'), frozen: () => fs.readFileSync(v1, 'utf8').trim() === 'FROZEN' };
  const unified = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'))?.slice(3);
  if (!unified || !fs.existsSync(`/sys/fs/cgroup${unified}/cgroup.freeze`)) return null;
  const dir = `/sys/fs/cgroup${unified}`;
  const events = `${dir}/cgroup.events`;
  return { stateFile: events, write: (f) => fs.writeFileSync(`${dir}/cgroup.freeze`, f ? '1' : '0'), frozen: () => /^frozen 1$/m.test(fs.readFileSync(events, 'utf8')) };
}

/** The v1 freezer.state file of a process's cgroup; null where there is no v1 freezer (a pure v2 host). */
export function v1FreezerState(pid: number | string): string | null {
  const cg = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /:freezer:/.test(l))?.split(':')[2];
  return cg ? `/sys/fs/cgroup/freezer${cg}/freezer.state` : null;
}
