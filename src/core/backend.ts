import type { ContainerInfo, ContainerSummary } from './container.js';

/** What every view and command needs from a container engine. */
export interface ContainerBackend {
  readonly lxcpath: string;
  /**
   * addressesMaxAgeMs: reuse addresses read this recently (a TUI refresh; default: read now);
   * totals: false skips memory/CPU totals (the TUI has them from its sampler);
   * definedMaxAgeMs: a refresh loop's allowance for re-asking which containers are defined
   * and re-checking their configs (default: every call; the lxcpath changing re-asks at once).
   */
  list(options?: { active?: boolean; addressesMaxAgeMs?: number; totals?: boolean; definedMaxAgeMs?: number }): ContainerSummary[];
  info(name: string): ContainerInfo;
  start(name: string, options?: { timeoutSeconds?: number }): Promise<void>;
  /** Clean shutdown within the timeout, then kill. */
  stop(name: string, options?: { timeoutSeconds?: number }): Promise<void>;
  kill(name: string): Promise<void>;
}

/** Engines whose containers can be frozen; both calls return once the state is confirmed. */
export interface Freezable {
  freeze(name: string, options?: { timeoutMs?: number }): Promise<void>;
  thaw(name: string, options?: { timeoutMs?: number }): Promise<void>;
}
