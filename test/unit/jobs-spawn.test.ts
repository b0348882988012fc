import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';
import { spawnInCgroups } from '../../src/jobs/spawn.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-spawn-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const base = () => ({ procsFiles: [], logFile: path.join(dir, 'log'), statusFile: path.join(dir, 'status') });

async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  const t = Date.now();
  while (!cond() && Date.now() - t < ms) await sleep(10);
  return cond();
}

// the wrapper is a real /bin/sh; no cgroups are joined (procsFiles is empty)
describe('the job wrapper handshake', () => {
  it('shows confirm its /proc/self/cgroup and runs the command only after the answer', async () => {
    const marker = path.join(dir, 'ran');
    let seen = '';
    const pid = await spawnInCgroups({ ...base(), command: ['sh', '-c', `echo yes > ${marker}; exit 7`], confirm: (cg) => void (seen = cg) });
    expect(pid).toBeGreaterThan(0);
    expect(seen).toBe(fs.readFileSync('/proc/self/cgroup', 'utf8').trim());
    expect(await until(() => fs.existsSync(path.join(dir, 'status')) && fs.readFileSync(path.join(dir, 'status'), 'utf8') === '7\n')).toBe(true);
    expect(fs.readFileSync(marker, 'utf8')).toBe('yes\n');
  });

  it('a refusing confirm stops the wrapper before the command runs', async () => {
    const marker = path.join(dir, 'ran');
    const refusal = new LxcdeckError('no-delegated-cgroup', 'nope', 'fix');
    await expect(
      spawnInCgroups({
        ...base(),
        command: ['sh', '-c', `echo yes > ${marker}`],
        confirm: () => {
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    await sleep(200);
    expect(fs.existsSync(marker)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'status'))).toBe(false);
  });

  it('runs through a prefix, and names the prefix with its last log line when it fails', async () => {
    const marker = path.join(dir, 'ran');
    await spawnInCgroups({ ...base(), prefix: ['env', 'LXCDECK_T=1'], command: ['sh', '-c', `echo $LXCDECK_T > ${marker}`] });
    expect(await until(() => fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === '1\n')).toBe(true);

    const failing = ['sh', '-c', 'echo "Failed to connect to bus: No such file or directory" >&2; exit 1', 'systemd-run'];
    const err = await spawnInCgroups({ ...base(), prefix: failing, command: ['true'], confirm: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LxcdeckError);
    expect((err as LxcdeckError).message).toBe('sh could not start the job: Failed to connect to bus: No such file or directory');
  });
});
