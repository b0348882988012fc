import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, eventually, hostUnavailable, lxcdeck, ROOT, TEST_USER, USER, type Runner } from './host.js';

const skip = hostUnavailable();

/**
 * Rule sources that are not plain files (issue 10 §3): before the fix
 * `rule add` on a FIFO hung in open(), /dev/zero was read until memory ran
 * out, and a source swapped for a FIFO later blocked `rule run`'s event loop
 * so that SIGTERM went unanswered.
 */
describe.skipIf(skip).each([ROOT, USER])('rule sources that are not regular files, as $label', (base: Runner) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `lxcdeck-rsrc-${base.unprivileged ? 'u' : 'r'}-`));
  const configHome = path.join(tmp, 'config');
  const runner: Runner = { ...base, prefix: ['env', `XDG_CONFIG_HOME=${configHome}`, ...base.prefix] };
  const fifo = path.join(tmp, 'fifo');
  const value = path.join(tmp, 'value');
  let proc: ReturnType<typeof spawn> | null = null;

  beforeAll(() => {
    fs.mkdirSync(configHome);
    execFileSync('mkfifo', [fifo]);
    fs.writeFileSync(value, '10\n');
    fs.chmodSync(tmp, 0o755);
    if (base.unprivileged) execFileSync('chown', ['-R', TEST_USER, tmp]);
  });

  afterAll(() => {
    proc?.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const rules = async () => JSON.parse((await lxcdeck(runner, ['rule', 'ls', '--json'])).stdout) as { name: string }[];

  it('rule add refuses a FIFO, /dev/zero, a directory and a socket at once with one line, exit 2, and adds nothing', async () => {
    const sock = path.join(tmp, 'sock');
    const server = (await import('node:net')).createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    fs.chmodSync(sock, 0o777);
    try {
      for (const [p, kind] of [
        [fifo, 'a FIFO'],
        ['/dev/zero', 'a character device'],
        [tmp, 'a directory'],
        [sock, 'a socket'],
      ] as const) {
        const t = Date.now();
        const r = await lxcdeck(runner, ['rule', 'add', '--source', `file:${p}`, '--target', 'jobs:*', '--high', '5', '--low', '3'], { timeoutMs: 20_000 });
        expect(Date.now() - t, p).toBeLessThan(15_000); // before the fix: hung until the 20 s timeout killed it
        expect(r.code, p).toBe(2);
        expect(r.stderr.split('\n').filter(Boolean), p).toEqual([
          `lxcdeck: rule source file:${p} is ${kind}, not a regular file: point it at a regular file or a sysfs/procfs attribute that holds a number`,
        ]);
      }
    } finally {
      server.close();
    }
    expect(await rules()).toEqual([]);
  }, 120_000);

  it('rule add still takes a regular file and a sysfs/procfs attribute', async () => {
    const a = await lxcdeck(runner, ['rule', 'add', '--name', 'plain', '--source', `file:${value}`, '--target', 'jobs:*', '--high', '50', '--low', '20']);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    // procfs: the load average; sysfs: a network interface's MTU
    for (const [n, p] of [['proc', '/proc/loadavg'], ['sys', '/sys/class/net/lo/mtu']]) {
      const r = await lxcdeck(runner, ['rule', 'add', '--name', n!, '--source', `file:${p}`, '--target', 'jobs:*', '--high', '100000', '--low', '99999']);
      expect(r.stderr, p).toBe('');
      expect(r.code, p).toBe(0);
    }
    expect((await rules()).map((r) => r.name)).toEqual(['plain', 'proc', 'sys']);
    for (const n of ['proc', 'sys']) expect((await lxcdeck(runner, ['rule', 'rm', n])).code).toBe(0);
  });

  it('a source replaced by a FIFO while rule run watches is reported, not read, and SIGTERM still stops it at once', async () => {
    const watched = path.join(tmp, 'watched');
    fs.writeFileSync(watched, '10\n', { mode: 0o644 });
    const add = await lxcdeck(runner, ['rule', 'add', '--name', 'swapped', '--source', `file:${watched}`, '--target', 'jobs:*', '--high', '50', '--low', '20']);
    expect(add.code).toBe(0);
    const argv = [...runner.prefix, process.execPath, BIN, 'rule', 'run', '--interval', '100'];
    proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => proc!.on('exit', (code) => r(code)));
    expect(await eventually(async () => /watching \d+ rules?/.test(out), 30_000)).toBe(true);

    // swap the value file for a FIFO (rename over it: the path changes type under the runner)
    const swap = path.join(tmp, 'swap');
    execFileSync('mkfifo', [swap]);
    if (base.unprivileged) execFileSync('chown', [TEST_USER, swap]);
    fs.renameSync(swap, watched);
    const reported = `rule swapped: not reading file:${watched}: rule source file:${watched} is a FIFO, not a regular file`;
    expect(await eventually(async () => out.includes(reported), 10_000)).toBe(true);
    // reported once, not every tick
    await new Promise((r) => setTimeout(r, 500));
    expect(out.split(reported).length - 1).toBe(1);

    const t = Date.now();
    proc.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5000))]);
    expect(code).toBe(0);
    expect(Date.now() - t).toBeLessThan(3000);
    expect(err).toBe('');
    expect(out.trim().split('\n').at(-1)).toMatch(/ stopped$/);
    proc = null;
    for (const n of (await rules()).map((r) => r.name)) expect((await lxcdeck(runner, ['rule', 'rm', n])).code).toBe(0);
  }, 60_000);
});
