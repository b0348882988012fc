import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/base/clock.js';
import { StatusMessages } from '../../src/state/statusMessage.js';
import { AppStore } from '../../src/state/store.js';

const fakeClock = () => {
  let t = 1000;
  const clock: Clock = { now: () => t, sleep: async () => undefined };
  return { clock, advance: (ms: number) => (t += ms) };
};

describe('status messages have a lifetime', () => {
  it('the next message replaces the last, info fades after a few seconds, a warning a little later', () => {
    const { clock, advance } = fakeClock();
    const m = new StatusMessages(clock, { info: 4000, warn: 8000 });
    m.show('error', 'start a: container a is already running');
    m.show('info', 'stop b: done');
    expect(m.get()).toEqual({ level: 'info', text: 'stop b: done' });
    expect(m.fadesIn()).toBe(4000);
    advance(3999);
    expect(m.get()?.text).toBe('stop b: done');
    advance(1);
    expect(m.get()).toBeNull();
    m.show('warn', 'rule: trip guard');
    advance(7999);
    expect(m.get()?.text).toBe('rule: trip guard');
    advance(1);
    expect(m.get()).toBeNull();
  });

  it('an error stays however long, until the next key', () => {
    const { clock, advance } = fakeClock();
    const m = new StatusMessages(clock);
    m.show('error', 'freeze a: boom');
    advance(10 * 60_000);
    expect(m.get()?.text).toBe('freeze a: boom');
    expect(m.fadesIn()).toBeNull();
    m.keyPressed();
    expect(m.get()).toBeNull();
    // a key does not end an info message early: it fades on its own
    m.show('info', 'theme light');
    m.keyPressed();
    expect(m.get()?.text).toBe('theme light');
  });

  it('the store shows what an action logs, not what a refresh noticed, and keeps every line in the log', () => {
    const { clock } = fakeClock();
    const s = new AppStore(clock);
    s.addLog('error', 'start a: container a is already running');
    s.setWorkloads([]);
    s.addLog('info', 'a: RUNNING → STOPPED', false);
    expect(s.status.get()?.text).toBe('start a: container a is already running');
    s.addLog('info', 'start a: done');
    expect(s.status.get()?.text).toBe('start a: done');
    expect(s.log.map((e) => e.text)).toEqual(['start a: container a is already running', 'a: RUNNING → STOPPED', 'start a: done']);
  });
});

describe('the status bar fits its width', () => {
  it('list hints give way to the message; help and quit stay', async () => {
    const { statusLine } = await import('../../src/presentation/statusLine.js');
    const { effectiveKeymap } = await import('../../src/commands/keytable.js');
    const plain = (t: string) => t.replace(/\{[^{}]*\}/g, '');
    const facts = { palette: {}, keymap: effectiveKeymap({}), filter: { editing: false, text: '' }, prefixArmed: null, pane: null, rules: [], busy: 0 };
    const wide = plain(statusLine({ ...facts, status: null, width: 200 }));
    expect(wide).toMatch(/^\? help {2}\/ filter .* q quit$/);
    const narrow = plain(statusLine({ ...facts, status: { level: 'warn' as const, text: 'stop web: web is already stopped' }, width: 80 }));
    expect(narrow.length).toBeLessThanOrEqual(80);
    expect(narrow).toMatch(/^\? help .*q quit {2}stop web: web is already stopped$/);
    expect(plain(statusLine({ ...facts, status: null, width: 80 }))).toMatch(/q quit$/);
  });
});
