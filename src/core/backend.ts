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

/** Where running containers sit on the host; `H` is the host's cgroup hierarchy type (opaque here). */
export interface ContainerRuntime<H> {
  /** Init pid and cgroup directories of a running container, as of the last list(). */
  runtimeOf(name: string): { pid: number; dirs: ReadonlyMap<H, string> } | null;
  /** Host-side names of a running container's veth interfaces. */
  hostInterfaces(name: string): string[];
  /** What the container printed on its console so far (its ring buffer), or null when it has none. */
  consoleLog(name: string): Promise<Uint8Array | null>;
}

/** What the create wizard asks for. */
export interface CreateWizardRequest {
  name: string;
  /** A --from spec: busybox, debian[:RELEASE], dir:PATH, tar:FILE, download:..., clone:OTHER. */
  from: string;
  /** dir: only: use the directory itself as the rootfs (no copy). */
  inPlace?: boolean;
  memoryMax?: string;
  start: boolean;
}

/** Builds plans that make containers; the engine checks everything first and throws a one-line LxcdeckError. */
export interface ContainerPlanner {
  createPlan(req: CreateWizardRequest): Promise<Plan>;
  /** Limits (memory/pids/cpu as `lxcdeck limit` takes them): live when running, kept in the config. Run it without a journal. */
  limitPlan(name: string, req: { memoryMax?: string; pidsMax?: string; cpuMax?: string }): Plan;
  /** `lxcdeck clone FROM TO [--snapshot]`: the same checks and create plan (a snapshot clone runs without a journal). */
  clonePlan(from: string, to: string, options: { snapshot: boolean }): Promise<Plan>;
}

/** How to run an interactive program in a pty: the helper for attach and console. */
export interface ProgramLaunch {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Where the launcher's helper reports how the session ended (a side channel, not the exit status). */
  statusFile?: string;
}

/** Starts attach and console sessions; the attached program never gets the caller's terminal. */
export interface TerminalLauncher {
  attach(name: string, options: { command?: string[]; env?: Record<string, string> }): ProgramLaunch;
  console(name: string, options: { tty: number; escape: number }): ProgramLaunch;
  /** Why a session ended when the launcher itself ended it (from its side channel); null for the program's own exit. */
  exitReason(code: number, launched?: ProgramLaunch): string | null;
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
