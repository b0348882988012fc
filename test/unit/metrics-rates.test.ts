import { describe, expect, it } from 'vitest';
import { clamp, counterRate, cpuPercent } from '../../src/metrics/rates.js';
import { Ring } from '../../src/metrics/ring.js';

describe('rate maths', () => {
  it('turns a counter delta into a rate per second', () => {
    expect(counterRate(100, 300, 2)).toBe(100);
    expect(counterRate(100, 100, 1)).toBe(0);
    expect(counterRate(0, 4096, 0.5)).toBe(8192);
  });

  it('calls a counter that went backwards a reset, not a negative rate', () => {
    expect(counterRate(300, 100, 1)).toBeNull();
    expect(counterRate(2 ** 53, 5, 1)).toBeNull();
  });

  it('has no rate without two readings or without elapsed time', () => {
    expect(counterRate(null, 100, 1)).toBeNull();
    expect(counterRate(100, null, 1)).toBeNull();
    expect(counterRate(100, 200, 0)).toBeNull();
    expect(counterRate(100, 200, -1)).toBeNull();
    expect(counterRate(100, 200, Number.NaN)).toBeNull();
    expect(counterRate(100, 200, Infinity)).toBeNull();
  });

  it('makes one busy core 100% and two busy cores 200%', () => {
    expect(cpuPercent(10, 11, 1)).toBe(100);
    expect(cpuPercent(10, 12, 1)).toBe(200);
    expect(cpuPercent(1, 1.5, 2)).toBe(25);
    expect(cpuPercent(12, 10, 1)).toBeNull();
    expect(cpuPercent(null, 10, 1)).toBeNull();
  });

  it('clamps', () => {
    expect(clamp(5, 0, 10)).toBe(5);
    expect(clamp(-1, 0, 10)).toBe(0);
    expect(clamp(11, 0, 10)).toBe(10);
  });
});

describe('Ring', () => {
  it('keeps the newest values once it wraps, oldest first', () => {
    const r = new Ring(3);
    expect(r.length).toBe(0);
    expect(r.last()).toBeUndefined();
    expect(r.toArray()).toEqual([]);
    for (const v of [1, 2, 3, 4, 5]) r.push(v);
    expect(r.capacity).toBe(3);
    expect(r.length).toBe(3);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.last()).toBe(5);
    expect(r.lastN(2)).toEqual([4, 5]);
    expect(r.lastN(10)).toEqual([3, 4, 5]);
    expect(r.lastN(0)).toEqual([]);
    expect(r.lastN(-1)).toEqual([]);
    expect(r.fromEnd(2)).toBe(3);
    expect(r.fromEnd(3)).toBeUndefined();
    r.push(6);
    expect(r.toArray()).toEqual([4, 5, 6]);
  });

  it('holds NaN for unknown values', () => {
    const r = new Ring(2);
    r.push(Number.NaN);
    r.push(1);
    expect(r.toArray()).toEqual([Number.NaN, 1]);
  });

  it('resizes keeping the newest values', () => {
    const r = new Ring(4);
    for (const v of [1, 2, 3, 4, 5]) r.push(v);
    expect(r.resized(2).toArray()).toEqual([4, 5]);
    const bigger = r.resized(6);
    expect(bigger.toArray()).toEqual([2, 3, 4, 5]);
    bigger.push(6);
    bigger.push(7);
    bigger.push(8);
    expect(bigger.toArray()).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('clears', () => {
    const r = new Ring(2);
    r.push(1);
    r.clear();
    expect(r.length).toBe(0);
    expect(r.toArray()).toEqual([]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new Ring(0)).toThrow(RangeError);
    expect(() => new Ring(1.5)).toThrow(RangeError);
  });
});
