import { describe, expect, it } from 'vitest';
import { ActorTracker, OUTSIDE, parseActionLines, type ActionRecord } from '../../src/core/actions.js';

const P = '/var/lib/lxc';
const rec = (time: number, verb: string, name = 'web', lxcpath = P): ActionRecord => ({ time, kind: 'container', name, lxcpath, verb, by: 'cli', pid: 42 });

describe('who changed a container', () => {
  it('names the lxcdeck action that leads to the new state, once', () => {
    const now = Date.now();
    const t = new ActorTracker(P, now - 1000);
    expect(t.who('container', 'web', 'RUNNING', null, now - 900)).toBeNull();
    t.add([rec(now - 500, 'freeze')]);
    expect(t.who('container', 'web', 'FROZEN', 'RUNNING', now - 400)).toBe('lxcdeck cli freeze (pid 42)');
    // the freeze explained one change: a second freeze after an outside thaw is not lxcdeck's
    expect(t.who('container', 'web', 'RUNNING', 'FROZEN', now - 300)).toBe(OUTSIDE);
    expect(t.who('container', 'web', 'FROZEN', 'RUNNING', now - 200)).toBe(OUTSIDE);
  });

  it('an action older than the last change seen, of another container, another lxcpath or leading elsewhere explains nothing', () => {
    const now = Date.now();
    const t = new ActorTracker(P, now - 10_000);
    t.add([rec(now - 5000, 'freeze'), rec(now - 900, 'freeze', 'db'), rec(now - 900, 'freeze', 'web', '/other'), rec(now - 900, 'stop')]);
    t.who('container', 'web', 'RUNNING', null, now - 9000);
    expect(t.who('container', 'web', 'STOPPED', 'RUNNING', now - 3000)).toBe(OUTSIDE);
    expect(t.who('container', 'web', 'FROZEN', 'RUNNING', now - 100)).toBe(OUTSIDE);
  });

  it('skips torn and foreign lines', () => {
    const good = JSON.stringify(rec(1, 'start'));
    expect(parseActionLines(`${good}\n{"time":1,\nnot json\n{"time":"x"}\n${good}\n`)).toHaveLength(2);
  });
});
