import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/base/clock.js';
import { LxcdeckError } from '../../src/core/errors.js';
import type { CgroupHost } from '../../src/host/cgroups.js';
import type { JobStatus } from '../../src/jobs/manager.js';
import { parseSource } from '../../src/rules/rules.js';
import { RuleRunner } from '../../src/rules/runner.js';
import { readSourceFile, readSourceFileSync, SOURCE_CAP_BYTES } from '../../src/rules/sourceFile.js';
import { SourceReader } from '../../src/rules/sources.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-src-'));
const fifo = path.join(tmp, 'fifo');
const sock = path.join(tmp, 'sock');
const big = path.join(tmp, 'big');
const num = path.join(tmp, 'num');
let server: net.Server;

beforeAll(async () => {
  execFileSync('mkfifo', [fifo]);
  fs.writeFileSync(big, `42${' '.repeat(1 << 20)}`);
  fs.writeFileSync(num, '61.5\n');
  server = net.createServer().listen(sock);
  await new Promise((r) => server.once('listening', r));
});

afterAll(() => {
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const reader = () => new SourceReader({ host: { layout: 'v2', hierarchies: [] } as unknown as CgroupHost, clock: systemClock, dirsOf: () => null });

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LxcdeckError);
    return (e as LxcdeckError).line;
  }
  throw new Error('did not reject');
}

describe('rule source files', () => {
  const refused: [string, string][] = [
    [fifo, 'a FIFO'],
    ['/dev/zero', 'a character device'],
    [sock, 'a socket'],
    [tmp, 'a directory'],
  ];

  it.each(refused)('refuses %s (%s) without reading it, async and sync', async (p, kind) => {
    const want = `rule source file:${p} is ${kind}, not a regular file: point it at a regular file or a sysfs/procfs attribute that holds a number`;
    expect(await rejection(readSourceFile(p))).toBe(want);
    expect(() => readSourceFileSync(p)).toThrow(want.split(':')[0]!);
    expect(await rejection(reader().check(parseSource(`file:${p}`), `file:${p}`))).toBe(want);
    expect(() => reader().checkSync(parseSource(`file:${p}`), `file:${p}`)).toThrow(`is ${kind}`);
  });

  it('reads at most SOURCE_CAP_BYTES of a large regular file', async () => {
    expect((await readSourceFile(big))?.length).toBe(SOURCE_CAP_BYTES);
    expect(readSourceFileSync(big)?.length).toBe(SOURCE_CAP_BYTES);
    expect(await reader().read(parseSource(`file:${big}`))).toBe(42);
  });

  it('reads regular files and kernel attributes; a missing file is null, not an error', async () => {
    expect(await reader().read(parseSource(`file:${num}`))).toBe(61.5);
    expect(await reader().read(parseSource('file:/proc/loadavg'))).toBeGreaterThanOrEqual(0);
    expect(await reader().read(parseSource('file:/sys/class/net/lo/mtu'))).toBeGreaterThan(0);
    expect(await reader().read(parseSource(`file:${tmp}/missing`))).toBeNull();
    expect(() => reader().checkSync(parseSource(`file:${tmp}/missing`), `file:${tmp}/missing`)).toThrow('is unreadable or holds no number');
  });
});

describe('SourceReader with a read that hangs (a hung file system)', () => {
  it('gives up after the timeout, never starts a second read of the same file meanwhile, and reads again once it returns', async () => {
    let finish: (text: string) => void = () => undefined;
    let started = 0;
    const src = new SourceReader({
      host: { layout: 'v2', hierarchies: [] } as unknown as CgroupHost,
      clock: systemClock,
      dirsOf: () => null,
      readTimeoutMs: 50,
      readFile: () => {
        started++;
        return new Promise((r) => (finish = r));
      },
    });
    const s = parseSource('file:/mnt/hung/value');
    const t = Date.now();
    expect(await rejection(src.read(s))).toBe('reading file:/mnt/hung/value took longer than 50 ms: check the file system it is on');
    expect(Date.now() - t).toBeLessThan(1000);
    expect(await rejection(src.read(s))).toBe('an earlier read of file:/mnt/hung/value has not returned: check the file system it is on');
    expect(started).toBe(1);
    finish('7\n');
    await new Promise((r) => setImmediate(r));
    const next = src.read(s);
    finish('8\n');
    expect(await next).toBe(8);
    expect(started).toBe(2);
  });
});

describe('RuleRunner with a source that turns into a FIFO', () => {
  it('logs the reason once, holds its state, and logs when it reads again', async () => {
    const p = path.join(tmp, 'swapped');
    fs.writeFileSync(p, '60\n');
    const calls: string[] = [];
    const frozen = new Set<string>();
    const jobs = {
      list: () => [{ record: { name: 'j' }, state: frozen.has('j') ? 'frozen' : 'running', pids: 1 }] as unknown as JobStatus[],
      freeze: async (n: string) => void (calls.push(`freeze ${n}`), frozen.add(n)),
      thaw: async (n: string) => void (calls.push(`thaw ${n}`), frozen.delete(n)),
    };
    const log: string[] = [];
    const src = reader();
    const r = new RuleRunner({ rules: [{ name: 'hot', source: `file:${p}`, target: 'job:j', high: 50, low: 20 }], read: (s) => src.read(s), jobs, clock: systemClock, log: (l) => log.push(l) });
    await r.tick();
    fs.rmSync(p);
    execFileSync('mkfifo', [p]);
    for (let i = 0; i < 3; i++) await r.tick();
    expect(r.states().get('hot')?.tripped).toBe(true);
    fs.rmSync(p);
    fs.writeFileSync(p, '10\n');
    await r.tick();
    expect(calls).toEqual(['freeze j', 'thaw j']);
    expect(log).toEqual([
      `trip hot: file:${p} = 60.0 > 50: froze job:j`,
      `rule hot: not reading file:${p}: rule source file:${p} is a FIFO, not a regular file: point it at a regular file or a sysfs/procfs attribute that holds a number; holding its state`,
      `rule hot: file:${p} readable again`,
      `release hot: file:${p} = 10.0 < 20: thawed job:j`,
    ]);
  });

  it('a read that does not return in time is reported and the tick goes on', async () => {
    const log: string[] = [];
    const never = new Promise<number | null>(() => undefined);
    const jobs = { list: () => [], freeze: async () => undefined, thaw: async () => undefined };
    let first = true;
    const r = new RuleRunner({
      rules: [{ name: 'slow', source: 'file:/x', target: 'jobs:*', high: 50, low: 20 }],
      read: () => {
        if (!first) throw new LxcdeckError('timeout', 'an earlier read of file:/x has not returned', 'check the file system it is on');
        first = false;
        return Promise.race([never, new Promise<never>((_, rej) => setTimeout(() => rej(new LxcdeckError('timeout', 'reading file:/x took longer than 50 ms')), 50))]);
      },
      jobs,
      clock: systemClock,
      log: (l) => log.push(l),
    });
    await r.tick();
    await r.tick();
    await r.tick();
    expect(log).toEqual([
      'rule slow: not reading file:/x: reading file:/x took longer than 50 ms; holding its state',
      'rule slow: not reading file:/x: an earlier read of file:/x has not returned: check the file system it is on; holding its state',
    ]);
  });
});
