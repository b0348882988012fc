/**
 * Rootfs shift: native/lxcdeck-shift against `fuidshift` (LXD's, package
 * lxd-tools) and `chown -R` (the floor: one chown per inode, and it loses
 * setuid bits and capabilities), each on its own identical copy of a
 * ~30 000-inode tree (busybox + host directories, with setuid files, ACLs,
 * v3 and v2 file capabilities, a few foreign owners), warm cache (the copy
 * was just written; caches are never dropped: the machine is shared).
 * The lxcdeck tree must come out identical to fuidshift's (owners, modes,
 * ACLs, capabilities: scripts/tree-meta).
 *
 * Standalone: node dist/bench/idmap.js (root). Knobs: LXCDECK_BENCH_SHIFT_INODES
 * (30000), LXCDECK_BENCH_SHIFT_RUNS (3, median).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHIFT = path.join(REPO, 'native', 'build', 'lxcdeck-shift');
const META = path.join(REPO, 'scripts', 'tree-meta');
const TARGET = Number(process.env.LXCDECK_BENCH_SHIFT_INODES ?? 30000);
const RUNS = Math.max(1, Number(process.env.LXCDECK_BENCH_SHIFT_RUNS ?? 3));
const BASE = `/var/tmp/lxcdeck-bench-idmap-${process.pid}`;
const RANGE = 'b:0:100000:65536';
const SOURCES = ['/usr/share/doc', '/usr/lib/python3', '/usr/include', '/usr/share/locale', '/usr/lib/python3.11', '/usr/share/zoneinfo', '/usr/share/man/man3', '/usr/lib/node_modules', '/usr/share/perl', '/usr/share/man'];

const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 28 });
const inodes = (dir: string) => Number(sh(`find '${dir}' -xdev -printf '%i\\n' | sort -u | wc -l`).trim());

/** The source tree: owners 0 (a privileged rootfs), plus setuid files, ACLs, caps and foreign ids (the fuidshift cross-check test builds a small one). */
export function buildSource(dir: string, target = TARGET): number {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(dir, 'bin/busybox'));
  for (const l of ['sh', 'ls', 'cat', 'mount', 'ping', 'su', 'passwd', 'init']) fs.linkSync(path.join(dir, 'bin/busybox'), path.join(dir, 'bin', l));
  let n = inodes(dir);
  for (const src of SOURCES) {
    if (n >= target) break;
    if (!fs.existsSync(src)) continue;
    sh(`cp -a '${src}' '${dir}/${path.basename(src)}-${n}'`);
    n = inodes(dir);
  }
  sh(`chown -R -h 0:0 '${dir}'`);
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o4755);
  const files = sh(`find '${dir}' -xdev -type f | head -n 4000`).split('\n').filter(Boolean);
  const dirs = sh(`find '${dir}' -xdev -mindepth 1 -type d | head -n 400`).split('\n').filter(Boolean);
  files.forEach((f, i) => {
    if (i % 40 === 0) fs.chmodSync(f, 0o4755);
    if (i % 41 === 0) fs.chmodSync(f, 0o2755);
    if (i % 97 === 0) fs.chownSync(f, 33, 33);
    if (i % 997 === 0) fs.chownSync(f, 70000, 70000); // outside the range: left as it is
  });
  sh(`printf '%s\\n' ${files.filter((_, i) => i % 30 === 0).map((f) => `'${f}'`).join(' ')} | xargs setfacl -m u:5:rwx,g:7:r`);
  sh(`printf '%s\\n' ${dirs.filter((_, i) => i % 20 === 0).map((f) => `'${f}'`).join(' ')} | xargs setfacl -d -m u:9:rx,g:11:r`);
  // capabilities after the chowns (a chown removes them): v3 with rootid 0 (set inside a container), and v2 (host-wide)
  const caps = files.filter((_, i) => i % 200 === 7);
  sh(`python3 -c "import os,struct,sys
for f in sys.argv[1:]: os.setxattr(f,'security.capability',struct.pack('<6I',0x03000001,1<<13,0,0,0,0))" ${caps.map((f) => `'${f}'`).join(' ')}`);
  for (const f of files.filter((_, i) => i % 400 === 3)) sh(`setcap cap_net_bind_service+ep '${f}'`);
  return inodes(dir);
}

/** Wall seconds and max RSS (KiB) of a command, via /usr/bin/time. */
function timed(argv: string[]): { s: number; rssKiB: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 400)}`);
  return { s, rssKiB: Number(r.stderr.trim().split('\n').at(-1)), out: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function idmapShiftBench(): Promise<string[][]> {
  if (!fs.existsSync('/usr/bin/fuidshift')) throw new Error('fuidshift is missing: apt-get install -y lxd-tools');
  fs.rmSync(BASE, { recursive: true, force: true });
  fs.mkdirSync(BASE, { recursive: true });
  try {
    const src = path.join(BASE, 'src');
    const n = buildSource(src);
    const times: Record<'lxcdeck' | 'nocount' | 'fuidshift' | 'chown', number[]> = { lxcdeck: [], nocount: [], fuidshift: [], chown: [] };
    let rss = 0;
    let identical = '';
    for (let run = 0; run < RUNS; run++) {
      const copy = (name: string) => {
        const d = path.join(BASE, `${name}-${run}`);
        sh(`cp -a '${src}' '${d}'`);
        return d;
      };
      const [a, b, c, d] = [copy('lxcdeck'), copy('fuidshift'), copy('chown'), copy('nocount')];
      const l = timed([SHIFT, a, RANGE]);
      times.lxcdeck.push(l.s);
      rss = Math.max(rss, l.rssKiB);
      times.fuidshift.push(timed(['fuidshift', b, RANGE]).s);
      times.chown.push(timed(['chown', '-R', '-h', '100000:100000', c]).s);
      // the same walk told the total (no counting pass first): what the progress bar's count costs
      times.nocount.push(timed([SHIFT, '--total', String(n), d, RANGE]).s);
      if (run === 0) {
        const [ma, mb] = [sh(`'${META}' '${a}'`), sh(`'${META}' '${b}'`)];
        const diff = ma.split('\n').filter((line, i) => line !== mb.split('\n')[i]);
        identical = diff.length ? `DIFFERS in ${diff.length} lines, e.g. ${diff[0]} vs fuidshift's` : 'identical to fuidshift (owners, modes, ACLs, caps)';
      }
      for (const x of [a, b, c, d]) fs.rmSync(x, { recursive: true, force: true });
    }
    const rate = (k: keyof typeof times) => n / median(times[k]);
    const fmt = (k: keyof typeof times) => `${Math.round(rate(k))} inodes/s (${(median(times[k]) * 1000).toFixed(0)} ms)`;
    return [
      [`rootfs shift, ${n} inodes, warm cache, median of ${RUNS}`, `lxcdeck-shift ${fmt('lxcdeck')}`, `fuidshift ${fmt('fuidshift')}`, `chown -R ${fmt('chown')}`, `lxcdeck-shift without its counting pass ${fmt('nocount')}`],
      [
        'rootfs shift ratios',
        `${(rate('lxcdeck') / rate('fuidshift')).toFixed(1)}x fuidshift`,
        `${(rate('chown') / rate('lxcdeck')).toFixed(2)}x slower than chown -R`,
        `shifter RSS ${(rss / 1024).toFixed(1)} MiB`,
        `result ${identical}`,
        `targets >= 3x fuidshift: ${rate('lxcdeck') / rate('fuidshift') >= 3 ? 'met' : 'MISSED'}, within 1.5x of chown -R: ${rate('chown') / rate('lxcdeck') <= 1.5 ? 'met' : 'MISSED'}`,
      ],
    ];
  } finally {
    fs.rmSync(BASE, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  idmapShiftBench()
    .then((rows) => rows.forEach((r) => console.log(r.filter(Boolean).join(' | '))))
    .catch((e) => {
      console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    });
}
