import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, hostUnavailable, REPO, uniqueName } from './host.js';

/** `lxcdeck events` against changes made by the lxc-* tools, and `lxcdeck stats --prometheus` under a strict format check. */
const skip = hostUnavailable();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-streams-'));
const lxcpath = path.join(tmp, 'lxc');
const name = uniqueName('ev');
const lxc = (tool: string, ...args: string[]) => {
  const r = spawnSync(tool, ['-P', lxcpath, '-n', name, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}`);
};

beforeAll(() => {
  if (skip) return;
  fs.mkdirSync(lxcpath);
  lxc('lxc-create', '-t', 'busybox');
  lxc('lxc-start');
  lxc('lxc-wait', '-s', 'RUNNING', '-t', '30');
}, 120_000);
afterAll(() => {
  spawnSync('lxc-stop', ['-k', '-P', lxcpath, '-n', name]);
  spawnSync('lxc-destroy', ['-f', '-P', lxcpath, '-n', name]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Lines of a running lxcdeck, awaited one by one. */
class Lines {
  private buf = '';
  private lines: string[] = [];
  private waiters: (() => void)[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.buf += d;
      const parts = this.buf.split('\n');
      this.buf = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  }
  /** The first line after those already taken that matches, within ms. */
  async next(match: (l: string) => boolean, ms: number): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.lines.findIndex(match);
      if (i >= 0) return this.lines.splice(0, i + 1).at(-1)!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching line within ${ms} ms; got: ${this.lines.join(' | ')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
}

describe.skipIf(skip)('events and stats streams', () => {
  it('events shows freeze, thaw and stop done by the lxc tools, in order, within 1 s each; SIGINT ends it with 0', async () => {
    const ev = new Lines(spawn(process.execPath, [BIN, '-P', lxcpath, 'events', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const mine = (state: string, previous: string | null) => (l: string) => {
      const e = JSON.parse(l) as { kind: string; name: string; state: string; previous: string | null; time: string; pid: number | null };
      return e.kind === 'container' && e.name === name && e.state === state && e.previous === previous;
    };
    const by = (l: string) => (JSON.parse(l) as { by: string | null }).by;
    const firstLine = await ev.next(mine('RUNNING', null), 10_000);
    const first = JSON.parse(firstLine) as { pid: number; time: string };
    expect(first.pid).toBeGreaterThan(1);
    expect(Number.isNaN(Date.parse(first.time))).toBe(false);
    expect(by(firstLine)).toBeNull();
    lxc('lxc-freeze');
    expect(by(await ev.next(mine('FROZEN', 'RUNNING'), 1000))).toBe('outside lxcdeck');
    lxc('lxc-unfreeze');
    expect(by(await ev.next(mine('RUNNING', 'FROZEN'), 1000))).toBe('outside lxcdeck');
    // who changed it: lxcdeck's own freeze and thaw are named as such, with the process that did them
    const cli = (verb: string) => {
      const r = spawnSync(process.execPath, [BIN, '-P', lxcpath, verb, name], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    };
    cli('freeze');
    expect(by(await ev.next(mine('FROZEN', 'RUNNING'), 1000))).toMatch(/^lxcdeck cli freeze \(pid \d+\)$/);
    cli('thaw');
    expect(by(await ev.next(mine('RUNNING', 'FROZEN'), 1000))).toMatch(/^lxcdeck cli thaw \(pid \d+\)$/);
    lxc('lxc-stop', '-k');
    const stoppedLine = await ev.next(mine('STOPPED', 'RUNNING'), 1000);
    expect((JSON.parse(stoppedLine) as { pid: number | null }).pid).toBeNull();
    expect(by(stoppedLine)).toBe('outside lxcdeck');
    ev.child.kill('SIGINT');
    expect(await ev.exited).toEqual({ code: 0, signal: null });
    lxc('lxc-start');
    lxc('lxc-wait', '-s', 'RUNNING', '-t', '30');
  }, 60_000);

  it('events ends cleanly, status 0, when its reader goes away (the next write meets EPIPE, as with SIGPIPE)', async () => {
    const ev = new Lines(spawn(process.execPath, [BIN, '-P', lxcpath, 'events'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stderr = '';
    ev.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await ev.next((l) => l.includes(`container ${name} RUNNING pid `), 10_000)).toMatch(/^\S+Z container \S+ RUNNING pid \d+$/);
    // the reader closes its end, like `lxcdeck events | head -n 1`; the next event's write fails
    ev.child.stdout!.destroy();
    lxc('lxc-freeze');
    try {
      expect(await ev.exited).toEqual({ code: 0, signal: null });
      expect(stderr).toBe('');
    } finally {
      lxc('lxc-unfreeze');
    }
  }, 30_000);

  it('ls --json whose reader has gone ends with status 0 and says nothing (as events does)', async () => {
    const ls = spawn(process.execPath, [BIN, '-P', lxcpath, 'ls', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // the reader closes before anything is written, like `lxcdeck ls --json | true`
    ls.stdout!.destroy();
    let stderr = '';
    ls.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = await new Promise<{ code: number | null; signal: string | null }>((resolve) => ls.on('exit', (code, signal) => resolve({ code, signal })));
    expect(exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('');
  });

  it("ls reads a running container's state from its freezer cgroup: FROZEN by lxc-freeze, RUNNING after lxc-unfreeze", () => {
    const state = () => {
      const r = spawnSync(process.execPath, [BIN, '-P', lxcpath, 'ls', '--json'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { name: string; state: string; pid: number | null }[]).find((c) => c.name === name);
    };
    lxc('lxc-freeze');
    try {
      expect(state()).toMatchObject({ state: 'FROZEN', pid: expect.any(Number) });
    } finally {
      lxc('lxc-unfreeze');
    }
    expect(state()).toMatchObject({ state: 'RUNNING' });
  });

  it('stats --prometheus passes a strict exposition-format check', () => {
    const r = spawnSync(process.execPath, [BIN, '-P', lxcpath, 'stats', '--prometheus', '--interval', '0.5', name], { encoding: 'utf8', timeout: 4000, killSignal: 'SIGINT' });
    // --interval streams: the timeout's SIGINT ends it; take the first exposition
    const text = r.stdout.split(/(?=^# HELP lxcdeck_cpu_percent )/m)[0]!;
    const families = checkExposition(text);
    expect(families.get('lxcdeck_memory_bytes')).toEqual([{ labels: { name, kind: 'container' }, value: expect.any(Number) }]);
    expect(families.get('lxcdeck_pids')![0]!.value).toBeGreaterThanOrEqual(1);
    expect([...families.keys()].every((n) => n.startsWith('lxcdeck_'))).toBe(true);
    const once = spawnSync(process.execPath, [BIN, '-P', lxcpath, 'stats', '--json', name], { encoding: 'utf8', timeout: 20_000 });
    expect(once.status, once.stderr).toBe(0);
    const rows = JSON.parse(once.stdout) as { name: string; kind: string; cpuPercent: number | null }[];
    expect(rows).toEqual([expect.objectContaining({ name, kind: 'container', cpuPercent: expect.any(Number) })]);
  }, 30_000);
});

describe.skipIf(skip)('--json output follows docs/json.md', () => {
  const schemas = new Map([...fs.readFileSync(path.join(REPO, 'docs', 'json.md'), 'utf8').matchAll(/```json (lxcdeck [a-z ]+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, JSON.parse(m[2]!) as Schema]));
  const json = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '-P', lxcpath, ...args], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  };
  const job = uniqueName('jj');
  afterAll(() => {
    spawnSync(process.execPath, [BIN, 'job', 'kill', job]);
    spawnSync(process.execPath, [BIN, 'job', 'rm', job]);
  });

  it('documents every command it checks', () => {
    expect([...schemas.keys()].sort()).toEqual(['lxcdeck events', 'lxcdeck info', 'lxcdeck job ls', 'lxcdeck keys', 'lxcdeck ls', 'lxcdeck stats']);
  });

  it('ls, info, stats, keys, job ls and events match their schemas, with real rows in each', async () => {
    spawnSync('lxc-wait', ['-P', lxcpath, '-n', name, '-s', 'RUNNING', '-t', '30']);
    const ls = JSON.parse(json('ls', '--json')) as unknown[];
    expect(ls.length).toBe(1);
    expect(validate(schemas.get('lxcdeck ls')!, ls)).toEqual([]);
    expect(validate(schemas.get('lxcdeck info')!, JSON.parse(json('info', name, '--json')))).toEqual([]);
    const stats = JSON.parse(json('stats', '--json')) as unknown[];
    expect(stats.length).toBeGreaterThanOrEqual(1);
    expect(validate(schemas.get('lxcdeck stats')!, stats)).toEqual([]);
    expect(validate(schemas.get('lxcdeck keys')!, JSON.parse(json('keys', '--json')))).toEqual([]);
    json('job', 'run', '--name', job, '--', 'sleep', '60');
    const jobs = (JSON.parse(json('job', 'ls', '--json')) as { name: string }[]).filter((j) => j.name === job);
    expect(jobs.length).toBe(1);
    expect(validate(schemas.get('lxcdeck job ls')!, jobs)).toEqual([]);
    const ev = new Lines(spawn(process.execPath, [BIN, '-P', lxcpath, 'events', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    for (const kind of ['container', 'job']) {
      const line = await ev.next((l) => (JSON.parse(l) as { kind: string }).kind === kind, 10_000);
      expect(validate(schemas.get('lxcdeck events')!, JSON.parse(line)), line).toEqual([]);
    }
    ev.child.kill('SIGINT');
    await ev.exited;
  }, 60_000);
});

interface Schema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
}

/** The subset of JSON Schema docs/json.md uses, strictly: every problem, as `path: what`. */
function validate(schema: Schema, value: unknown, at = '$'): string[] {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  const problems: string[] = [];
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.includes(kind) && !(kind === 'integer' && types.includes('number'))) return [`${at}: ${kind}, not ${types.join('|')}`];
  }
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => problems.push(...validate(schema.items!, v, `${at}[${i}]`)));
  if (kind === 'object') {
    const o = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in o)) problems.push(`${at}: missing ${r}`);
    for (const [k, v] of Object.entries(o)) {
      const sub = schema.properties?.[k];
      if (sub) problems.push(...validate(sub, v, `${at}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: undocumented ${k}`);
      else if (typeof schema.additionalProperties === 'object') problems.push(...validate(schema.additionalProperties, v, `${at}.${k}`));
    }
  }
  return problems;
}

/**
 * Prometheus text format 0.0.4, strictly: HELP then TYPE then samples per
 * family, valid names and labels, escaped values, numeric values, no
 * family twice, no series twice, a final newline.
 */
function checkExposition(text: string): Map<string, { labels: Record<string, string>; value: number }[]> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, { labels: Record<string, string>; value: number }[]>();
  let current: string | null = null;
  let state: 'help' | 'type' | 'samples' = 'help';
  const series = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/))) {
      expect(families.has(m[1]!), `family ${m[1]} twice`).toBe(false);
      current = m[1]!;
      families.set(current, []);
      state = 'type';
    } else if ((m = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/))) {
      expect(m[1], line).toBe(current);
      expect(state).toBe('type');
      state = 'samples';
    } else if ((m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*)\} (\S+)$/))) {
      expect(m[1], line).toBe(current);
      expect(state).toBe('samples');
      const value = m[3]!;
      expect(value, line).toMatch(/^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|[+-]Inf)$/);
      const labels: Record<string, string> = {};
      for (const l of m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
      const key = `${m[1]}${JSON.stringify(labels)}`;
      expect(series.has(key), `series twice: ${key}`).toBe(false);
      series.add(key);
      families.get(current!)!.push({ labels, value: Number(value) });
    } else {
      throw new Error(`not exposition format: ${JSON.stringify(line)}`);
    }
  }
  return families;
}
