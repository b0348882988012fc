import { describe, expect, it } from 'vitest';
import { elapsedText, progressHeading } from '../../src/presentation/planText.js';

describe('plan progress heading (TUI plan flow)', () => {
  it('says the step, done of total and the elapsed time', () => {
    expect(progressHeading({ title: 'Create web', step: 1, done: 1, total: 4, elapsedMs: 7400 })).toBe('applying Create web: step 2/4, 1/4 done, 7 s');
    expect(progressHeading({ title: 'Create web', step: null, done: 0, total: 4, elapsedMs: 0 })).toBe('applying Create web: 0/4 done, 0 s');
    expect(progressHeading({ title: 'p', step: 0, done: 0, total: 1, elapsedMs: 1000, plans: { index: 1, count: 3 } })).toBe('applying p (plan 2 of 3): step 1/1, 0/1 done, 1 s');
    expect(progressHeading({ title: 'p', step: 0, done: 0, total: 1, elapsedMs: 1000, plans: { index: 0, count: 1 } })).toBe('applying p: step 1/1, 0/1 done, 1 s');
  });

  it('writes elapsed time as seconds, m:ss, then h:mm:ss', () => {
    expect([0, 999, 59_999, 60_000, 65_000, 3_723_000, -5].map(elapsedText)).toEqual(['0 s', '0 s', '59 s', '1:00', '1:05', '1:02:03', '0 s']);
  });
});
