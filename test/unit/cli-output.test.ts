import { describe, expect, it } from 'vitest';
import { colorEnabled, paintTable, parseColorWhen } from '../../src/cli/color.js';
import { diffSnapshots, eventLine } from '../../src/cli/events.js';
import { parseFast } from '../../src/cli/fast.js';
import { prometheusText } from '../../src/cli/prometheus.js';
import type { Sample } from '../../src/metrics/sampler.js';

describe('fast path grammar', () => {
  it('takes the exact hot forms', () => {
    expect(parseFast(['--help'])).toEqual({ command: 'help' });
    expect(parseFast(['-V'])).toEqual({ command: 'version' });
    expect(parseFast(['ls', '--json'])).toEqual({ command: 'ls', json: true, active: false });
    expect(parseFast(['-P', '/x', 'ls', '--active', '--json'])).toEqual({ lxcpath: '/x', command: 'ls', json: true, active: true });
    expect(parseFast(['freeze', 'web'])).toEqual({ command: 'freeze', name: 'web', timeoutMs: 5000 });
    expect(parseFast(['--lxcpath', '/x', 'thaw', 'web', '--timeout', '100'])).toEqual({ lxcpath: '/x', command: 'thaw', name: 'web', timeoutMs: 100 });
    expect(parseFast(['net', 'up', 'lab'])).toEqual({ command: 'net-up', name: 'lab' });
    expect(parseFast(['net', 'down', 'lab'])).toEqual({ command: 'net-down', name: 'lab' });
  });

  it('leaves everything else to commander, which reports it', () => {
    for (const args of [[], ['ls', '--json', '--json'], ['ls', '--jsn'], ['ls', '--color=never'], ['freeze'], ['freeze', '--timeout', '5', 'web'], ['freeze', 'a', 'b'], ['thaw', 'web', '--timeout', 'x'], ['thaw', 'web', '--timeout', '600001'], ['-P', '/x', '--help'], ['info', 'web'], ['--help', 'ls'], ['net', 'up'], ['net', 'up', '--all'], ['net', 'up', 'lab', '--dry-run'], ['net', 'rm', 'lab'], ['-P', '/x', 'net', 'up', 'lab']])
      expect(parseFast(args), args.join(' ')).toBeNull();
  });
});

describe('colour', () => {
  it('auto: a terminal, not TERM=dumb, no NO_COLOR; always and never win', () => {
    expect(colorEnabled('auto', {}, true)).toBe(true);
    expect(colorEnabled('auto', {}, false)).toBe(false);
    expect(colorEnabled('auto', { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled('auto', { NO_COLOR: '' }, true)).toBe(true);
    expect(colorEnabled('auto', { TERM: 'dumb' }, true)).toBe(false);
    expect(colorEnabled('always', { NO_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled('never', {}, true)).toBe(false);
    expect(() => parseColorWhen('yes')).toThrow(expect.objectContaining({ line: 'invalid --color "yes": use auto, always or never' }));
  });

  it('paints the header and the state column only, and nothing when off', () => {
    const t = 'NAME  STATE    PID\nweb   RUNNING  12\ndb    FROZEN   13';
    expect(paintTable(t, 'STATE', false)).toBe(t);
    expect(paintTable(t, 'STATE', true)).toBe('\x1b[1mNAME  STATE    PID\x1b[0m\nweb   \x1b[32mRUNNING\x1b[0m  12\ndb    \x1b[36mFROZEN\x1b[0m   13');
  });
});

describe('events', () => {
  const snap = (...xs: [string, string, number | null][]) => new Map(xs.map(([name, state, pid]) => [`container:${name}`, { kind: 'container' as const, name, state, pid }]));
  it('first the current states, then only changes, and removals', () => {
    const t = '2026-01-01T00:00:00.000Z';
    expect(diffSnapshots(null, snap(['a', 'RUNNING', 5]), t)).toEqual([{ time: t, kind: 'container', name: 'a', state: 'RUNNING', previous: null, pid: 5, by: null }]);
    expect(diffSnapshots(snap(['a', 'RUNNING', 5]), snap(['a', 'RUNNING', 5]), t)).toEqual([]);
    expect(diffSnapshots(snap(['a', 'RUNNING', 5], ['b', 'STOPPED', null]), snap(['a', 'FROZEN', 5]), t)).toEqual([
      { time: t, kind: 'container', name: 'a', state: 'FROZEN', previous: 'RUNNING', pid: 5, by: null },
      { time: t, kind: 'container', name: 'b', state: 'REMOVED', previous: 'STOPPED', pid: null, by: null },
    ]);
    expect(eventLine({ time: t, kind: 'job', name: 'x\x1b[2J', state: 'frozen', previous: 'running', pid: 9, by: null })).not.toContain('\x1b');
    // who changed it, when known, ends the line (sanitized too)
    expect(eventLine({ time: t, kind: 'container', name: 'a', state: 'FROZEN', previous: 'RUNNING', pid: 5, by: 'lxcdeck cli freeze (pid 7)' })).toBe(`${t} container a RUNNING -> FROZEN pid 5 by lxcdeck cli freeze (pid 7)`);
  });
});

describe('prometheus exposition', () => {
  const sample: Sample = { t: 0, cpuPercent: 12.3456, memoryBytes: 1024, memoryLimitBytes: null, pids: 3, pidsMax: null, ioReadBps: 0, ioWriteBps: 0, netRxBps: null, netTxBps: null, psiCpu: null, psiMemory: null, psiIo: null };
  it('gauges with HELP and TYPE, escaped labels, unknown values left out', () => {
    const text = prometheusText([{ name: 'we"b\\1\n', kind: 'container', sample }]);
    expect(text).toContain('# HELP lxcdeck_cpu_percent ');
    expect(text).toContain('# TYPE lxcdeck_cpu_percent gauge\nlxcdeck_cpu_percent{name="we\\"b\\\\1\\n",kind="container"} 12.346\n');
    expect(text).not.toMatch(/lxcdeck_memory_limit_bytes\{/);
    expect(text.endsWith('\n')).toBe(true);
  });
});
