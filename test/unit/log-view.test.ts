import { describe, expect, it } from 'vitest';
import { findInLog, focusLog, logKey, visibleLog } from '../../src/state/logView.js';
import { AppStore } from '../../src/state/store.js';

const storeWith = (n: number) => {
  const s = new AppStore();
  for (let i = 0; i < n; i++) s.addLog('info', i % 10 === 3 ? `web: RUNNING → FROZEN ${i}` : `line ${i}`, false);
  return s;
};

describe('the focused event log', () => {
  it('scrolls within the log and shows where it is', () => {
    const s = storeWith(30);
    focusLog(s);
    expect(visibleLog(s.log, s.logView, 5).entries.map((e) => e.text)).toEqual(['line 25', 'line 26', 'line 27', 'line 28', 'line 29']);
    logKey(s, 'log.page-up', null, 4);
    logKey(s, 'log.up', null, 4);
    expect(s.logView?.offset).toBe(5);
    expect(visibleLog(s.log, s.logView, 2).entries.map((e) => e.text)).toEqual(['web: RUNNING → FROZEN 23', 'line 24']);
    logKey(s, 'log.top', null, 4);
    expect(visibleLog(s.log, s.logView, 3).from).toBe(0);
    logKey(s, 'log.bottom', null, 4);
    logKey(s, 'log.down', null, 4);
    expect(s.logView?.offset).toBe(0);
    logKey(s, 'log.leave', null, 4);
    expect(s.logView).toBeNull();
  });

  it('searches towards older lines, n goes on, N comes back; a miss says so', () => {
    const s = storeWith(30);
    focusLog(s);
    logKey(s, 'log.search', null, 4);
    for (const ch of 'frozen') logKey(s, undefined, ch, 4);
    logKey(s, 'search.find', null, 4);
    expect(s.logView?.match).toBe(23);
    expect(visibleLog(s.log, s.logView, 3).entries.at(-1)?.text).toBe('web: RUNNING → FROZEN 23');
    logKey(s, 'log.next-match', null, 4);
    expect(s.logView?.match).toBe(13);
    logKey(s, 'log.prev-match', null, 4);
    expect(s.logView?.match).toBe(23);
    expect(findInLog(s.log, 'nothing like it', 30)).toBeNull();
    logKey(s, 'log.search', null, 4);
    for (const ch of 'zzz') logKey(s, undefined, ch, 4);
    logKey(s, 'search.find', null, 4);
    expect(s.status.get()?.text).toBe('not found in the event log: zzz');
  });

  it('a scrolled log stays on its lines while new ones come in; at the bottom it follows them', () => {
    const s = storeWith(30);
    focusLog(s);
    s.addLog('info', 'new 1', false);
    expect(visibleLog(s.log, s.logView, 1).entries[0]?.text).toBe('new 1');
    logKey(s, 'log.up', null, 4);
    const before = visibleLog(s.log, s.logView, 3).entries.map((e) => e.text);
    s.addLog('info', 'new 2', false);
    expect(visibleLog(s.log, s.logView, 3).entries.map((e) => e.text)).toEqual(before);
  });
});
