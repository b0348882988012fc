import { refuseUnfinishedShift } from '../host/shiftMarker.js';
import { rootfsDirectory } from './idmaps.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { systemClock, type Clock } from '../base/clock.js';
import type { Disposable } from '../base/disposable.js';
import type { ConfigEditor, ContainerBackend, Freezable } from '../core/backend.js';
import type { ContainerInfo, ContainerSummary } from '../core/container.js';
import type { Plan } from '../core/plan.js';
import { LxcdeckError } from '../core/errors.js';
import { validateContainerName } from '../core/names.js';
import { freezerTruth, isActive, parseState, type ContainerState, type StateDisagreement } from '../core/state.js';
import { readAddresses } from '../host/addresses.js';
import { containerCgroupDirs, hierarchyLabel, type CgroupHost, type Hierarchy, type StartPlacement } from '../host/cgroups.js';
import { counterFiles, readTotals } from '../metrics/readers.js';
import { freezerFiles, readFreezerState, type FreezerFiles, type FreezerState } from '../host/freezer.js';
import { freezeTarget, isFreezerState, thawTarget, type FreezeTarget } from './freezing.js';
import type { HostFs } from '../host/hostfs.js';
import type { HelperRunner } from './helper.js';
import { LiblxcConfigEditor } from './configEdit.js';
import { ContainerLister, readConfigFacts, type ListerMemo, type ListOptions } from './lister.js';
import { callAsync, consoleLog, type ContainerHandle, type NativeLib } from './native.js';

export interface LiblxcBackendDeps {
  lib: NativeLib;
  lxcpath: string;
  fs: HostFs;
  cgroups: CgroupHost;
  helper: HelperRunner;
  /** Decided lazily: only unprivileged starts and attaches need it. */
  placement: () => StartPlacement;
  clock?: Clock;
  /** Told just before each start, stop, kill, freeze and thaw (lxcdeck's record of who changed a container). */
  onAction?: (verb: 'start' | 'stop' | 'kill' | 'freeze' | 'thaw', name: string) => void;
  /** False: the listing reads each file once and keeps no descriptor (a one-shot CLI listing). */
  keepFiles?: boolean;
}

/**
 * ContainerBackend over liblxc: in-process FFI for calls that do not fork
 * (waiting ones on koffi's worker thread), the helper for the ones that do,
 * and cgroup/proc files for metrics, addresses and freezer confirmation.
 */
export class LiblxcBackend implements ContainerBackend, Freezable, ConfigEditor, Disposable {
  private readonly clock: Clock;
  private readonly lister: ContainerLister;
  readonly configEditor: LiblxcConfigEditor;

  constructor(private readonly deps: LiblxcBackendDeps) {
    this.clock = deps.clock ?? systemClock;
    this.lister = new ContainerLister(deps.lib, deps.lxcpath, deps.cgroups, { keepFiles: deps.keepFiles });
    this.configEditor = new LiblxcConfigEditor(deps.lib, deps.lxcpath);
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

  /** What this backend's listing knows, for the next process's (see ListerMemo). */
  listerMemo(): ListerMemo {
    return this.lister.memo();
  }

  /** Takes an earlier process's listing memo, before the first list(). */
  seedLister(memo: ListerMemo): void {
    this.lister.seed(memo);
  }

  private cgroupDirs(name: string, pid: number): Map<Hierarchy, string> {
    const text = this.deps.fs.read(`/proc/${pid}/cgroup`);
    return text ? containerCgroupDirs(this.deps.cgroups, text, name) : new Map();
  }

  info(name: string): ContainerInfo {
    return this.withHandle(name, (c, lib) => {
      this.requireDefined(c, name);
      const liblxc = parseState(lib.lxcdeck_state(c));
      const pid = isActive(liblxc) ? lib.lxcdeck_init_pid(c) : -1;
      const item = (key: string) => lib.lxcdeck_get_config_item(c, key) ?? '';
      const idmap = item('lxc.idmap').split('\n').filter(Boolean);
      const dirs = pid > 0 ? this.cgroupDirs(name, pid) : new Map<Hierarchy, string>();
      const { state, disagreement } = freezerTruth(liblxc, cgroupFreezerState(dirs));
      const cgroups: Record<string, string> = {};
      for (const [h, dir] of dirs) cgroups[hierarchyLabel(h)] = dir;
      const live =
        pid > 0
          ? { ...readAddresses(this.deps.fs, pid), ...readTotals(counterFiles(this.deps.cgroups.layout, dirs), this.deps.fs.read) }
          : { ipv4: [], ipv6: [], memoryBytes: null, cpuSeconds: null };
      return {
        name,
        state,
        ...(disagreement ? { disagreement } : {}),
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

  /** The plan that sets lxc.console.buffer.size (default 128kB; null removes it), from the next start. */
  consoleBufferPlan(name: string, size?: string | null): Plan {
    return this.configEditor.consoleBufferPlan(name, size);
  }

  /** The container's state, the freezer cgroup's word for running, freezing and frozen (see freezerTruth). */
  state(name: string): ContainerState {
    return this.states(name).state;
  }

  /** state(), with liblxc's word too when it disagrees with the cgroup. */
  states(name: string): { state: ContainerState; disagreement?: StateDisagreement } {
    return this.withHandle(name, (c, lib) => {
      this.requireDefined(c, name);
      return this.truthOf(name, c, lib);
    });
  }

  /** `files`: the freezer cgroup already known (the one a thaw acted on), instead of finding it again from the init pid. */
  private truthOf(name: string, c: ContainerHandle, lib: NativeLib, files?: FreezerFiles): { state: ContainerState; disagreement?: StateDisagreement } {
    const liblxc = parseState(lib.lxcdeck_state(c));
    if (!isActive(liblxc)) return { state: liblxc };
    if (files) return freezerTruth(liblxc, freezerStateOf(files));
    const pid = lib.lxcdeck_init_pid(c);
    return freezerTruth(liblxc, pid > 0 ? cgroupFreezerState(this.cgroupDirs(name, pid)) : null);
  }

  async start(name: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    const unprivileged = this.withHandle(name, (c, lib) => {
      this.requireDefined(c, name);
      const { state } = this.truthOf(name, c, lib);
      if (state !== 'STOPPED')
        throw wrongState(name, state, 'is already running', state === 'FROZEN' || state === 'FREEZING' ? `thaw it with 'lxcdeck thaw ${name}'` : undefined);
      // a rootfs half re-owned by an interrupted idmap shift must not boot
      refuseUnfinishedShift(name, rootfsDirectory(lib.lxcdeck_get_config_item(c, 'lxc.rootfs.path') ?? ''));
      return (lib.lxcdeck_get_config_item(c, 'lxc.idmap') ?? '') !== '' || process.getuid?.() !== 0;
    });
    let prefix: string[] = [];
    if (unprivileged) {
      const placement = this.deps.placement();
      if (placement.kind === 'refuse') throw new LxcdeckError('no-delegated-cgroup', `cannot start ${name}: ${placement.reason}`, placement.fix);
      if (placement.kind === 'systemd-scope') prefix = placement.prefix;
    }
    this.deps.onAction?.('start', name);
    await this.deps.helper.run('start', [name, this.lxcpath, String(options.timeoutSeconds ?? 30)], { prefix });
  }

  async stop(name: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    const timeout = options.timeoutSeconds ?? 30;
    await this.withHandleAsync(name, async (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      if (!isActive(state)) throw wrongState(name, state, 'is not running');
      this.deps.onAction?.('stop', name);
      // a frozen init cannot receive the halt signal (frozen by liblxc or only in the cgroup)
      await this.thawAny(name, c, lib, 5000);
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
      this.deps.onAction?.('kill', name);
      await this.thawAny(name, c, lib, 5000);
      if ((await callAsync(lib.lxcdeck_stop, c)) !== 0) throw new LxcdeckError('liblxc-failed', `liblxc failed to kill ${name}`, 'see the liblxc log for details');
      await this.waitStopped(name, c, lib);
    });
  }

  private async waitStopped(name: string, c: ContainerHandle, lib: NativeLib): Promise<void> {
    if ((await callAsync(lib.lxcdeck_wait, c, 'STOPPED', 10)) !== 0 && parseState(lib.lxcdeck_state(c)) !== 'STOPPED')
      throw new LxcdeckError('timeout', `${name} did not reach STOPPED within 10 s`, `try 'lxcdeck kill ${name}'`);
  }

  async freeze(name: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.busyWith(name, async (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      if (!isFreezerState(state)) throw wrongState(name, state, 'is not running', `start it first with 'lxcdeck start ${name}'`);
      this.deps.onAction?.('freeze', name);
      await freezeTarget(this.target(name, c, lib), state, options.timeoutMs ?? 5000);
    });
  }

  /**
   * Thaws whatever is frozen or half-frozen and leaves liblxc and the cgroup
   * agreeing on RUNNING, also after a freeze or thaw killed half-way.
   */
  async thaw(name: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.busyWith(name, async (c, lib) => {
      this.requireDefined(c, name);
      const state = parseState(lib.lxcdeck_state(c));
      if (!isFreezerState(state)) throw wrongState(name, state, 'is not frozen');
      this.deps.onAction?.('thaw', name);
      const target = this.target(name, c, lib);
      await thawTarget(target, state, options.timeoutMs ?? 5000);
      // on the cgroup the thaw acted on: one init pid round trip less
      const after = this.truthOf(name, c, lib, target.files);
      if (after.disagreement || after.state !== 'RUNNING')
        throw new LxcdeckError('liblxc-failed', `${name} did not thaw cleanly: liblxc says ${after.disagreement?.liblxc ?? after.state}, the cgroup ${after.disagreement?.cgroup ?? after.state}`, `retry 'lxcdeck thaw ${name}', or see 'lxcdeck doctor'`);
    });
  }

  /** Before a stop or kill: a frozen init cannot receive the signal. */
  private async thawAny(name: string, c: ContainerHandle, lib: NativeLib, timeoutMs: number): Promise<void> {
    const state = parseState(lib.lxcdeck_state(c));
    if (isFreezerState(state)) await thawTarget(this.target(name, c, lib), state, timeoutMs);
  }

  private target(name: string, c: ContainerHandle, lib: NativeLib): FreezeTarget {
    return { name, c, lib, files: this.freezerOf(name, lib.lxcdeck_init_pid(c)), clock: this.clock };
  }

  /** A freeze or thaw in this process: the lister does not report its passing disagreement, and asks liblxc again after. */
  private async busyWith<T>(name: string, fn: (c: ContainerHandle, lib: NativeLib) => Promise<T>): Promise<T> {
    this.lister.setBusy(name, true);
    try {
      return await this.withHandleAsync(name, fn);
    } finally {
      this.lister.setBusy(name, false);
    }
  }

  private freezerOf(name: string, pid: number): FreezerFiles {
    const files = pid > 0 ? freezerFiles(this.cgroupDirs(name, pid)) : null;
    if (!files) throw new LxcdeckError('internal', `cannot find the freezer cgroup of ${name}`, "run 'lxcdeck doctor'");
    return files;
  }

  private requireDefined(c: ContainerHandle, name: string): void {
    if (this.deps.lib.lxcdeck_is_defined(c)) return;
    // liblxc says "not defined" for a config it may not read, too (another
    // user's lxcpath, where `ls` still lists the name): tell the two apart
    const config = path.join(this.lxcpath, name, 'config');
    try {
      fs.accessSync(config, fs.constants.R_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM')
        throw new LxcdeckError('permission', `no permission to read container ${name} in ${this.lxcpath} (${config}: ${code})`, `run lxcdeck as the user who owns ${this.lxcpath}, or pass your own --lxcpath`);
    }
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

/** The freezer cgroup's state, or null when there is none or it cannot be read. */
function cgroupFreezerState(dirs: Map<Hierarchy, string>): FreezerState | null {
  const files = freezerFiles(dirs);
  return files ? freezerStateOf(files) : null;
}

/** The freezer cgroup's state, or null when it cannot be read (the container has gone). */
function freezerStateOf(files: FreezerFiles): FreezerState | null {
  try {
    return readFreezerState(files);
  } catch {
    return null;
  }
}


function wrongState(name: string, state: ContainerState, what: string, fix?: string): LxcdeckError {
  return new LxcdeckError('wrong-state', `container ${name} ${what} (state ${state})`, fix);
}
