import { expect } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';

/** The one-line message a call throws (and that it throws an LxcdeckError). */
export function errorLine(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LxcdeckError);
    return (e as LxcdeckError).line;
  }
  throw new Error('did not throw');
}
