import { describe, expect, it } from 'vitest';
import { compareNames, plainOrderLocale } from '../../src/host/collation.js';

describe('compareNames', () => {
  it('orders like localeCompare', () => {
    const alphabet = 'abcxyz0189-_.ABZ';
    let seed = 11;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (chars: string) => Array.from({ length: rnd(6) }, () => chars[rnd(chars.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const chars = i % 2 ? alphabet : 'abz019';
      const a = word(chars);
      const b = word(chars);
      expect(Math.sign(compareNames(a, b)), `${a} ${b}`).toBe(Math.sign(a.localeCompare(b)));
    }
  });

  it('takes the shortcut only for C, POSIX and English locales', () => {
    expect(plainOrderLocale({})).toBe(true);
    expect(plainOrderLocale({ LANG: 'C.UTF-8' })).toBe(true);
    expect(plainOrderLocale({ LANG: 'en_GB.UTF-8', LC_ALL: 'POSIX' })).toBe(true);
    expect(plainOrderLocale({ LANG: 'da_DK.UTF-8' })).toBe(false);
    expect(plainOrderLocale({ LANG: 'C', LC_COLLATE: 'et_EE' })).toBe(false);
  });
});
