import { describe, expect, it } from 'vitest';
import type { AppBackend } from '../../src/app/context.js';
import { LxcpathSet } from '../../src/app/lxcpaths.js';
import type { ProgramLaunch, TerminalLauncher } from '../../src/core/backend.js';
import type { ContainerSummary } from '../../src/core/container.js';
import { isLxcdeckError } from '../../src/core/errors.js';
import { chooseLxcpath, effectiveLxcpaths } from '../../src/core/lxcpaths.js';
import { containerId, containerRef, containerWorkload, parseWorkloadKey, workloadKey, workloadTitle } from '../../src/core/workload.js';
import { cellText, COLUMNS, fitColumns } from '../../src/presentation/rows.js';

const row = (name: string, lxcpath?: string): ContainerSummary => ({
  name, state: 'STOPPED', pid: null, ipv4: [], ipv6: [], unprivileged: false, autostart: false, groups: [], memoryBytes: null, cpuSeconds: null, ...(lxcpath ? { lxcpath } : {}),
});

describe('container ids over several lxcpaths', () => {
  it('keeps the first lxcpath\'s keys as they were and makes a namesake elsewhere distinct', () => {
    const a = containerWorkload(row('web', '/var/lib/lxc'), '/var/lib/lxc');
    const b = containerWorkload(row('web', '/srv/lxc'), '/var/lib/lxc');
    expect(a.key).toBe('container:web');
    expect(a.id).toEqual({ kind: 'container', name: 'web' });
    expect(b.key).toBe('container:/srv/lxc/web');
    expect(b.id).toEqual({ kind: 'container', name: 'web', lxcpath: '/srv/lxc' });
    // one lxcpath: rows without an lxcpath, as the single engine lists them
    expect(containerWorkload(row('web')).key).toBe('container:web');
  });

  it('round-trips references and keys', () => {
    for (const id of [containerId('web'), containerId('/srv/lxc/web'), containerId('/web'), { kind: 'job' as const, name: 'build' }]) {
      expect(parseWorkloadKey(workloadKey(id))).toEqual(id);
      if (id.kind === 'container') expect(containerId(containerRef(id))).toEqual(id);
    }
    expect(containerId('/srv/lxc/web')).toEqual({ kind: 'container', name: 'web', lxcpath: '/srv/lxc' });
    expect(containerRef({ kind: 'container', name: 'web', lxcpath: '/' })).toBe('/web');
    expect(parseWorkloadKey('job:a/b')).toEqual({ kind: 'job', name: 'a/b' });
    expect(workloadTitle(containerId('/srv/lxc/web'))).toBe('web in /srv/lxc');
    expect(workloadTitle(containerId('web'))).toBe('web');
  });
});

describe('a NAME over several lxcpaths', () => {
  const defines = (m: Record<string, string[]>) => (p: string) => (m[p] ?? []).includes('web');

  it('goes to the lxcpath that defines it, else the first', () => {
    expect(chooseLxcpath('web', ['/a', '/b'], defines({ '/b': ['web'] }))).toBe('/b');
    expect(chooseLxcpath('web', ['/a', '/b'], defines({}))).toBe('/a');
    expect(chooseLxcpath('web', ['/a'], () => false)).toBe('/a');
  });

  it('is a one-line error when two lxcpaths define it', () => {
    let err: unknown;
    try {
      chooseLxcpath('web', ['/a', '/b', '/c'], defines({ '/a': ['web'], '/c': ['web'] }));
    } catch (e) {
      err = e;
    }
    expect(isLxcdeckError(err) && err.line).toBe('web is in /a and /c: pass -P to choose (e.g. -P /a web)');
    expect(isLxcdeckError(err) && err.exitCode).toBe(2);
  });

  it('takes -P over the setting', () => {
    expect(effectiveLxcpaths(['/x'], ['/a', '/b'])).toEqual(['/x']);
    expect(effectiveLxcpaths([], ['/a', '/b'])).toEqual(['/a', '/b']);
  });
});

/** A fake engine that records each call with the name it got. */
function engine(lxcpath: string, names: string[], calls: string[]): AppBackend {
  const rec = (verb: string) => async (name: string) => void calls.push(`${verb} ${lxcpath} ${name}`);
  return {
    lxcpath,
    list: () => names.map((n) => row(n)),
    info: (name) => ({ ...row(name), lxcpath, configFile: '', rootfs: '', idmap: [], cgroups: {}, hostInterfaces: [], consoleBufferSize: '' }),
    start: rec('start'),
    stop: rec('stop'),
    kill: rec('kill'),
    freeze: rec('freeze'),
    thaw: rec('thaw'),
    runtimeOf: () => null,
    hostInterfaces: () => [],
    consoleLog: async () => null,
    consoleBufferPlan: () => ({ title: 't', steps: [] }) as never,
  };
}

function launcher(lxcpath: string): TerminalLauncher {
  const l = (name: string): ProgramLaunch => ({ file: 'helper', args: [name, lxcpath], env: {}, cwd: '/' });
  return { attach: (n) => l(n), console: (n) => l(n), exitReason: () => null };
}

describe('LxcpathSet', () => {
  const calls: string[] = [];
  const set = new LxcpathSet([
    { backend: engine('/a', ['web', 'db'], calls), terminals: launcher('/a') },
    { backend: engine('/b', ['web'], calls), terminals: launcher('/b') },
  ]);
  const backend = set.backend();

  it('lists every lxcpath, each row with its lxcpath, and the rows get distinct keys', () => {
    const rows = backend.list();
    expect(rows.map((r) => `${r.lxcpath}:${r.name}`)).toEqual(['/a:web', '/a:db', '/b:web']);
    expect(rows.map((r) => containerWorkload(r, backend.lxcpath).key)).toEqual(['container:web', 'container:db', 'container:/b/web']);
  });

  it('sends each action to the reference\'s own lxcpath with the plain name', async () => {
    calls.length = 0;
    await backend.start('/b/web');
    await backend.freeze('/b/web');
    await backend.stop('web');
    expect(calls).toEqual(['start /b web', 'freeze /b web', 'stop /a web']);
    expect(backend.info('/b/web').lxcpath).toBe('/b');
    expect(set.terminals().attach('/b/web', {}).args).toEqual(['web', '/b']);
    expect(set.terminals().console('web', { tty: 0, escape: 0 }).args).toEqual(['web', '/a']);
  });

  it('limits and console-buffer plans go to the reference\'s lxcpath; new containers to the first', async () => {
    const asked: string[] = [];
    const planner = (lxcpath: string) => ({
      createPlan: async (req: { name: string }) => (asked.push(`create ${lxcpath} ${req.name}`), { title: 'c', steps: [] }) as never,
      limitPlan: (name: string) => (asked.push(`limit ${lxcpath} ${name}`), { title: 'l', steps: [] }) as never,
      clonePlan: async (from: string, to: string) => (asked.push(`clone ${lxcpath} ${from} ${to}`), { title: 'k', steps: [] }) as never,
    });
    const withPlans = new LxcpathSet([
      { backend: { ...engine('/a', [], calls), consoleBufferPlan: (n: string) => (asked.push(`buffer /a ${n}`), {}) as never }, terminals: launcher('/a'), planner: planner('/a') },
      { backend: { ...engine('/b', [], calls), consoleBufferPlan: (n: string) => (asked.push(`buffer /b ${n}`), {}) as never }, terminals: launcher('/b'), planner: planner('/b') },
    ]);
    withPlans.planner()!.limitPlan('/b/web', { memoryMax: '1G' });
    withPlans.planner()!.limitPlan('web', { memoryMax: '1G' });
    await withPlans.planner()!.createPlan({ name: 'new', from: 'busybox', start: false });
    withPlans.backend().consoleBufferPlan('/b/web');
    await withPlans.planner()!.clonePlan('/b/web', 'web2', { snapshot: true });
    expect(asked).toEqual(['limit /b web', 'limit /a web', 'create /a new', 'buffer /b web', 'clone /b web web2']);
  });

  it('reads the detail view\'s extras from the reference\'s own lxcpath', async () => {
    const extras = (lxcpath: string) => ({ read: async (name: string) => ({ lxcpath, name }) as never });
    const withExtras = new LxcpathSet([
      { backend: engine('/a', [], calls), terminals: launcher('/a'), extras: extras('/a') },
      { backend: engine('/b', [], calls), terminals: launcher('/b'), extras: extras('/b') },
    ]);
    expect(await withExtras.extras()!.read('/b/web')).toEqual({ lxcpath: '/b', name: 'web' });
    expect(await withExtras.extras()!.read('web')).toEqual({ lxcpath: '/a', name: 'web' });
    expect(new LxcpathSet([{ backend: engine('/a', [], calls), terminals: launcher('/a') }]).extras()).toBeUndefined();
  });

  it('refuses a reference into an lxcpath that is not listed, in one line', () => {
    expect(() => backend.start('/c/web')).toThrow(/^container web is in \/c, which is not listed$/);
  });

  it('shows an LXCPATH column only when a row is outside the first lxcpath, cut from the left', () => {
    expect(fitColumns(200, true).some((c) => c.id === 'lxcpath')).toBe(false);
    expect(fitColumns(200, true, true).map((c) => c.id).slice(0, 2)).toEqual(['name', 'lxcpath']);
    const col = COLUMNS.find((c) => c.id === 'lxcpath')!;
    expect(cellText(col, containerWorkload(row('web', '/tmp/lxcdeck-abc/second'), '/x'), undefined)).toBe('…deck-abc/second');
  });
});

describe('saved workspaces over several lxcpaths', () => {
  it('keep a pane and the selection on the second lxcpath\'s container, and first-lxcpath ones as before', async () => {
    const { parseWorkspace } = await import('../../src/core/workspace.js');
    const raw = {
      layout: { dir: 'row', ratio: 0.5, a: 'main', b: { dir: 'column', ratio: 0.5, a: 0, b: 1 } },
      panes: [{ kind: 'shell', container: '/srv/lxc/web' }, { kind: 'console', container: 'web', tty: 0 }],
      focus: 0,
      zoomed: false,
      list: { filter: '', sort: { column: 'name', reverse: false }, group: false, selected: 'container:/srv/lxc/web' },
      lxcpath: '/var/lib/lxc',
    };
    const r = parseWorkspace(JSON.parse(JSON.stringify(raw)));
    expect(r).toEqual({ ok: true, value: raw });
    if (!r.ok) return;
    expect(r.value.panes.map((p) => containerId(p.container))).toEqual([{ kind: 'container', name: 'web', lxcpath: '/srv/lxc' }, { kind: 'container', name: 'web' }]);
    expect(parseWorkloadKey(r.value.list.selected ?? '')).toEqual({ kind: 'container', name: 'web', lxcpath: '/srv/lxc' });
  });
});

describe('rules on a container outside the first lxcpath', () => {
  it('take its reference as target, and the runner freezes that container, not its namesake', async () => {
    const { parseTarget } = await import('../../src/rules/rules.js');
    expect(parseTarget('container:/srv/lxc/web')).toEqual({ kind: 'container', name: '/srv/lxc/web' });
    expect(parseTarget('container:web')).toEqual({ kind: 'container', name: 'web' });
    expect(() => parseTarget('container:/srv/lxc/')).toThrow(/invalid rule target/);
    expect(() => parseTarget('container:srv/web')).toThrow(/invalid rule target/);
    const { RuleRunner } = await import('../../src/rules/runner.js');
    const { systemClock } = await import('../../src/base/clock.js');
    const frozen = new Set<string>();
    const calls: string[] = [];
    const containers = {
      freeze: async (ref: string) => void (calls.push(`freeze ${ref}`), frozen.add(ref)),
      thaw: async (ref: string) => void (calls.push(`thaw ${ref}`), frozen.delete(ref)),
      listGroup: () => ['web', '/srv/lxc/web'],
      isFrozen: (ref: string) => frozen.has(ref),
    };
    const jobs = { list: () => [], freeze: async () => {}, thaw: async () => {} };
    let value = 0;
    const r = new RuleRunner({ rules: [{ name: 'hot', source: 'file:/x', target: 'container:/srv/lxc/web', high: 50, low: 20 }], read: () => value, jobs, containers, clock: systemClock, log: () => {} });
    await r.tick();
    value = 60;
    await r.tick();
    value = 10;
    await r.tick();
    expect(calls).toEqual(['freeze /srv/lxc/web', 'thaw /srv/lxc/web']);
  });
});
