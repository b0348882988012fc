import { describe, expect, it } from 'vitest';
import { errorLine } from './errorLine.js';
import { systemClock } from '../../src/base/clock.js';
import type { JobStatus } from '../../src/jobs/manager.js';
import { RuleStore } from '../../src/rules/ruleStore.js';
import { ARMED, evaluateRule, parseSource, parseTarget, validateRule, type RuleState, type TargetView } from '../../src/rules/rules.js';
import { RuleRunner } from '../../src/rules/runner.js';
import { parseNumber } from '../../src/rules/sources.js';

const rule = { high: 93, low: 89 };
const t = (id: string, frozen = false): TargetView => ({ id, frozen });

const line = errorLine;

describe('evaluateRule', () => {
  it('freezes above high, holds between the marks, thaws below low (hysteresis)', () => {
    let s: RuleState = ARMED;
    let step = evaluateRule(rule, s, 92, [t('job:a')]);
    expect(step.actions).toEqual([]);
    step = evaluateRule(rule, s, 93, [t('job:a')]); // not above
    expect(step.actions).toEqual([]);
    step = evaluateRule(rule, s, 94, [t('job:a')]);
    expect(step).toMatchObject({ event: 'trip', actions: [{ kind: 'freeze', target: 'job:a' }] });
    s = step.state;
    for (const v of [92, 90, 89, 93.5]) {
      step = evaluateRule(rule, s, v, [t('job:a', true)]);
      expect(step.actions, String(v)).toEqual([]);
      expect(step.event).toBeNull();
      s = step.state;
    }
    step = evaluateRule(rule, s, 88.9, [t('job:a', true)]);
    expect(step).toMatchObject({ event: 'release', actions: [{ kind: 'thaw', target: 'job:a' }] });
    expect(step.state).toEqual(ARMED);
  });

  it('never thaws a target frozen by hand before the trip', () => {
    const trip = evaluateRule(rule, ARMED, 95, [t('job:a'), t('job:b', true)]);
    expect(trip.actions).toEqual([{ kind: 'freeze', target: 'job:a' }]);
    expect(trip.skipped).toEqual(['job:b']);
    const release = evaluateRule(rule, trip.state, 80, [t('job:a', true), t('job:b', true)]);
    expect(release.actions).toEqual([{ kind: 'thaw', target: 'job:a' }]);
  });

  it('only undoes its own freezes: a target thawed by hand during the trip and frozen again is left alone', () => {
    let s = evaluateRule(rule, ARMED, 95, [t('job:a')]).state;
    s = evaluateRule(rule, s, 95, [t('job:a', false)]).state; // thawed by hand
    expect(s.owned).toEqual([]);
    s = evaluateRule(rule, s, 95, [t('job:a', true)]).state; // frozen by hand again
    expect(evaluateRule(rule, s, 10, [t('job:a', true)]).actions).toEqual([]);
  });

  it('freezes targets that appear while tripped, and forgets ones that vanished', () => {
    let step = evaluateRule(rule, ARMED, 95, [t('job:a')]);
    step = evaluateRule(rule, step.state, 91, [t('job:a', true), t('job:new')]);
    expect(step.actions).toEqual([{ kind: 'freeze', target: 'job:new' }]);
    step = evaluateRule(rule, step.state, 91, [t('job:new', true)]);
    expect(step.state.owned).toEqual(['job:new']);
    expect(evaluateRule(rule, step.state, 10, [t('job:new', true)]).actions).toEqual([{ kind: 'thaw', target: 'job:new' }]);
  });

  it('does nothing on an unreadable value', () => {
    const s = evaluateRule(rule, ARMED, 95, [t('job:a')]).state;
    expect(evaluateRule(rule, s, null, [t('job:a', true)])).toMatchObject({ state: s, actions: [] });
    expect(evaluateRule(rule, ARMED, NaN, [t('job:a')]).actions).toEqual([]);
  });
});

describe('rule validation', () => {
  it('parses sources and targets', () => {
    expect(parseSource('thermal:0')).toEqual({ kind: 'thermal', zone: '0' });
    expect(parseSource('thermal:x86_pkg_temp')).toEqual({ kind: 'thermal', zone: 'x86_pkg_temp' });
    expect(parseSource('file:/run/sensor')).toEqual({ kind: 'file', path: '/run/sensor' });
    expect(parseSource('pressure:memory')).toEqual({ kind: 'pressure', resource: 'memory' });
    expect(parseSource('cpu:build')).toEqual({ kind: 'cpu', name: 'build' });
    expect(parseTarget('jobs:*')).toEqual({ kind: 'jobs' });
    expect(parseTarget('group:web')).toEqual({ kind: 'group', name: 'web' });
    expect(line(() => parseSource('disk:sda'))).toMatch(/^invalid rule source "disk:sda": use thermal:<zone>/);
    expect(line(() => parseSource('file:rel/x'))).toMatch(/needs an absolute path/);
    expect(line(() => parseTarget('job:'))).toMatch(/^invalid rule target/);
  });

  it('refuses low >= high with one line', () => {
    const base = { name: 'hot', source: 'thermal:0', target: 'jobs:*' };
    expect(validateRule({ ...base, high: 93, low: 89 })).toEqual({ ...base, high: 93, low: 89 });
    expect(validateRule({ ...base, high: '93', low: '89.5' }).low).toBe(89.5);
    expect(line(() => validateRule({ ...base, high: 89, low: 89 }))).toBe('rule hot: low mark 89 is not below high mark 89: give a low mark smaller than the high mark, e.g. --high 93 --low 89');
    expect(line(() => validateRule({ ...base, high: 'hot', low: 1 }))).toMatch(/^invalid high mark/);
    expect(line(() => validateRule({ ...base, name: 'a b', high: 2, low: 1 }))).toMatch(/^invalid rule name/);
  });

  it('reads the first number of a file', () => {
    expect(parseNumber('94000\n')).toBe(94000);
    expect(parseNumber(' 42.5 C')).toBe(42.5);
    expect(parseNumber('-3')).toBe(-3);
    expect(parseNumber('hot')).toBeNull();
    expect(parseNumber(null)).toBeNull();
  });
});

describe('RuleStore', () => {
  function fakeSettings(rules: unknown[] = []) {
    let current = { rules };
    return { get: () => current, update: (p: { rules: unknown[] }) => (current = { rules: p.rules }) };
  }

  it('adds, lists, names and removes rules; skips bad stored entries with a warning', () => {
    const settings = fakeSettings([{ name: 'junk' }]);
    const store = new RuleStore(settings);
    expect(store.freeName()).toBe('rule1');
    store.add({ name: 'rule1', source: 'thermal:0', target: 'jobs:*', high: 93, low: 89 });
    expect(store.freeName()).toBe('rule2');
    const { rules, problems } = store.list();
    expect(rules.map((r) => r.name)).toEqual(['rule1']);
    expect(problems).toHaveLength(1);
    expect(line(() => store.add({ name: 'rule1', source: 'thermal:0', target: 'jobs:*', high: 2, low: 1 }))).toMatch(/^a rule named rule1 exists/);
    store.remove('rule1');
    expect(line(() => store.remove('rule1'))).toBe(`no rule named "rule1": see 'lxcdeck rule ls'`);
    expect(settings.get().rules).toEqual([{ name: 'junk' }]);
  });
});

describe('RuleRunner', () => {
  function fakeJobs(names: string[], handFrozen: string[] = []) {
    const frozen = new Set(handFrozen);
    const calls: string[] = [];
    return {
      calls,
      frozen,
      list: () => names.map((n) => ({ record: { name: n }, state: frozen.has(n) ? 'frozen' : 'running', pids: 1 }) as unknown as JobStatus),
      freeze: async (n: string) => void (calls.push(`freeze ${n}`), frozen.add(n)),
      thaw: async (n: string) => void (calls.push(`thaw ${n}`), frozen.delete(n)),
    };
  }

  it('trips, releases, logs each once, and thaws only its own freezes when stopped', async () => {
    let value = 0;
    const jobs = fakeJobs(['a', 'b'], ['b']);
    const log: string[] = [];
    const r = new RuleRunner({ rules: [{ name: 'hot', source: 'file:/x', target: 'jobs:*', high: 50, low: 20 }], read: () => value, jobs, clock: systemClock, log: (l) => log.push(l) });
    await r.tick();
    value = 60;
    await r.tick();
    await r.tick();
    expect(jobs.calls).toEqual(['freeze a']);
    expect(r.states().get('hot')?.tripped).toBe(true);
    value = 30;
    await r.tick();
    value = 10;
    await r.tick();
    expect(jobs.calls).toEqual(['freeze a', 'thaw a']);
    value = 60;
    await r.tick();
    expect(await r.releaseAll()).toEqual(['job:a']);
    expect(jobs.frozen.has('b')).toBe(true);
    expect(log).toEqual([
      'trip hot: file:/x = 60.0 > 50: froze job:a (left alone, frozen already: job:b)',
      'release hot: file:/x = 10.0 < 20: thawed job:a',
      'trip hot: file:/x = 60.0 > 50: froze job:a (left alone, frozen already: job:b)',
      'stopped: thawed job:a',
    ]);
  });

  it('hands a target over to another tripped rule instead of thawing it', async () => {
    const values = { a: 0, b: 0 };
    const jobs = fakeJobs(['j']);
    const r = new RuleRunner({
      rules: [
        { name: 'ra', source: 'file:/a', target: 'job:j', high: 50, low: 20 },
        { name: 'rb', source: 'file:/b', target: 'jobs:*', high: 50, low: 20 },
      ],
      read: (s) => (s.kind === 'file' && s.path === '/a' ? values.a : values.b),
      jobs,
      clock: systemClock,
      log: () => undefined,
    });
    values.a = 60;
    await r.tick();
    values.b = 60;
    await r.tick();
    values.a = 10;
    await r.tick();
    expect(jobs.frozen.has('j')).toBe(true);
    values.b = 10;
    await r.tick();
    expect(jobs.calls).toEqual(['freeze j', 'thaw j']);
  });
});
