import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/base/clock.js';
import { LxcdeckError } from '../../src/core/errors.js';
import type { CgroupHost, Hierarchy } from '../../src/host/cgroups.js';
import { KeptFileReader } from '../../src/host/filereader.js';
import { MetricsSampler, type MetricsTarget, type Sample } from '../../src/metrics/sampler.js';

const h = (controllers: string[]): Hierarchy => ({ version: 1, controllers, mountPoint: `/sys/fs/cgroup/${controllers[0]}`, mountRoot: '/' });
const CPUACCT = h(['cpuacct']);
const MEMORY = h(['memory']);
const PIDS = h(['pids']);
const BLKIO = h(['blkio']);
const UNIFIED: Hierarchy = { version: 2, controllers: [], mountPoint: '/sys/fs/cgroup/unified', mountRoot: '/' };
const HYBRID: CgroupHost = { layout: 'hybrid', hierarchies: [CPUACCT, MEMORY, PIDS, BLKIO, UNIFIED] };

function target(id: string, ifaces: string[] = [`veth-${id}`]): MetricsTarget {
  const dir = (hh: Hierarchy) => `${hh.mountPoint}/lxc.payload.${id}`;
  return { id, dirs: new Map(HYBRID.hierarchies.map((hh) => [hh, dir(hh)])), hostInterfaces: ifaces };
}

/** A container's files in the fake tree, with counters the test moves. */
function setCounters(files: Map<string, string>, id: string, c: { cpuNs: number; read: number; write: number; hostRx: number; hostTx: number; mem?: number }) {
  files.set(`/sys/fs/cgroup/cpuacct/lxc.payload.${id}/cpuacct.usage`, `${c.cpuNs}\n`);
  files.set(`/sys/fs/cgroup/memory/lxc.payload.${id}/memory.usage_in_bytes`, `${c.mem ?? 819200}\n`);
  files.set(`/sys/fs/cgroup/memory/lxc.payload.${id}/memory.limit_in_bytes`, '536870912\n');
  files.set(`/sys/fs/cgroup/pids/lxc.payload.${id}/pids.current`, '5\n');
  files.set(`/sys/fs/cgroup/pids/lxc.payload.${id}/pids.max`, 'max\n');
  files.set(
    `/sys/fs/cgroup/blkio/lxc.payload.${id}/blkio.throttle.io_service_bytes_recursive`,
    `254:0 Read ${c.read}\n254:0 Write ${c.write}\n254:0 Sync 0\n254:0 Async 0\n254:0 Discard 0\n254:0 Total ${c.read + c.write}\nTotal ${c.read + c.write}\n`,
  );
  files.set(`/sys/fs/cgroup/unified/lxc.payload.${id}/cpu.pressure`, 'some avg10=1.50 avg60=0.08 avg300=0.01 total=68179\nfull avg10=0.24 avg60=0.08 avg300=0.01 total=64504\n');
  files.set(`/sys/class/net/veth-${id}/statistics/rx_bytes`, `${c.hostRx}\n`);
  files.set(`/sys/class/net/veth-${id}/statistics/tx_bytes`, `${c.hostTx}\n`);
}

describe('MetricsSampler', () => {
  let files: Map<string, string>;
  let clock: Clock;
  let samplers: MetricsSampler[];
  const read = (p: string) => files.get(p) ?? null;

  const make = (opts: Partial<ConstructorParameters<typeof MetricsSampler>[0]> = {}) => {
    const s = new MetricsSampler({ cgroups: HYBRID, clock, read, cpuCount: 8, ...opts });
    samplers.push(s);
    return s;
  };
  const collect = (s: MetricsSampler) => {
    const batches: Map<string, Sample>[] = [];
    const errors: string[] = [];
    s.onSample((b) => batches.push(b));
    s.onError((e) => errors.push(e));
    return { batches, errors };
  };

  beforeEach(() => {
    vi.useFakeTimers();
    const t0 = Date.now();
    clock = { now: () => Date.now() - t0, sleep: () => Promise.resolve() };
    files = new Map();
    samplers = [];
  });
  afterEach(() => {
    for (const s of samplers) s.dispose();
    vi.useRealTimers();
  });

  it('computes cpu% and byte rates from two ticks, null rates on the first', () => {
    setCounters(files, 'c1', { cpuNs: 1e9, read: 1000, write: 0, hostRx: 300, hostTx: 500 });
    const s = make();
    const { batches } = collect(s);
    s.setTargets([target('c1')]);
    s.start();
    vi.advanceTimersByTime(0);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.get('c1')).toEqual({
      t: 0,
      cpuPercent: null,
      memoryBytes: 819200,
      memoryLimitBytes: 536870912,
      pids: 5,
      pidsMax: null,
      ioReadBps: null,
      ioWriteBps: null,
      netRxBps: null,
      netTxBps: null,
      psiCpu: 1.5,
      psiMemory: null,
      psiIo: null,
    });

    // 1.5 s of CPU in 1 s of wall time; host tx is what the container received
    setCounters(files, 'c1', { cpuNs: 2.5e9, read: 5096, write: 8192, hostRx: 600, hostTx: 2500 });
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(2);
    const second = batches[1]?.get('c1');
    expect(second).toMatchObject({ t: 1000, ioReadBps: 4096, ioWriteBps: 8192, netRxBps: 2000, netTxBps: 300 });
    expect(second?.cpuPercent).toBeCloseTo(150, 9);
    expect(s.latest('c1')).toBe(second);
    expect(s.history('c1', 'cpuPercent', 60)).toEqual([Number.NaN, 150]);
    expect(s.history('c1', 'memoryBytes', 60)).toEqual([819200, 819200]);
    expect(s.historyTimes('c1', 60)).toEqual([0, 1000]);
  });

  it('reports a counter reset as an unknown rate and caps cpu% at the core count', () => {
    setCounters(files, 'c1', { cpuNs: 5e9, read: 100, write: 100, hostRx: 0, hostTx: 0 });
    const s = make({ cpuCount: 2 });
    const { batches } = collect(s);
    s.setTargets([target('c1')]);
    s.start();
    vi.advanceTimersByTime(0);
    setCounters(files, 'c1', { cpuNs: 1e9, read: 50, write: 200, hostRx: 0, hostTx: 0 });
    vi.advanceTimersByTime(1000);
    expect(batches[1]?.get('c1')).toMatchObject({ cpuPercent: null, ioReadBps: null, ioWriteBps: 100 });
    setCounters(files, 'c1', { cpuNs: 4e9, read: 50, write: 200, hostRx: 0, hostTx: 0 });
    vi.advanceTimersByTime(1000);
    expect(batches[2]?.get('c1')?.cpuPercent).toBe(200);
  });

  it('fires once per tick with every target, and forgets a target that goes', () => {
    setCounters(files, 'a', { cpuNs: 0, read: 0, write: 0, hostRx: 0, hostTx: 0 });
    setCounters(files, 'b', { cpuNs: 0, read: 0, write: 0, hostRx: 0, hostTx: 0 });
    const forget = vi.fn();
    const s = make({ read: { read, forget } });
    const { batches } = collect(s);
    s.setTargets([target('a'), target('b')]);
    s.start();
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(2);
    expect([...(batches[1]?.keys() ?? [])]).toEqual(['a', 'b']);
    expect(forget).not.toHaveBeenCalled();

    s.setTargets([target('a')]);
    expect(forget).toHaveBeenCalledTimes(1);
    const prefixes = forget.mock.calls[0] as string[];
    expect(prefixes).toContain('/sys/fs/cgroup/memory/lxc.payload.b/');
    expect(prefixes).toContain('/sys/class/net/veth-b/statistics/');
    expect(prefixes.some((p) => p.includes('lxc.payload.a'))).toBe(false);
    expect(s.latest('b')).toBeNull();
    expect(s.history('b', 'memoryBytes', 900)).toEqual([]);
    expect(s.targetIds).toEqual(['a']);
    vi.advanceTimersByTime(1000);
    expect([...(batches[2]?.keys() ?? [])]).toEqual(['a']);

    // back again (a restart): rates start over, the history goes on from where it was
    s.setTargets([target('a'), target('b')]);
    vi.advanceTimersByTime(1000);
    expect(batches[3]?.get('b')?.cpuPercent).toBeNull();
    expect(batches[3]?.get('a')?.cpuPercent).toBe(0);
    expect(s.history('b', 'memoryBytes', 900)).toHaveLength(3);
    // gone for longer than the history span: it comes back with a new one
    s.setTargets([target('a')]);
    vi.advanceTimersByTime(901_000);
    s.setTargets([target('a'), target('b')]);
    vi.advanceTimersByTime(1000);
    expect(s.history('b', 'memoryBytes', 900)).toHaveLength(1);
  });

  it('restarts rates but keeps history when a target moves to new cgroups or veths', () => {
    setCounters(files, 'a', { cpuNs: 0, read: 0, write: 0, hostRx: 0, hostTx: 0 });
    const s = make();
    const { batches } = collect(s);
    s.setTargets([target('a')]);
    s.start();
    vi.advanceTimersByTime(1000);
    expect(batches[1]?.get('a')?.netRxBps).toBe(0);
    s.setTargets([target('a', ['veth-new'])]);
    vi.advanceTimersByTime(1000);
    expect(batches[2]?.get('a')).toMatchObject({ cpuPercent: null, netRxBps: null });
    expect(s.history('a', 'memoryBytes', 900)).toHaveLength(3);
  });

  it('reads interface counters from one /proc/net/dev per tick when it is there', () => {
    setCounters(files, 'a', { cpuNs: 0, read: 0, write: 0, hostRx: 1, hostTx: 1 });
    setCounters(files, 'b', { cpuNs: 0, read: 0, write: 0, hostRx: 1, hostTx: 1 });
    const netDev = (a: number, b: number) =>
      `Inter-| Receive | Transmit\n face |bytes packets|bytes packets\nveth-a: 0 0 0 0 0 0 0 0 ${a} 0 0 0 0 0 0 0\nveth-b: 0 0 0 0 0 0 0 0 ${b} 0 0 0 0 0 0 0\n`;
    files.set('/proc/net/dev', netDev(100, 1000));
    const reads: string[] = [];
    const s = make({ read: (p: string) => (reads.push(p), files.get(p) ?? null) });
    const { batches } = collect(s);
    s.setTargets([target('a'), target('b')]);
    s.start();
    vi.advanceTimersByTime(0);
    files.set('/proc/net/dev', netDev(600, 3000));
    vi.advanceTimersByTime(1000);
    expect(batches[1]?.get('a')?.netRxBps).toBe(500);
    expect(batches[1]?.get('b')?.netRxBps).toBe(2000);
    expect(reads.filter((p) => p === '/proc/net/dev')).toHaveLength(2);
    expect(reads.filter((p) => p.startsWith('/sys/class/net/'))).toEqual([]);
  });

  it('closes the kept descriptors of a target that goes', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-metrics-'));
    try {
      const hier: Hierarchy = { version: 1, controllers: ['memory'], mountPoint: path.join(root, 'memory'), mountRoot: '/' };
      const host: CgroupHost = { layout: 'v1', hierarchies: [hier] };
      for (const id of ['a', 'b']) {
        fs.mkdirSync(path.join(root, 'memory', id), { recursive: true });
        fs.writeFileSync(path.join(root, 'memory', id, 'memory.usage_in_bytes'), '4096\n');
        fs.writeFileSync(path.join(root, 'memory', id, 'memory.limit_in_bytes'), '9223372036854771712\n');
      }
      const reader = new KeptFileReader();
      const s = make({ cgroups: host, read: reader });
      const { batches } = collect(s);
      const t = (id: string): MetricsTarget => ({ id, dirs: new Map([[hier, path.join(root, 'memory', id)]]), hostInterfaces: [] });
      s.setTargets([t('a'), t('b')]);
      s.start();
      vi.advanceTimersByTime(0);
      expect(batches[0]?.get('b')).toMatchObject({ memoryBytes: 4096, memoryLimitBytes: null });
      expect(reader.openCount).toBe(4);
      s.setTargets([t('a')]);
      expect(reader.openCount).toBe(2);
      s.dispose();
      expect(reader.openCount).toBe(0);
      reader.dispose();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('never double-schedules: start() twice keeps one timer, stop() cancels it', () => {
    setCounters(files, 'a', { cpuNs: 0, read: 0, write: 0, hostRx: 0, hostTx: 0 });
    const s = make();
    const { batches } = collect(s);
    s.setTargets([target('a')]);
    s.start();
    s.start();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(0);
    expect(batches).toHaveLength(1);
    s.start();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(3000);
    expect(batches).toHaveLength(4);
    s.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(s.isRunning).toBe(false);
    vi.advanceTimersByTime(10_000);
    expect(batches).toHaveLength(4);
  });

  it('lets a listener stop or restart the sampler without a second timer chain', () => {
    const s = make();
    let n = 0;
    s.onSample(() => {
      n++;
      if (n === 2) {
        s.stop();
        s.start();
      }
      if (n === 4) s.stop();
    });
    s.start();
    vi.advanceTimersByTime(1000); // ticks 1 and 2 (the restart ticks at +0)
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(n).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a failing tick and backs off, doubling up to 10 s, then resets', () => {
    setCounters(files, 'a', { cpuNs: 0, read: 0, write: 0, hostRx: 0, hostTx: 0 });
    let failing = true;
    const s = make({
      read: (p) => {
        if (failing) throw new Error('EIO reading cgroup');
        return read(p);
      },
    });
    const { batches, errors } = collect(s);
    s.setTargets([target('a')]);
    s.start();
    vi.advanceTimersByTime(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/EIO reading cgroup/);
    expect(errors[0]).toMatch(/retrying in 2\.0 s/);
    const expected = [2000, 4000, 8000, 10_000, 10_000];
    for (const [i, delay] of expected.entries()) {
      expect(s.currentDelayMs).toBe(delay);
      vi.advanceTimersByTime(delay - 1);
      expect(errors).toHaveLength(i + 1);
      vi.advanceTimersByTime(1);
      expect(errors).toHaveLength(i + 2);
    }
    expect(batches).toHaveLength(0);
    failing = false;
    vi.advanceTimersByTime(10_000);
    expect(batches).toHaveLength(1);
    expect(s.currentDelayMs).toBe(1000);
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(2);
  });

  it('survives a throwing listener, and an error listener that throws too', () => {
    const s = make();
    s.onSample(() => {
      throw new Error('bad widget');
    });
    const errors: string[] = [];
    s.onError((e) => errors.push(e));
    s.onError(() => {
      throw new Error('worse widget');
    });
    s.start();
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(2000);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/bad widget/);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('validates the interval and the history span', () => {
    for (const bad of [0, 249, 10_001, Number.NaN, Infinity]) {
      expect(() => make({ intervalMs: bad })).toThrow(LxcdeckError);
    }
    expect(() => make({ intervalMs: 100 })).toThrow('metrics interval must be 250 to 10000 ms, got 100');
    expect(() => make({ historySeconds: 0 })).toThrow(LxcdeckError);
    expect(make({ intervalMs: 250 }).intervalMs).toBe(250);
    const s = make({ intervalMs: 10_000 });
    expect(() => s.setInterval(50)).toThrow(/got 50/);
    expect(s.intervalMs).toBe(10_000);
  });

  it('changes the interval live', () => {
    const s = make();
    const { batches } = collect(s);
    s.start();
    vi.advanceTimersByTime(0);
    s.setInterval(500);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(500);
    expect(batches).toHaveLength(2);
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(4);
  });

  it('keeps history by time: capped at historySeconds, windows of 1 and 5 minutes', () => {
    setCounters(files, 'a', { cpuNs: 0, read: 0, write: 0, hostRx: 0, hostTx: 0 });
    const s = make({ historySeconds: 300 });
    s.setTargets([target('a')]);
    s.start();
    vi.advanceTimersByTime(0);
    for (let i = 1; i <= 400; i++) {
      setCounters(files, 'a', { cpuNs: 0, read: 0, write: 0, hostRx: 0, hostTx: 0, mem: i });
      vi.advanceTimersByTime(1000);
    }
    expect(s.history('a', 'memoryBytes', 900)).toHaveLength(300);
    const minute = s.history('a', 'memoryBytes', 60);
    expect(minute).toHaveLength(60);
    expect(minute[0]).toBe(341);
    expect(minute[59]).toBe(400);
    expect(s.historyTimes('a', 60)[0]).toBe(341_000);
    expect(s.history('a', 'memoryBytes', 0)).toEqual([]);

    // 1 s -> 250 ms: the newest points are kept and the span still reads in seconds
    s.setInterval(250);
    for (let i = 0; i < 8; i++) vi.advanceTimersByTime(250);
    expect(s.history('a', 'memoryBytes', 2)).toHaveLength(8);
    expect(s.history('a', 'memoryBytes', 60).length).toBe(8 + 58);
  });
});
