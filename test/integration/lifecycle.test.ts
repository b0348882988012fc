import type { ContainerSummary } from '../../src/core/container.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createBusybox, destroy, eventually, hostUnavailable, lxcdeck, lxcInfoState, ROOT, run, runInPty, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();

type LsRow = ContainerSummary;

describe.skipIf(skip).each([ROOT, USER])('container lifecycle through liblxc as $label', (runner: Runner) => {
  const a = uniqueName(`${runner.unprivileged ? 'u' : 'r'}a`);
  const b = uniqueName(`${runner.unprivileged ? 'u' : 'r'}b`);

  beforeAll(async () => {
    await destroy(runner, [a, b]);
    await createBusybox(runner, a);
    await createBusybox(runner, b);
  });

  afterAll(async () => {
    await destroy(runner, [a, b]);
  });

  it('starts a container; lxc-info agrees it is RUNNING', async () => {
    expect(await lxcInfoState(runner, a)).toBe('STOPPED');
    const r = await lxcdeck(runner, ['start', a]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
  });

  it('refuses to start it twice with one line and exit 4, changing nothing', async () => {
    const r = await lxcdeck(runner, ['start', a]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n')).toEqual([`lxcdeck: container ${a} is already running (state RUNNING)`]);
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
  });

  it('ls --json matches lxc-ls for names, states and privilege, and reads addresses and cgroup totals', async () => {
    const ours = async () => JSON.parse((await lxcdeck(runner, ['ls', '--json'])).stdout) as LsRow[];
    // wait for the DHCP lease so addresses can be compared too
    await eventually(async () => (await ours()).find((x) => x.name === a)?.ipv4.length);
    const rows = await ours();
    const theirs = (await run(runner, ['lxc-ls', '-f', '-F', 'NAME,STATE,UNPRIVILEGED,IPV4'])).stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    const mine = rows.filter((x) => x.name === a || x.name === b).map((x) => [x.name, x.state, String(x.unprivileged), x.ipv4.join(',') || '-']);
    expect(mine).toEqual(theirs.filter((t) => t[0] === a || t[0] === b));
    const ra = rows.find((x) => x.name === a)!;
    expect(ra.unprivileged).toBe(runner.unprivileged);
    expect(ra.memoryBytes).toBeGreaterThan(0);
    expect(ra.cpuSeconds).toBeGreaterThanOrEqual(0);
    const pid = Number((await run(runner, ['lxc-info', '-pH', '-n', a])).stdout.trim());
    expect(ra.pid).toBe(pid);
    const rb = rows.find((x) => x.name === b)!;
    expect(rb).toMatchObject({ state: 'STOPPED', pid: null, ipv4: [], memoryBytes: null });
  });

  it('freezes and thaws; lxc-info -s confirms each state', async () => {
    expect((await lxcdeck(runner, ['freeze', a])).code).toBe(0);
    expect(await lxcInfoState(runner, a)).toBe('FROZEN');
    // freezing a frozen container is a no-op, not an error
    expect((await lxcdeck(runner, ['freeze', a])).code).toBe(0);
    expect((await lxcdeck(runner, ['thaw', a])).code).toBe(0);
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
  });

  it('attaches a command: output, exit status, and only fds 0 1 2 inside', async () => {
    // no pipe in the shell: its pipe ends would race into the listing
    const r = await lxcdeck(runner, ['attach', a, '--', 'sh', '-c', 'echo $((6*7)); ls -1 /proc/$$/fd; exit 3']);
    expect(r.code).toBe(3);
    const [answer, ...fds] = r.stdout.trim().split('\n');
    expect(answer).toBe('42');
    expect(fds.join(' ')).toBe('0 1 2');
  });

  it('console connects a terminal to tty 0 and Ctrl-a q detaches', async () => {
    const r = await runInPty(runner, `${process.execPath} ${BIN} console ${a}`, [
      [/Ctrl-a q/, '\r'],
      [/# /, 'echo $((6*7))\r'],
      [/^42\r?$/m, '\u0001q'],
    ]);
    expect(r.stdout).toContain(`Connected to ${a} tty 0. Type Ctrl-a q to detach.`);
    expect(r.stdout).toMatch(/^42\r?$/m);
    expect(r.code).toBe(0);
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
  });

  it('info --json reports the running config: pid, cgroups and the host-side veth', async () => {
    const info = JSON.parse((await lxcdeck(runner, ['info', a, '--json'])).stdout) as { pid: number; cgroups: Record<string, string>; hostInterfaces: string[]; idmap: string[] };
    expect(info.pid).toBe(Number((await run(runner, ['lxc-info', '-pH', '-n', a])).stdout.trim()));
    expect(Object.values(info.cgroups).some((d) => d.endsWith(`lxc.payload.${a}`))).toBe(true);
    expect(info.hostInterfaces).toHaveLength(1);
    expect(info.idmap.length > 0).toBe(runner.unprivileged);
  });

  it('bad input: unknown container, invalid name, wrong state — one line, distinct exit, nothing changed', async () => {
    const before = (await run(runner, ['lxc-ls', '-f'])).stdout;
    const unknown = await lxcdeck(runner, ['freeze', 'ldt-no-such-container']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/^lxcdeck: container ldt-no-such-container is not defined in .*: see 'lxcdeck ls', or pass --lxcpath\n$/);
    const invalid = await lxcdeck(runner, ['start', '../etc']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const stopped = await lxcdeck(runner, ['freeze', b]);
    expect(stopped.code).toBe(4);
    expect(stopped.stderr).toContain(`container ${b} is not running (state STOPPED): start it first with 'lxcdeck start ${b}'`);
    const attachStopped = await lxcdeck(runner, ['attach', b, '--', 'true']);
    expect(attachStopped.code).toBe(4);
    expect((await run(runner, ['lxc-ls', '-f'])).stdout).toBe(before);
  });

  it('stops cleanly within the timeout; a second stop is a wrong-state error', async () => {
    const r = await lxcdeck(runner, ['stop', a, '--timeout', '20']);
    expect(r.stderr).toBe('');
    expect(await lxcInfoState(runner, a)).toBe('STOPPED');
    expect((await lxcdeck(runner, ['stop', a])).code).toBe(4);
  });

  it('kills a running (even frozen) container at once', async () => {
    expect((await lxcdeck(runner, ['start', b])).code).toBe(0);
    expect((await lxcdeck(runner, ['freeze', b])).code).toBe(0);
    const r = await lxcdeck(runner, ['kill', b]);
    expect(r.stderr).toBe('');
    expect(await lxcInfoState(runner, b)).toBe('STOPPED');
  });
});
