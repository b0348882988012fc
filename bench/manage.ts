/**
 * Container management against LXC's own tools, side by side (root, a
 * private lxcpath): create+start of busybox, overlay snapshot clone,
 * snapshot, and rename of a Debian-sized container vs liblxc's rename
 * (`lxc-copy -R`, a full copy plus destroy). lxcdeck is timed both in
 * process (the plan engine, as the TUI runs it) and as the CLI (with Node's
 * start-up).
 *
 *   LXCDECK_BENCH_ONLY=manage npm run bench     (just this part)
 *   LXCDECK_BENCH_MANAGE_RUNS=n                  (runs per figure, median; default 5)
 *   LXCDECK_BENCH_DEBIAN_ROOTFS=dir              (the Debian-sized rootfs to copy in; default the lxc-debian cache)
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ms, wall } from './timing.js';
import { createContext } from '../src/cli/context.js';
import { createDeps } from '../src/cli/create.js';
import { prepareCreate, type CreateRequest } from '../src/cli/createPrepare.js';
import { parseCreateSource } from '../src/core/createSource.js';
import { takeSnapshot } from '../src/lxc/copies.js';
import { buildCreatePlan } from '../src/lxc/createPlan.js';
import { buildRenamePlan, prepareRename } from '../src/lxc/rename.js';
import { planError } from '../src/core/plan.js';
import { PlanExecutor } from '../src/plan/executor.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin', 'lxcdeck.js');
const RUNS = Math.max(1, Number(process.env.LXCDECK_BENCH_MANAGE_RUNS ?? 5));
const DEBIAN = process.env.LXCDECK_BENCH_DEBIAN_ROOTFS ?? '/var/cache/lxc/debian/rootfs-bookworm-amd64';


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const quiet = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' });

export async function manageBench(lxcpath: string): Promise<string[][]> {
  fs.rmSync(lxcpath, { recursive: true, force: true });
  fs.mkdirSync(lxcpath, { recursive: true });
  const ctx = createContext({ lxcpath });
  const made: string[] = [];
  const inProcess = async (req: CreateRequest) => {
    const t0 = performance.now();
    const params = await prepareCreate(ctx, req);
    // as the CLI runs them: snapshot clones without a journal (see cli/manage.ts)
    const executor = req.source.kind === 'clone' && req.source.snapshot ? new PlanExecutor({ journals: null }) : ctx.planExecutor();
    const result = await executor.run(buildCreatePlan(params, createDeps(ctx)));
    const t = performance.now() - t0;
    const err = planError(result);
    if (err) throw err;
    made.push(req.name);
    return t;
  };
  const rows: string[][] = [];
  try {
    // create + start
    const ours: number[] = [];
    const cli: number[] = [];
    const tools: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(await inProcess({ name: `mk${i}`, source: parseCreateSource('busybox'), limits: {}, start: true }));
      cli.push(wall(process.execPath, [BIN, '-P', lxcpath, 'create', `mc${i}`, '--start']));
      made.push(`mc${i}`);
      tools.push(wall('lxc-create', ['-P', lxcpath, '-t', 'busybox', '-n', `mt${i}`]) + wall('lxc-start', ['-P', lxcpath, '-n', `mt${i}`]));
      made.push(`mt${i}`);
    }
    rows.push(['create+start busybox', `lxcdeck plan ${ms(median(ours))}`, `lxcdeck CLI ${ms(median(cli))}`, `lxc-create + lxc-start ${ms(median(tools))}`, `plan/tools ${(median(ours) / median(tools)).toFixed(2)}x`, `target within 10 %: ${median(ours) <= median(tools) * 1.1 ? 'met' : 'MISSED'}`]);
    for (const n of made) quiet('lxc-stop', ['-P', lxcpath, '-k', '-n', n]);

    // overlay snapshot clone of a stopped busybox
    // alternating which goes first (a clone gets slower with each sibling the original has); the first of
    // the process also starts its clone server (lxc/helperServer.ts): shown on its own
    const base = 'mt0';
    const oc: number[] = [];
    const ot: number[] = [];
    const ocli: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ours = async () => oc.push(await inProcess({ name: `oc${i}`, source: { kind: 'clone', from: base, snapshot: true }, limits: {} }));
      const tool = () => {
        ot.push(wall('lxc-copy', ['-P', lxcpath, '-n', base, '-N', `ot${i}`, '-s', '-B', 'overlay']));
        made.push(`ot${i}`);
      };
      if (i % 2) {
        tool();
        await ours();
      } else {
        await ours();
        tool();
      }
      ocli.push(wall(process.execPath, [BIN, '-P', lxcpath, 'clone', base, `ol${i}`, '--snapshot']));
      made.push(`ol${i}`);
    }
    const warm = oc.slice(1);
    rows.push(['overlay snapshot clone', `lxcdeck plan ${ms(median(warm))} (first ${ms(oc[0] ?? NaN)})`, `lxcdeck CLI ${ms(median(ocli))}`, `lxc-copy -s ${ms(median(ot))}`, `plan/tools ${(median(warm) / median(ot)).toFixed(2)}x`, `target never slower: ${median(warm) <= median(ot) ? 'met' : 'MISSED'}`]);

    // snapshot of a stopped busybox without dependents
    const snapBase = 'mt1';
    const sc: number[] = [];
    const st: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await takeSnapshot(lxcpath, snapBase, undefined);
      sc.push(performance.now() - t0);
      st.push(wall('lxc-snapshot', ['-P', lxcpath, '-n', snapBase]));
    }
    rows.push(['snapshot (busybox, dir)', `lxcdeck ${ms(median(sc))}`, '', `lxc-snapshot ${ms(median(st))}`, `lxcdeck/tools ${(median(sc) / median(st)).toFixed(2)}x`, `target never slower: ${median(sc) <= median(st) ? 'met' : 'MISSED (it runs lxc-snapshot itself)'}`]);

    // rename of a Debian-sized container
    if (fs.existsSync(DEBIAN)) {
      await inProcess({ name: 'deb-a', source: { kind: 'dir', path: DEBIAN }, limits: {} });
      const size = spawnSync('du', ['-sh', path.join(lxcpath, 'deb-a', 'rootfs')], { encoding: 'utf8' }).stdout.split('\t')[0];
      const rc: number[] = [];
      let at = 'deb-a';
      for (let i = 0; i < RUNS * 2; i++) {
        const to = at === 'deb-a' ? 'deb-b' : 'deb-a';
        const t0 = performance.now();
        const result = await new PlanExecutor({ journals: null }).run(buildRenamePlan(prepareRename(lxcpath, at, to, () => false)));
        rc.push(performance.now() - t0);
        const err = planError(result);
        if (err) throw err;
        at = to;
      }
      made.push(at);
      const rt = wall('lxc-copy', ['-P', lxcpath, '-n', at, '-N', 'deb-c', '-R']);
      made.push('deb-c');
      rows.push([`rename (Debian rootfs, ${size})`, `lxcdeck plan ${ms(median(rc))}`, '', `lxc-copy -R ${ms(rt)}`, `${(rt / median(rc)).toFixed(0)}x faster`, `target < 50 ms and >= 50x: ${median(rc) < 50 && rt / median(rc) >= 50 ? 'met' : 'MISSED'}`]);
    } else rows.push(['rename (Debian rootfs)', `skipped: no ${DEBIAN} (run the Debian create once, or set LXCDECK_BENCH_DEBIAN_ROOTFS)`]);
  } finally {
    for (const n of made) {
      quiet('lxc-stop', ['-P', lxcpath, '-k', '-n', n]);
      quiet('lxc-destroy', ['-P', lxcpath, '-s', '-f', '-n', n]);
    }
    fs.rmSync(lxcpath, { recursive: true, force: true });
  }
  return rows;
}
