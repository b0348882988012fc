import type { ContainerExtras, ContainerExtrasSource } from '../core/details.js';

/**
 * The detail view's snapshots, networks and idmap row for the selected
 * container, cached: a read starts in the background when the selection or
 * its state changes or the value is older than `maxAgeMs`, never on every
 * tick, and at most one read runs at a time. `changed` fires when a read
 * brought something new (the view then renders once).
 */
export class ExtrasCache {
  private entry: { name: string; stamp: string; at: number; value: ContainerExtras | null; text: string } | null = null;
  private pending: string | null = null;

  constructor(
    private readonly source: ContainerExtrasSource | undefined,
    private readonly changed: () => void,
    private readonly now: () => number = Date.now,
    private readonly maxAgeMs = 5000,
  ) {}

  /** What is known about `name` (null until its first read); `stamp` is its state: a new one reads again. */
  get(name: string, stamp: string): ContainerExtras | null {
    if (!this.source) return null;
    const e = this.entry;
    const same = e !== null && e.name === name;
    if (!same || e.stamp !== stamp || this.now() - e.at >= this.maxAgeMs) this.load(name, stamp);
    return same ? e.value : null;
  }

  private load(name: string, stamp: string): void {
    if (this.pending !== null || !this.source) return;
    this.pending = name;
    const at = this.now();
    // a new selection shows nothing stale meanwhile
    if (this.entry?.name !== name) this.entry = { name, stamp, at, value: null, text: '' };
    else Object.assign(this.entry, { stamp, at });
    this.source
      .read(name)
      .then(
        (value) => {
          const e = this.entry;
          if (!e || e.name !== name) return;
          const text = JSON.stringify(value);
          if (text === e.text) return;
          Object.assign(e, { value, text });
          this.changed();
        },
        () => undefined,
      )
      .finally(() => {
        this.pending = null;
      });
  }
}
