import * as fs from 'node:fs';
import * as path from 'node:path';
import { systemClock, type Clock } from '../base/clock.js';
import type { Disposable } from '../base/disposable.js';
import type { ContainerBackend, Freezable } from '../core/backend.js';
import type { ContainerInfo, ContainerSummary } from '../core/container.js';
import { LxcdeckError } from '../core/errors.js';
import { validateContainerName } from '../core/names.js';
import { isActive, parseState, type ContainerState } from '../core/state.js';
import { readAddresses } from '../host/addresses.js';
import { containerCgroupDirs, hierarchyLabel, type CgroupHost, type Hierarchy, type StartPlacement } from '../host/cgroups.js';
import { counterFiles, readTotals } from '../metrics/readers.js';
import { freezerFiles, requestFreezer, waitForFreezer, type FreezerFiles } from '../host/freezer.js';
import type { HostFs } from '../host/hostfs.js';
import type { HelperRunner } from './helper.js';
import { ContainerLister, readConfigFacts, type ListOptions } from './lister.js';
import { callAsync, consoleLog, type ContainerHandle, type NativeLib } from './native.js';

/** Enough for a few screens of boot messages; liblxc rounds it to pages. */
export const CONSOLE_BUFFER_SIZE = '128k';

export interface LiblxcBackendDeps {
  lib: NativeLib;
  lxcpath: string;
  fs: HostFs;
  cgroups: CgroupHost;
  helper: HelperRunner;
  /** Decided lazily: only unprivileged starts and attaches need it. */
  placement: () => StartPlacement;
  clock?: Clock;
}

/**
 * ContainerBackend over liblxc: in-process FFI for calls that do not fork
 * (waiting ones on koffi's worker thread), the helper for the ones that do,
 * and cgroup/proc files for metrics, addresses and freezer confirmation.
 */
export class LiblxcBackend implements ContainerBackend, Freezable, Disposable {
  private readonly clock: Clock;
  private readonly lister: ContainerLister;

  constructor(private readonly deps: LiblxcBackendDeps) {
    this.clock = deps.clock ?? systemClock;
    this.lister = new ContainerLister(deps.lib, deps.lxcpath, deps.cgroups);
  }

  dispose(): void {
    this.lister.dispose();
  }

  get lxcpath(): string {
    return this.deps.lxcpath;
  }

  list(options: ListOptions = {}): ContainerSummary[] {
    return this.lister.list(options);
  }

  private cgroupDirs(name: string, pid: number): Map<Hierarchy, string> {
    const text = this.deps.fs.read(`/proc/${pid}/cgroup`);
    return text ? containerCgroupDirs(this.deps.cgroups, text, name) : new Map();
  }

  info(name: string): ContainerInfo {
    return this.withHandle(name, (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      const pid = isActive(state) ? lib.lxcdeck_init_pid(c) : -1;
      const item = (key: string) => lib.lxcdeck_get_config_item(c, key) ?? '';
      const idmap = item('lxc.idmap').split('\n').filter(Boolean);
      const dirs = pid > 0 ? this.cgroupDirs(name, pid) : new Map<Hierarchy, string>();
      const cgroups: Record<string, string> = {};
      for (const [h, dir] of dirs) cgroups[hierarchyLabel(h)] = dir;
      const live =
        pid > 0
          ? { ...readAddresses(this.deps.fs, pid), ...readTotals(counterFiles(this.deps.cgroups.layout, dirs), this.deps.fs.read) }
          : { ipv4: [], ipv6: [], memoryBytes: null, cpuSeconds: null };
      return {
        name,
        state,
        pid: pid > 0 ? pid : null,
        ...readConfigFacts(lib, c),
        ...live,
        lxcpath: this.lxcpath,
        configFile: lib.lxcdeck_config_file_name(c) ?? '',
        rootfs: item('lxc.rootfs.path'),
        idmap,
        cgroups,
        hostInterfaces: pid > 0 ? this.vethPeers(c, lib) : [],
        consoleBufferSize: item('lxc.console.buffer.size').trim(),
      };
    });
  }

  /** Whether liblxc knows a container of this name in the lxcpath (defined, running or not). */
  isDefined(name: string): boolean {
    return (this.deps.lib.lxcdeck_list(this.lxcpath, 0) ?? '').split('\n').includes(name);
  }

  /** The liblxc version in use (doctor and the bench print it). */
  lxcVersion(): string {
    return this.deps.lib.lxcdeck_lxc_version();
  }

  /** Host-side names of a running container's veth interfaces. */
  hostInterfaces(name: string): string[] {
    return this.withHandle(name, (c, lib) => this.vethPeers(c, lib));
  }

  private vethPeers(c: ContainerHandle, lib: NativeLib): string[] {
    const out: string[] = [];
    // `lxc.net` lists one network type per index
    (lib.lxcdeck_get_config_item(c, 'lxc.net') ?? '')
      .split('\n')
      .filter(Boolean)
      .forEach((type, idx) => {
        if (type.trim() !== 'veth') return;
        const pair = lib.lxcdeck_get_running_config_item(c, `lxc.net.${idx}.veth.pair`);
        if (pair) out.push(pair.trim());
      });
    return out;
  }

  /** Init pid and cgroup directories of a running container, as of the last list(). */
  runtimeOf(name: string): { pid: number; dirs: Map<Hierarchy, string> } | null {
    return this.lister.runtimeOf(name);
  }

  /** What the container printed on its console so far (its ring buffer), or null when it has none. */
  async consoleLog(name: string): Promise<Buffer | null> {
    return this.withHandleAsync(name, async (c, lib) => {
      this.requireDefined(c, name);
      if (!lib.lxcdeck_is_running(c)) return null;
      const log = await consoleLog(lib, c, false);
      if (log !== null) return log;
      // liblxc fails an empty ring buffer (ENODATA; each read also empties it) as
      // it fails a missing one: the running container says whether it keeps one
      const size = await new Promise<string | null>((resolve) =>
        (lib.lxcdeck_get_running_config_item as unknown as { async(...a: unknown[]): void }).async(c, 'lxc.console.buffer.size', (err: unknown, v: string | null) => resolve(err ? null : v)),
      );
      return size && size.trim() !== '0' ? Buffer.alloc(0) : null;
    });
  }

  /**
   * Gives the container a console ring buffer (lxc.console.buffer.size) so a
   * console opened later can show what was printed before; from its next start.
   */
  enableConsoleBuffer(name: string, size = CONSOLE_BUFFER_SIZE): void {
    this.withHandle(name, (c, lib) => {
      this.requireDefined(c, name);
      if (lib.lxcdeck_set_config_item(c, 'lxc.console.buffer.size', size) !== 0)
        throw new LxcdeckError('invalid-argument', `liblxc rejected lxc.console.buffer.size = ${size}`, 'use a size such as 128k or auto');
      saveConfigAtomically(lib, c, name);
    });
  }

  state(name: string): ContainerState {
    return this.withHandle(name, (c, lib) => {
      this.requireDefined(c, name);
      return parseState(lib.lxcdeck_state(c));
    });
  }

  async start(name: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    const unprivileged = this.withHandle(name, (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      if (state !== 'STOPPED') throw wrongState(name, state, 'is already running', state === 'FROZEN' ? `thaw it with 'lxcdeck thaw ${name}'` : undefined);
      return (lib.lxcdeck_get_config_item(c, 'lxc.idmap') ?? '') !== '' || process.getuid?.() !== 0;
    });
    let prefix: string[] = [];
    if (unprivileged) {
      const placement = this.deps.placement();
      if (placement.kind === 'refuse') throw new LxcdeckError('no-delegated-cgroup', `cannot start ${name}: ${placement.reason}`, placement.fix);
      if (placement.kind === 'systemd-scope') prefix = placement.prefix;
    }
    await this.deps.helper.run('start', [name, this.lxcpath, String(options.timeoutSeconds ?? 30)], { prefix });
  }

  async stop(name: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    const timeout = options.timeoutSeconds ?? 30;
    await this.withHandleAsync(name, async (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      if (!isActive(state)) throw wrongState(name, state, 'is not running');
      // a frozen init cannot receive the halt signal
      if (state === 'FROZEN' || state === 'FREEZING') await this.thawHandle(name, c, lib, 5000);
      const clean = timeout > 0 && (await callAsync(lib.lxcdeck_shutdown, c, timeout)) === 0;
      if (!clean) await callAsync(lib.lxcdeck_stop, c);
      await this.waitStopped(name, c, lib);
    });
  }

  async kill(name: string): Promise<void> {
    await this.withHandleAsync(name, async (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      if (!isActive(state)) throw wrongState(name, state, 'is not running');
      if (state === 'FROZEN' || state === 'FREEZING') await this.thawHandle(name, c, lib, 5000);
      if ((await callAsync(lib.lxcdeck_stop, c)) !== 0) throw new LxcdeckError('liblxc-failed', `liblxc failed to kill ${name}`, 'see the liblxc log for details');
      await this.waitStopped(name, c, lib);
    });
  }

  private async waitStopped(name: string, c: ContainerHandle, lib: NativeLib): Promise<void> {
    if ((await callAsync(lib.lxcdeck_wait, c, 'STOPPED', 10)) !== 0 && parseState(lib.lxcdeck_state(c)) !== 'STOPPED')
      throw new LxcdeckError('timeout', `${name} did not reach STOPPED within 10 s`, `try 'lxcdeck kill ${name}'`);
  }

  async freeze(name: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 5000;
    await this.withHandleAsync(name, async (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      if (state === 'FROZEN') return;
      if (state !== 'RUNNING' && state !== 'FREEZING') throw wrongState(name, state, 'is not running', `start it first with 'lxcdeck start ${name}'`);
      const files = this.freezerOf(name, lib.lxcdeck_init_pid(c));
      if (files.version === 1) {
        // The kernel does the freezing: write freezer.state ourselves and poll,
        // instead of liblxc's loop that sleeps a whole second while FREEZING.
        requestFreezer(files, true);
        if (!(await waitForFreezer(files, 'FROZEN', timeoutMs, this.clock))) {
          requestFreezer(files, false);
          throw stuckFreezing(name, timeoutMs);
        }
      }
      // liblxc keeps its own state in the monitor (lxc-info asks it), so it
      // records the freeze; on v1 it finds the cgroup already FROZEN and does
      // not sleep, on v2 it freezes event-based.
      if ((await callAsync(lib.lxcdeck_freeze, c)) !== 0)
        throw new LxcdeckError('liblxc-failed', `liblxc failed to freeze ${name}`, `check that ${name} has its own cgroup ('lxcdeck doctor')`);
      if (!(await waitForFreezer(files, 'FROZEN', timeoutMs, this.clock))) {
        await this.thawHandle(name, c, lib, timeoutMs);
        throw stuckFreezing(name, timeoutMs);
      }
    });
  }

  async thaw(name: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.withHandleAsync(name, async (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      if (state === 'RUNNING') return;
      if (state !== 'FROZEN' && state !== 'FREEZING') throw wrongState(name, state, 'is not frozen');
      await this.thawHandle(name, c, lib, options.timeoutMs ?? 5000);
    });
  }

  private async thawHandle(name: string, c: ContainerHandle, lib: NativeLib, timeoutMs: number): Promise<void> {
    const files = this.freezerOf(name, lib.lxcdeck_init_pid(c));
    if (files.version === 1) {
      requestFreezer(files, false);
      if (!(await waitForFreezer(files, 'THAWED', timeoutMs, this.clock))) throw thawTimeout(name, timeoutMs);
    }
    if ((await callAsync(lib.lxcdeck_unfreeze, c)) !== 0) throw new LxcdeckError('liblxc-failed', `liblxc failed to thaw ${name}`);
    if (!(await waitForFreezer(files, 'THAWED', timeoutMs, this.clock))) throw thawTimeout(name, timeoutMs);
  }

  private freezerOf(name: string, pid: number): FreezerFiles {
    const files = pid > 0 ? freezerFiles(this.cgroupDirs(name, pid)) : null;
    if (!files) throw new LxcdeckError('internal', `cannot find the freezer cgroup of ${name}`, "run 'lxcdeck doctor'");
    return files;
  }

  private requireDefined(c: ContainerHandle, name: string): void {
    if (!this.deps.lib.lxcdeck_is_defined(c))
      throw new LxcdeckError('not-defined', `container ${name} is not defined in ${this.lxcpath}`, "see 'lxcdeck ls', or pass --lxcpath");
  }

  private open(name: string): ContainerHandle {
    validateContainerName(name);
    const c = this.deps.lib.lxcdeck_open(name, this.lxcpath);
    if (!c) throw new LxcdeckError('liblxc-failed', `liblxc could not open ${name} in ${this.lxcpath}`, 'check that the lxcpath is readable');
    return c;
  }

  private withHandle<T>(name: string, fn: (c: ContainerHandle, lib: NativeLib) => T): T {
    const c = this.open(name);
    try {
      return fn(c, this.deps.lib);
    } finally {
      this.deps.lib.lxcdeck_close(c);
    }
  }

  private async withHandleAsync<T>(name: string, fn: (c: ContainerHandle, lib: NativeLib) => Promise<T>): Promise<T> {
    const c = this.open(name);
    try {
      return await fn(c, this.deps.lib);
    } finally {
      this.deps.lib.lxcdeck_close(c);
    }
  }
}

/** liblxc truncates and rewrites the config in place: save beside it and rename over instead. */
function saveConfigAtomically(lib: NativeLib, c: ContainerHandle, name: string): void {
  const file = lib.lxcdeck_config_file_name(c);
  if (!file) throw new LxcdeckError('liblxc-failed', `liblxc does not know the config file of ${name}`);
  const tmp = `${file}.lxcdeck-${process.pid}`;
  if (lib.lxcdeck_save_config(c, tmp) !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new LxcdeckError('liblxc-failed', `liblxc could not save the config of ${name}`, `check that ${path.dirname(file)} is writable`);
  }
  fs.renameSync(tmp, file);
}

function wrongState(name: string, state: ContainerState, what: string, fix?: string): LxcdeckError {
  return new LxcdeckError('wrong-state', `container ${name} ${what} (state ${state})`, fix);
}

function stuckFreezing(name: string, timeoutMs: number): LxcdeckError {
  return new LxcdeckError(
    'timeout',
    `${name} stayed FREEZING for ${timeoutMs} ms (a task stuck in uninterruptible sleep?) and was thawed back`,
    `retry 'lxcdeck freeze ${name}' once its I/O settles`,
  );
}

function thawTimeout(name: string, timeoutMs: number): LxcdeckError {
  return new LxcdeckError('timeout', `${name} did not thaw within ${timeoutMs} ms`, `retry with 'lxcdeck thaw ${name}'`);
}
