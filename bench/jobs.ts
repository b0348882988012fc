/**
 * Job freeze latency: a job with 50 busy processes, from the freeze call to
 * FROZEN confirmed in the cgroup, thawed between runs. Runs as whoever runs
 * it (root in `npm run bench`), with job records in a private directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCgroupHost } from '../src/host/cgroups.js';
import { realHostFs } from '../src/host/hostfs.js';
import { currentIdentity } from '../src/host/identity.js';
import { primaryDir, procsOf } from '../src/jobs/cgroup.js';
import { JobManager } from '../src/jobs/manager.js';

const BUSY = 50;

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? NaN;
  return { median: q(0.5), p99: q(0.99) };
}

const ms = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(x < 10 ? 2 : 0)} ms`);

/** One bench row: label, figures, target verdict. Kills and removes its job whatever happens. */
export async function jobFreezeBench(runs = 100): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-bench-jobs-'));
  const jobs = new JobManager({ host: readCgroupHost(realHostFs), identity: currentIdentity(realHostFs), fs: realHostFs, dir });
  const name = `bench-freeze-${process.pid}`;
  try {
    const rec = await jobs.run({ name, command: ['sh', '-c', `for i in $(seq ${BUSY}); do (while :; do :; done) & done; wait`] });
    const cg = primaryDir(rec.cgroups) ?? '';
    // wrapper + sh + the loops
    for (let i = 0; i < 500 && procsOf(cg).length < BUSY + 2; i++) await new Promise((r) => setTimeout(r, 10));
    if (procsOf(cg).length < BUSY + 2) throw new Error(`the bench job started only ${procsOf(cg).length} processes`);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await jobs.freeze(name);
      times.push(performance.now() - t);
      await jobs.thaw(name);
    }
    const s = stats(times);
    return [`job freeze to FROZEN, ${BUSY} busy processes, ${runs} runs`, `median ${ms(s.median)} p99 ${ms(s.p99)}`, '', '', '', `target p99 <= 20 ms: ${s.p99 <= 20 ? 'met' : 'MISSED'}`];
  } finally {
    try {
      await jobs.kill(name);
    } catch {
      /* never started, or gone */
    }
    try {
      jobs.remove(name);
    } catch {
      /* never started */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
