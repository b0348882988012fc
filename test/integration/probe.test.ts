import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../src/core/container.js';
import { parseState } from '../../src/core/state.js';
import { readConfigFacts } from '../../src/lxc/lister.js';
import { loadNative } from '../../src/lxc/native.js';
import { probeContainers } from '../../src/lxc/probe.js';
import { BIN, hostUnavailable, uniqueName } from './host.js';

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
  let freezerState = '';

  beforeAll(() => {
    fs.mkdirSync(lxcpath, { recursive: true });
    for (const n of [stopped, running, frozen]) sh('lxc-create', '-P', lxcpath, '-t', 'busybox', '-n', n);
    fs.appendFileSync(path.join(lxcpath, running, 'config'), 'lxc.group = web\nlxc.group = db\nlxc.start.auto = 1\n');
    for (const n of [running, frozen]) sh('lxc-start', '-P', lxcpath, '-n', n);
    const pid = sh('lxc-info', '-P', lxcpath, '-n', frozen, '-pH').trim();
    const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1]?.split(',').includes('freezer'));
    freezerState = line ? path.join('/sys/fs/cgroup/freezer', line.split(':')[2] ?? '', 'freezer.state') : '';
    if (freezerState) fs.writeFileSync(freezerState, 'FROZEN');
  }, 120_000);

  afterAll(() => {
    if (freezerState) fs.writeFileSync(freezerState, 'THAWED');
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
});
