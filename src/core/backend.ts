import type { ContainerInfo, ContainerSummary } from './container.js';
import type { Plan } from './plan.js';

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

/**
 * Config edits as plans (preview, apply with undo, journal). Building a plan
 * reads the config and validates the values with liblxc; nothing is written
 * until the plan runs. Bad input throws a one-line LxcdeckError.
 */
export interface ConfigEditor {
  /**
   * Gives a container a console ring buffer of `size` ("128kB" by default), or
   * removes it (null), from its next start. One step: a config edit.
   */
  consoleBufferPlan(name: string, size?: string | null): Plan;
}
