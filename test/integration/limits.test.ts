import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroy, hostUnavailable, lxcdeck, run, ROOT, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();
const V1 = fs.existsSync('/sys/fs/cgroup/memory');
const MEM = V1 ? 'memory.limit_in_bytes' : 'memory.max';

describe.skipIf(skip).each([ROOT, USER])('lxcdeck limit as $label', (runner: Runner) => {
  const name = uniqueName(`${runner.unprivileged ? 'u' : 'r'}lim`);
  let file = '';
  const cg = async (f: string) => (await run(runner, ['lxc-cgroup', '-n', name, f])).stdout.trim();
  const sum = () => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

  beforeAll(async () => {
    await destroy(runner, [name]);
    expect((await lxcdeck(runner, ['create', name, '--start'], { timeoutMs: 120_000 })).code).toBe(0);
    file = (JSON.parse((await lxcdeck(runner, ['info', name, '--json'])).stdout) as { configFile: string }).configFile;
  }, 180_000);
  afterAll(() => destroy(runner, [name]));

  it('sets memory and pids live (read back from the cgroup) and keeps them in the config across a restart', async () => {
    const r = await lxcdeck(runner, ['limit', name, '--memory-max', '200M', '--pids-max', '50']);
    expect(r.code, r.stderr).toBe(0);
    expect(await cg(MEM)).toBe('209715200');
    expect(await cg('pids.max')).toBe('50');
    const prefix = V1 ? 'lxc.cgroup.' : 'lxc.cgroup2.';
    expect(fs.readFileSync(file, 'utf8')).toContain(`${prefix}${MEM} = 209715200\n`);
    await run(runner, ['lxc-stop', '-k', '-n', name]);
    expect((await lxcdeck(runner, ['start', name])).code).toBe(0);
    expect(await cg(MEM)).toBe('209715200');
    expect(await cg('pids.max')).toBe('50');
  }, 60_000);

  it('a limit below current usage is refused in one line; the live value and the config stay as they were', async () => {
    // 16M of tmpfs the kernel cannot reclaim (no swap here)
    await run(runner, ['lxc-attach', '-n', name, '--', 'sh', '-c', 'dd if=/dev/urandom of=/dev/shm/blob bs=1M count=16']);
    const before = sum();
    const r = await lxcdeck(runner, ['limit', name, '--memory-max', '4M']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/the kernel refuses --memory-max .*below what it uses now/);
    expect(await cg(MEM)).toBe('209715200');
    expect(sum()).toBe(before);
  });

  it('a bad unit is one line with the fix and changes nothing', async () => {
    const before = sum();
    const r = await lxcdeck(runner, ['limit', name, '--memory-max', '12parsecs']);
    expect(r.stderr.trim()).toMatch(/^lxcdeck: invalid --memory-max "12parsecs": use a whole number of bytes/);
    expect(sum()).toBe(before);
    expect(await cg(MEM)).toBe('209715200');
  });
});
