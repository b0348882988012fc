import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../src/core/container.js';
import { parseState } from '../../src/core/state.js';
import { readConfigFacts } from '../../src/lxc/lister.js';
import { loadNative } from '../../src/lxc/native.js';
import { probeContainers } from '../../src/lxc/probe.js';
import { backendAt, backendParts } from '../../src/cli/backendParts.js';
import { KeptFileReader } from '../../src/host/filereader.js';
import { primeFiles } from '../../src/lxc/batchRead.js';
import { BIN, handFreezer, hostUnavailable, settled, uniqueName } from './host.js';

const skip = hostUnavailable();

/**
 * native/probe.c asks liblxc about many containers on a few threads for a
 * cold listing. Its answers must be the ones the one-by-one calls give
 * (config facts, liblxc's own state and init pid), in a private lxcpath with
 * a stopped, a running and a running-but-hand-frozen container (liblxc says
 * RUNNING, the cgroup FROZEN: `ls` must still show the disagreement).
 */
describe.skipIf(skip)('the threaded first-listing probe', () => {
  const lxcpath = `/var/lib/${uniqueName('probe')}`;
  const [stopped, running, frozen] = ['stopped', 'running', 'frozen'].map((t) => uniqueName(`p${t}`)) as [string, string, string];
  const sh = (cmd: string, ...args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  let hand: ReturnType<typeof handFreezer> = null;
  /** Freezes or thaws the cgroup by hand and waits for the kernel (bounded). */
  const freezeByHand = (frozen: boolean) => {
    hand!.write(frozen);
    for (let i = 0; i < 500 && hand!.frozen() !== frozen; i++) spawnSync('sleep', ['0.01']);
    expect(hand!.frozen()).toBe(frozen);
  };

  beforeAll(async () => {
    fs.mkdirSync(lxcpath, { recursive: true });
    for (const n of [stopped, running, frozen]) sh('lxc-create', '-P', lxcpath, '-t', 'busybox', '-n', n);
    fs.appendFileSync(path.join(lxcpath, running, 'config'), 'lxc.group = web\nlxc.group = db\nlxc.start.auto = 1\n');
    for (const n of [running, frozen]) sh('lxc-start', '-P', lxcpath, '-n', n);
    // frozen only after its boot (a v1 freeze while rcS waits for its lease can stay FREEZING for minutes);
    // the running one's addresses are settled too, for the batch read's comparison
    for (const n of [running, frozen]) await settled(lxcpath, n);
    hand = handFreezer(sh('lxc-info', '-P', lxcpath, '-n', frozen, '-pH').trim());
    if (!hand) throw new Error(`no freezer cgroup found for ${frozen}`);
    freezeByHand(true);
  }, 120_000);

  afterAll(() => {
    hand?.write(false);
    for (const n of [stopped, running, frozen]) {
      spawnSync('lxc-stop', ['-k', '-P', lxcpath, '-n', n]);
      spawnSync('lxc-destroy', ['-f', '-P', lxcpath, '-n', n]);
    }
    fs.rmSync(lxcpath, { recursive: true, force: true });
  }, 60_000);

  it('gives the same answers as one lxcdeck_open, config reads, state and init pid per container', () => {
    const lib = loadNative(null);
    const names = [stopped, running, frozen, 'no-such-container'];
    const ask = (n: string) => n !== stopped;
    const probed = probeContainers(lib, lxcpath, names, ask);
    expect(probed).not.toBeNull();
    for (const n of [stopped, running, frozen]) {
      const c = lib.lxcdeck_open(n, lxcpath);
      expect(c).not.toBeNull();
      try {
        const want: Record<string, unknown> = { ...readConfigFacts(lib, c!) };
        if (ask(n)) {
          const state = parseState(lib.lxcdeck_state(c!));
          want.asked = { state, pid: state === 'STOPPED' ? -1 : lib.lxcdeck_init_pid(c!) };
        }
        expect(probed!.get(n)).toEqual(want);
      } finally {
        lib.lxcdeck_close(c!);
      }
    }
    expect(probed!.get(running)).toMatchObject({ autostart: true, groups: ['web', 'db'], asked: { state: 'RUNNING' } });
    expect(probed!.get(running)!.asked!.pid).toBeGreaterThan(1);
    // liblxc opens an undefined name too (not defined, nothing running): no state was asked of it
    expect(probed!.get('no-such-container')?.asked).toEqual({ state: 'STOPPED', pid: -1 });
  });

  it('ls --json (a cold listing) still shows liblxc RUNNING under a frozen cgroup as a disagreement', () => {
    const rows = JSON.parse(sh(process.execPath, BIN, '-P', lxcpath, 'ls', '--json')) as ContainerSummary[];
    const by = new Map(rows.map((r) => [r.name, r]));
    expect(by.get(stopped)).toMatchObject({ state: 'STOPPED', pid: null });
    expect(by.get(running)).toMatchObject({ state: 'RUNNING', autostart: true, groups: ['web', 'db'] });
    expect(by.get(frozen)?.state).toBe('FROZEN');
    expect(by.get(frozen)?.disagreement).toBeDefined();
  });

  const pidOf = (n: string) => Number(sh('lxc-info', '-P', lxcpath, '-n', n, '-pH').trim());
  const openFds = () => fs.readdirSync('/proc/self/fd').length;

  it('reads a batch of kernel files on its threads as fs would, in order, and leaves out what it cannot return', () => {
    const lib = loadNative(null);
    const pid = pidOf(running);
    const state = hand!.stateFile;
    const stable = [`/proc/${pid}/cgroup`, `/proc/${pid}/net/if_inet6`, `/proc/${pid}/oom_score_adj`, state];
    // enough paths for every thread, each file several times, in a shuffled order
    const paths = Array.from({ length: 60 }, (_, i) => stable[(i * 7) % stable.length] as string);
    const odd = ['/proc/self/cmdline' /* NULs */, `${lxcpath}/no-such-file`, ''];
    const reader = new KeptFileReader({ keep: false });
    const texts = primeFiles(lib, reader, [...paths, ...odd]);
    for (const p of stable) expect(texts.get(p)).toBe(fs.readFileSync(p, 'utf8'));
    expect(texts.get(state)).toMatch(/^FROZEN$|^frozen 1$/m);
    for (const p of odd) expect(texts.has(p)).toBe(false);
    // the primed text stands in for one read; the next reads the file again
    expect(reader.read(state)).toBe(texts.get(state));
    expect(reader.read('/proc/self/cmdline')).toBe(fs.readFileSync('/proc/self/cmdline', 'utf8'));
  });

  it('a one-shot listing (ls) gives the keeping listing\'s rows and leaves no descriptor open', () => {
    const parts = backendParts();
    const keep = backendAt(parts, lxcpath);
    const once = backendAt(parts, lxcpath, { keepFiles: false });
    try {
      const before = openFds();
      const rowsOnce = once.list();
      expect(openFds()).toBe(before);
      const rowsKeep = keep.list();
      // the keeping listing holds each running container's files open for its next refresh
      expect(openFds()).toBeGreaterThan(before);
      const shape = (rows: ContainerSummary[]) => rows.map(({ name, state, pid, disagreement, unprivileged, autostart, groups, ipv4, ipv6 }) => ({ name, state, pid, disagreement, unprivileged, autostart, groups, ipv4, ipv6 }));
      expect(shape(rowsOnce)).toEqual(shape(rowsKeep));
      const frozenRow = rowsOnce.find((r) => r.name === frozen);
      expect(frozenRow).toMatchObject({ state: 'FROZEN', pid: pidOf(frozen) });
      expect(frozenRow?.disagreement).toBeDefined();
      for (const r of rowsOnce.filter((x) => x.pid !== null)) {
        expect(r.memoryBytes).toBeGreaterThan(0);
        expect(r.cpuSeconds).not.toBeNull();
      }
    } finally {
      keep.dispose();
      once.dispose();
    }
  });

  it('a keeping listing does not reuse the first look\'s batch at its next refresh', () => {
    const b = backendAt(backendParts(), lxcpath);
    try {
      expect(b.list().find((r) => r.name === frozen)?.state).toBe('FROZEN');
      freezeByHand(false);
      const again = b.list().find((r) => r.name === frozen);
      expect(again?.state).toBe('RUNNING');
      expect(again?.disagreement).toBeUndefined();
    } finally {
      freezeByHand(true);
      b.dispose();
    }
  });
});
