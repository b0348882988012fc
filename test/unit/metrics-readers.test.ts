import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerCgroupDirs, type CgroupHost, type Hierarchy } from '../../src/host/cgroups.js';
import { recordedHostFs } from '../../src/host/hostfs.js';
import {
  counterFiles,
  parseBlkioBytes,
  parseInteger,
  parseIoStat,
  parseKeyedValue,
  BLKIO_PROBE_EVERY,
  LIMITS_EVERY,
  PSI_EVERY,
  parseMaxLimit,
  parseNetDev,
  parsePsiSomeAvg10,
  parseV1Limit,
  readContainerCounters,
  readCounters,
} from '../../src/metrics/readers.js';
import { HOSTS, recordedHost } from './fixtures.js';

const METRICS_FIXTURES = path.resolve(HOSTS, '../metrics');

// Real lines from this hybrid host (kernel 6.18).
const HOST_MEMORY_LIMIT = '9223372036854771712\n'; // memory/lxcdeck-lxcdeck-test/memory.limit_in_bytes
const HOST_BLKIO = 'Total 0\n'; // blkio/*/blkio.throttle.io_service_bytes_recursive, even under direct IO
const HOST_CPU_PRESSURE = 'some avg10=18.98 avg60=16.45 avg300=8.59 total=83141673\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';
// The kernel's per-device format (blk-cgroup's blkg_prfill_rwstat), as a host with an active throttle policy prints it.
const BLKIO_DEVICES = [
  '8:0 Read 4096',
  '8:0 Write 8192',
  '8:0 Sync 8192',
  '8:0 Async 4096',
  '8:0 Discard 0',
  '8:0 Total 12288',
  '254:0 Read 1000',
  '254:0 Write 24',
  '254:0 Sync 0',
  '254:0 Async 1024',
  '254:0 Discard 0',
  '254:0 Total 1024',
  'Total 13312',
  '',
].join('\n');

describe('metrics parsers', () => {
  it('reads single-number files and refuses junk', () => {
    expect(parseInteger('5\n')).toBe(5);
    expect(parseInteger('856064')).toBe(856064);
    expect(parseInteger('')).toBeNull();
    expect(parseInteger('\n')).toBeNull();
    expect(parseInteger('max\n')).toBeNull();
    expect(parseInteger('-1')).toBeNull();
    expect(parseInteger(null)).toBeNull();
  });

  it('treats the v1 "unlimited" memory limit as no limit', () => {
    expect(parseV1Limit(HOST_MEMORY_LIMIT)).toBeNull();
    expect(parseV1Limit('536870912\n')).toBe(536870912);
    expect(parseV1Limit(null)).toBeNull();
  });

  it('treats "max" as no limit', () => {
    expect(parseMaxLimit('max\n')).toBeNull();
    expect(parseMaxLimit('1024\n')).toBe(1024);
    expect(parseMaxLimit(null)).toBeNull();
  });

  it('finds a key only as a whole word at a line start', () => {
    const cpuStat = 'usage_usec 244948\nuser_usec 63212\nsystem_usec 181735\nnr_periods 0\n';
    expect(parseKeyedValue(cpuStat, 'usage_usec')).toBe(244948);
    expect(parseKeyedValue(cpuStat, 'system_usec')).toBe(181735);
    expect(parseKeyedValue(cpuStat, 'usec')).toBeNull();
    expect(parseKeyedValue(cpuStat, 'usage')).toBeNull();
    expect(parseKeyedValue(cpuStat, 'missing')).toBeNull();
    expect(parseKeyedValue(null, 'usage_usec')).toBeNull();
  });

  it('reads PSI "some avg10"', () => {
    expect(parsePsiSomeAvg10(HOST_CPU_PRESSURE)).toBe(18.98);
    expect(parsePsiSomeAvg10('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')).toBe(0);
    // the "full" line's avg10 is not the "some" one
    expect(parsePsiSomeAvg10('full avg10=3.00 avg60=0.00 avg300=0.00 total=0\n')).toBeNull();
    expect(parsePsiSomeAvg10('')).toBeNull();
    expect(parsePsiSomeAvg10(null)).toBeNull();
  });

  it('sums v1 blkio Read/Write over devices and calls "Total 0" alone unknown', () => {
    expect(parseBlkioBytes(BLKIO_DEVICES)).toEqual({ read: 5096, write: 8216 });
    expect(parseBlkioBytes(HOST_BLKIO)).toBeNull();
    expect(parseBlkioBytes('')).toBeNull();
    expect(parseBlkioBytes(null)).toBeNull();
  });

  it('sums v2 io.stat rbytes/wbytes over devices', () => {
    const ioStat = '254:0 rbytes=1000 wbytes=24 rios=3 wios=1 dbytes=0 dios=0\n8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=512 dios=1\n';
    expect(parseIoStat(ioStat)).toEqual({ read: 5096, write: 8216 });
    expect(parseIoStat('')).toEqual({ read: 0, write: 0 });
    expect(parseIoStat(null)).toBeNull();
  });
});

describe('metrics readers over recorded hosts', () => {
  it('reads a cgroup v2 container (v2-systemd-alice-container)', () => {
    const host = recordedHost('v2-systemd-alice-container');
    const pid = host.meta.initPid as number;
    const dirs = containerCgroupDirs(host.cgroups, host.fs.read(`/proc/${pid}/cgroup`) ?? '', 'c1');
    expect([...dirs.values()]).toEqual([`/sys/fs/cgroup${host.meta.containerCgroup as string}`]);
    const c = readContainerCounters(host.cgroups.layout, dirs, [], (p) => host.fs.read(p));
    expect(c).toEqual({
      cpuUsageSeconds: 0.244948,
      memoryBytes: 856064,
      memoryLimitBytes: null,
      pids: 5,
      pidsMax: null,
      ioReadBytes: null, // io is not delegated: no io.stat
      ioWriteBytes: null,
      netRxBytes: null,
      netTxBytes: null,
      psiCpu: 0.24,
      psiMemory: 0,
      psiIo: 0,
    });
  });

  it('reads a hybrid container from its v1 hierarchies, PSI from the unified one', () => {
    const host = recordedHost('hybrid-root-container');
    const extra = recordedHostFs(path.join(METRICS_FIXTURES, 'hybrid-extra'));
    const read = (p: string) => extra.read(p) ?? host.fs.read(p);
    expect(host.cgroups.layout).toBe('hybrid');
    const dirs = containerCgroupDirs(host.cgroups, host.fs.read('/proc/19027/cgroup') ?? '', 'fixture-c1');
    const files = counterFiles(host.cgroups.layout, dirs, []);
    expect(files.cpu).toEqual({ path: '/sys/fs/cgroup/cpuacct/lxc.payload.fixture-c1/cpuacct.usage', kind: 'v1-ns' });
    expect(files.memory).toBe('/sys/fs/cgroup/memory/lxc.payload.fixture-c1/memory.usage_in_bytes');
    expect(files.psi?.cpu).toBe('/sys/fs/cgroup/unified/lxc.payload.fixture-c1/cpu.pressure');
    const c = readCounters(files, read);
    expect(c).toEqual({
      cpuUsageSeconds: 0.008964233,
      memoryBytes: 819200,
      memoryLimitBytes: null,
      pids: 5,
      pidsMax: null,
      ioReadBytes: null, // this host's blkio prints "Total 0" only
      ioWriteBytes: null,
      netRxBytes: null,
      netTxBytes: null,
      psiCpu: 13.38,
      psiMemory: 0,
      psiIo: 0,
    });
  });

  it('uses blkio device lines when present and sticks to the first source that had them', () => {
    const host = recordedHost('hybrid-root-container');
    const dirs = containerCgroupDirs(host.cgroups, host.fs.read('/proc/19027/cgroup') ?? '', 'fixture-c1');
    const files = counterFiles(host.cgroups.layout, dirs, []);
    const blk = '/sys/fs/cgroup/blkio/lxc.payload.fixture-c1/';
    const fake = new Map<string, string>([
      [`${blk}blkio.throttle.io_service_bytes_recursive`, HOST_BLKIO],
      [`${blk}blkio.bfq.io_service_bytes_recursive`, '8:0 Read 10\n8:0 Write 20\nTotal 30\n'],
    ]);
    const read = (p: string) => fake.get(p) ?? null;
    expect(readCounters(files, read)).toMatchObject({ ioReadBytes: 10, ioWriteBytes: 20 });
    // a throttle rule set later activates the throttle counters: keep reading bfq
    fake.set(`${blk}blkio.throttle.io_service_bytes_recursive`, BLKIO_DEVICES);
    fake.set(`${blk}blkio.bfq.io_service_bytes_recursive`, '8:0 Read 15\n8:0 Write 20\nTotal 35\n');
    expect(readCounters(files, read)).toMatchObject({ ioReadBytes: 15, ioWriteBytes: 20 });
    // a fresh target picks the throttle counters first
    expect(readCounters(counterFiles('hybrid', dirs, []), read)).toMatchObject({ ioReadBytes: 5096, ioWriteBytes: 8216 });
  });
});

describe('metrics readers: layouts and network', () => {
  const v1mem: Hierarchy = { version: 1, controllers: ['memory'], mountPoint: '/sys/fs/cgroup/memory', mountRoot: '/' };
  const unified: Hierarchy = { version: 2, controllers: [], mountPoint: '/sys/fs/cgroup/unified', mountRoot: '/' };
  const dirs = new Map([
    [v1mem, '/sys/fs/cgroup/memory/c'],
    [unified, '/sys/fs/cgroup/unified/c'],
  ]);

  it('pure v1 has no PSI; hybrid falls back to unified only for controllers missing on v1', () => {
    expect(counterFiles('v1', dirs).psi).toBeNull();
    expect(counterFiles('v1', dirs).cpu).toBeNull();
    const hybrid = counterFiles('hybrid', dirs);
    expect(hybrid.memory).toBe('/sys/fs/cgroup/memory/c/memory.usage_in_bytes');
    expect(hybrid.cpu).toEqual({ path: '/sys/fs/cgroup/unified/c/cpu.stat', kind: 'v2-stat' });
    const v2 = counterFiles('v2', dirs);
    expect(v2.memory).toBe('/sys/fs/cgroup/unified/c/memory.current');
    expect(v2.memoryLimit).toEqual({ path: '/sys/fs/cgroup/unified/c/memory.max', kind: 'v2' });
    expect(v2.io).toEqual({ kind: 'v2', path: '/sys/fs/cgroup/unified/c/io.stat' });
  });

  it('reports network from the container side (host rx = container tx) and never reads outside /sys/class/net', () => {
    const files = counterFiles('v2', dirs, ['vethA', 'vethB', '../../etc', 'a/b', '']);
    expect(files.netHostRx).toEqual(['/sys/class/net/vethA/statistics/rx_bytes', '/sys/class/net/vethB/statistics/rx_bytes']);
    expect(files.prefixes).toEqual([
      '/sys/fs/cgroup/memory/c/',
      '/sys/fs/cgroup/unified/c/',
      '/sys/class/net/vethA/statistics/',
      '/sys/class/net/vethB/statistics/',
    ]);
    const fake = new Map([
      ['/sys/class/net/vethA/statistics/rx_bytes', '100\n'],
      ['/sys/class/net/vethA/statistics/tx_bytes', '1000\n'],
      ['/sys/class/net/vethB/statistics/rx_bytes', '200\n'],
      ['/sys/class/net/vethB/statistics/tx_bytes', '2000\n'],
    ]);
    const c = readCounters(files, (p) => fake.get(p) ?? null);
    expect(c.netRxBytes).toBe(3000);
    expect(c.netTxBytes).toBe(300);
    fake.delete('/sys/class/net/vethB/statistics/rx_bytes');
    fake.delete('/sys/class/net/vethB/statistics/tx_bytes');
    expect(readCounters(files, (p) => fake.get(p) ?? null)).toMatchObject({ netRxBytes: 1000, netTxBytes: 100 });
    expect(readCounters(counterFiles('v2', dirs, []), (p) => fake.get(p) ?? null)).toMatchObject({ netRxBytes: null, netTxBytes: null });
  });

  it('takes interface counters from a /proc/net/dev table when given one', () => {
    const table = parseNetDev(
      [
        'Inter-|   Receive                                                |  Transmit',
        ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
        '    lo:    5000      50    0    0    0     0          0         0     5000      50    0    0    0     0       0          0',
        ' vethA:     100       2    0    0    0     0          0         0     1000       9    0    0    0     0       0          0',
        'vethB:200 3 0 0 0 0 0 0 2000 4 0 0 0 0 0 0',
        '',
      ].join('\n'),
    );
    expect(table).toEqual(
      new Map([
        ['lo', { rx: 5000, tx: 5000 }],
        ['vethA', { rx: 100, tx: 1000 }],
        ['vethB', { rx: 200, tx: 2000 }],
      ]),
    );
    expect(parseNetDev(null)).toBeNull();
    const files = counterFiles('v2', dirs, ['vethA', 'vethB', 'gone']);
    const reads: string[] = [];
    const c = readCounters(files, (p) => (reads.push(p), null), undefined, table);
    expect(c).toMatchObject({ netRxBytes: 3000, netTxBytes: 300 });
    expect(reads.filter((p) => p.startsWith('/sys/class/net/'))).toEqual([]);
    expect(readCounters(counterFiles('v2', dirs, ['gone']), () => null, undefined, table)).toMatchObject({ netRxBytes: null, netTxBytes: null });
  });

  it('re-probes empty v1 blkio sources and re-reads limits only every few reads', () => {
    const blk: Hierarchy = { version: 1, controllers: ['blkio'], mountPoint: '/sys/fs/cgroup/blkio', mountRoot: '/' };
    const files = counterFiles('v1', new Map([...dirs, [blk, '/sys/fs/cgroup/blkio/c']]));
    const fake = new Map([
      ['/sys/fs/cgroup/blkio/c/blkio.throttle.io_service_bytes_recursive', 'Total 0\n'],
      ['/sys/fs/cgroup/memory/c/memory.limit_in_bytes', '1048576\n'],
    ]);
    const reads: string[] = [];
    const read = (p: string) => (reads.push(p), fake.get(p) ?? null);
    const probes = () => reads.filter((p) => p.includes('blkio.throttle.io_service_bytes_recursive')).length;
    const limits = () => reads.filter((p) => p.endsWith('memory.limit_in_bytes')).length;
    expect(readCounters(files, read).memoryLimitBytes).toBe(1048576);
    expect([probes(), limits()]).toEqual([1, 1]);
    fake.set('/sys/fs/cgroup/memory/c/memory.limit_in_bytes', '2097152\n');
    for (let i = 1; i < Math.min(BLKIO_PROBE_EVERY, LIMITS_EVERY); i++) expect(readCounters(files, read).memoryLimitBytes).toBe(1048576);
    expect([probes(), limits()]).toEqual([1, 1]);
    fake.set('/sys/fs/cgroup/blkio/c/blkio.throttle.io_service_bytes_recursive', '8:0 Read 10\n8:0 Write 20\nTotal 30\n');
    const c = readCounters(files, read);
    expect(c).toMatchObject({ memoryLimitBytes: 2097152, ioReadBytes: 10, ioWriteBytes: 20 });
    // a source that showed devices is read every time from then on
    expect(readCounters(files, read).ioReadBytes).toBe(10);
    expect(probes()).toBe(3);
  });

  it('reads PSI every other read (the kernel updates it every 2 s) and keeps the values between', () => {
    const files = counterFiles('v2', dirs);
    const fake = new Map([['/sys/fs/cgroup/unified/c/cpu.pressure', 'some avg10=1.00 avg60=0 avg300=0 total=1\n']]);
    const reads: string[] = [];
    const read = (p: string) => (reads.push(p), fake.get(p) ?? null);
    expect(readCounters(files, read).psiCpu).toBe(1);
    fake.set('/sys/fs/cgroup/unified/c/cpu.pressure', 'some avg10=2.00 avg60=0 avg300=0 total=2\n');
    for (let i = 1; i < PSI_EVERY; i++) expect(readCounters(files, read).psiCpu).toBe(1);
    expect(readCounters(files, read).psiCpu).toBe(2);
    expect(reads.filter((p) => p.endsWith('cpu.pressure'))).toHaveLength(2);
  });

  it('reads nothing for a host without cgroups', () => {
    const none: CgroupHost = { layout: 'none', hierarchies: [] };
    const c = readContainerCounters(none.layout, new Map(), [], () => '1');
    expect(Object.values(c).every((v) => v === null)).toBe(true);
  });
});
