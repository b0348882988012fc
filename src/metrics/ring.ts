/**
 * A fixed-capacity ring of numbers: pushing past capacity overwrites the
 * oldest. Backed by one Float64Array so a tick's push allocates nothing.
 */
export class Ring {
  private readonly data: Float64Array;
  private head = 0; // next write position
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.data = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    this.data[this.head] = value;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The value `back` places before the newest (0 = newest), or undefined past the oldest. */
  fromEnd(back: number): number | undefined {
    if (!Number.isInteger(back) || back < 0 || back >= this.count) return undefined;
    return this.data[(this.head - 1 - back + this.capacity) % this.capacity];
  }

  last(): number | undefined {
    return this.fromEnd(0);
  }

  /** The newest n values (fewer when the ring holds fewer), oldest first. */
  lastN(n: number): number[] {
    const k = Math.max(0, Math.min(Math.floor(n), this.count));
    const out = new Array<number>(k);
    const start = this.head - k + this.capacity;
    for (let i = 0; i < k; i++) out[i] = this.data[(start + i) % this.capacity] ?? NaN;
    return out;
  }

  toArray(): number[] {
    return this.lastN(this.count);
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** A new ring of another capacity holding the newest values that fit. */
  resized(capacity: number): Ring {
    const r = new Ring(capacity);
    for (const v of this.lastN(capacity)) r.push(v);
    return r;
  }
}
