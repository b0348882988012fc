import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable } from '../base/disposable.js';
import type { ContainerSummary } from '../core/container.js';
import { LxcdeckError } from '../core/errors.js';
import { parseState, type ContainerState } from '../core/state.js';
import { readAddresses } from '../host/addresses.js';
import { compareNames } from '../host/collation.js';
import { containerCgroupDirs, type CgroupHost, type Hierarchy } from '../host/cgroups.js';
import { KeptFileReader } from '../host/filereader.js';
import { freezerFiles, parseFreezerState, type FreezerFiles } from '../host/freezer.js';
import { realHostFs, type HostFs } from '../host/hostfs.js';
import { counterFiles, readTotals, type CounterFiles } from '../metrics/readers.js';
import type { ContainerHandle, NativeLib } from './native.js';

interface ConfigFacts {
  mtimeMs: number;
  /** performance.now() of the last mtime check. */
  checkedAt: number;
  unprivileged: boolean;
  autostart: boolean;
  groups: string[];
}

interface Runtime {
  pid: number;
  /**
   * A per-process file kept open from the first look at the process: reading it
   * through that descriptor fails once that process is gone, even if its pid
   * is reused (the descriptor belongs to the process, not the number), and
   * costs a fraction of regenerating /proc/<pid>/stat every tick.
   */
  alive: string;
  state: ContainerState;
  dirs: Map<Hierarchy, string>;
  freezer: FreezerFiles | null;
  counters: CounterFiles;
  addresses?: { at: number; ipv4: string[]; ipv6: string[] };
}

// States that only liblxc's monitor knows; re-ask it while one lasts.
const TRANSIENT: ReadonlySet<ContainerState> = new Set(['STARTING', 'STOPPING', 'ABORTING']);

/** What a listing shows from a container's config: one reading for ls, info and the TUI. */
export function readConfigFacts(lib: NativeLib, c: ContainerHandle): { unprivileged: boolean; autostart: boolean; groups: string[] } {
  const item = (key: string) => lib.lxcdeck_get_config_item(c, key) ?? '';
  return {
    unprivileged: item('lxc.idmap') !== '',
    autostart: item('lxc.start.auto').trim() === '1',
    groups: item('lxc.group').split('\n').map((g) => g.trim()).filter(Boolean),
  };
}

/** How a list() may reuse what earlier calls read. */
export interface ListOptions {
  active?: boolean;
  /** Re-read a running container's addresses when older than this (default 0: every list). */
  addressesMaxAgeMs?: number;
  /** Read CPU and memory totals (default true). */
  totals?: boolean;
  /**
   * A refresh loop's allowance (default 0: ask every time): liblxc's list of
   * defined containers is re-asked only when the lxcpath directory changed
   * (a container created, renamed or destroyed), in the few seconds after,
   * or when older than this; each config's mtime is checked at most this often.
   */
  definedMaxAgeMs?: number;
  /**
   * On the first look at a running container, take its state from the freezer
   * cgroup (RUNNING, FREEZING, FROZEN) instead of asking liblxc, whose state
   * call re-reads the host's cgroup layout each time (~1 ms per container,
   * most of a cold `ls`). A container STARTING or STOPPING with its init
   * alive then shows as RUNNING. Default false.
   */
  stateFromCgroup?: boolean;
}

/** After the lxcpath changes, keep re-listing this long: lxc-create writes the config after the directory. */
const SETTLE_MS = 5000;

/**
 * Lists containers the way a refresh needs it: liblxc names the containers
 * and which are active; a running container's state and init pid are asked
 * from liblxc once, then kept while /proc/<pid>/stat shows the same process,
 * with FROZEN/FREEZING read from the freezer cgroup. Config facts are re-read
 * only when the config file changes, and every per-tick file stays open.
 */
export class ContainerLister implements Disposable {
  private readonly configs = new Map<string, ConfigFacts>();
  private defined: { names: string[]; at: number; dirMtimeMs: number; changedAt: number } | null = null;
  private readonly runtimes = new Map<string, Runtime>();
  /** State and init pid asked with the handle a config read opened anyway (this list() only). */
  private readonly asked = new Map<string, { state: ContainerState; pid: number; fromCgroup?: boolean }>();
  private readonly reader = new KeptFileReader();
  private readonly keptFs: HostFs;
  private stateFromCgroup = false;

  constructor(
    private readonly lib: NativeLib,
    private readonly lxcpath: string,
    private readonly cgroups: CgroupHost,
  ) {
    this.keptFs = { ...realHostFs, read: (p) => this.reader.read(p) };
  }

  list(options: ListOptions = {}): ContainerSummary[] {
    const maxAge = options.definedMaxAgeMs ?? 0;
    this.stateFromCgroup = options.stateFromCgroup ?? false;
    const now = performance.now();
    const all = this.definedNames(maxAge);
    const active = new Set(this.names(1));
    // First every liblxc call, then every file read: interleaving them made
    // lxc_container_new several times slower in a cold process.
    const wanted = [...new Set([...all, ...active])].filter((n) => !options.active || active.has(n));
    const known = wanted.flatMap((name) => {
      const facts = this.configFacts(name, maxAge, active.has(name), now);
      return facts ? [{ name, facts, isActive: active.has(name) }] : [];
    });
    const runtimes = new Map(known.map(({ name, isActive }) => [name, isActive ? this.runtime(name) : this.drop(name)]));
    const rows: ContainerSummary[] = known.map(({ name, facts, isActive }) => {
      const rt = runtimes.get(name) ?? null;
      return {
        name,
        state: rt?.state ?? (isActive ? 'RUNNING' : 'STOPPED'),
        pid: rt?.pid ?? null,
        unprivileged: facts.unprivileged,
        autostart: facts.autostart,
        groups: facts.groups,
        ...(rt ? this.addresses(rt, options.addressesMaxAgeMs ?? 0) : { ipv4: [], ipv6: [] }),
        ...(rt && options.totals !== false ? readTotals(rt.counters, this.keptFs.read) : { memoryBytes: null, cpuSeconds: null }),
      };
    });
    this.asked.clear();
    for (const name of [...this.configs.keys()]) if (!all.includes(name)) this.forgetContainer(name);
    return rows.sort((a, b) => compareNames(a.name, b.name));
  }

  private addresses(rt: Runtime, maxAgeMs: number): { ipv4: string[]; ipv6: string[] } {
    const now = performance.now();
    if (!rt.addresses || now - rt.addresses.at >= maxAgeMs) rt.addresses = { at: now, ...readAddresses(this.keptFs, rt.pid) };
    return { ipv4: rt.addresses.ipv4, ipv6: rt.addresses.ipv6 };
  }

  /** The cached init pid and cgroups of a running container (after a list()). */
  runtimeOf(name: string): { pid: number; dirs: Map<Hierarchy, string> } | null {
    const rt = this.runtimes.get(name);
    return rt ? { pid: rt.pid, dirs: rt.dirs } : null;
  }

  /** liblxc's defined containers, re-asked as ListOptions.definedMaxAgeMs says. */
  private definedNames(maxAgeMs: number): string[] {
    const now = performance.now();
    let dirMtimeMs = -1;
    if (maxAgeMs > 0) {
      try {
        dirMtimeMs = fs.statSync(this.lxcpath).mtimeMs;
      } catch {
        /* gone or unreadable: liblxc says what it can */
      }
    }
    const d = this.defined;
    if (d && dirMtimeMs >= 0 && d.dirMtimeMs === dirMtimeMs && now - d.changedAt >= SETTLE_MS && now - d.at < maxAgeMs) return d.names;
    const names = this.names(0);
    this.defined = { names, at: now, dirMtimeMs, changedAt: d && d.dirMtimeMs === dirMtimeMs ? d.changedAt : now };
    return names;
  }

  private names(which: 0 | 1): string[] {
    const text = this.lib.lxcdeck_list(this.lxcpath, which);
    if (text === null) throw new LxcdeckError('liblxc-failed', `liblxc could not list containers in ${this.lxcpath}`, 'check that the lxcpath exists and is readable');
    return text.split('\n').filter(Boolean);
  }

  private configFacts(name: string, maxAgeMs: number, isActive: boolean, now: number): ConfigFacts | null {
    const cached = this.configs.get(name);
    if (cached && cached.mtimeMs >= 0 && now - cached.checkedAt < maxAgeMs) return cached;
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(path.join(this.lxcpath, name, 'config')).mtimeMs;
    } catch {
      mtimeMs = -1; // active but defined elsewhere: ask liblxc every time
    }
    if (cached && cached.mtimeMs === mtimeMs && mtimeMs >= 0) {
      cached.checkedAt = now;
      return cached;
    }
    const c = this.lib.lxcdeck_open(name, this.lxcpath);
    if (!c) return null;
    try {
      const facts = { mtimeMs, checkedAt: now, ...readConfigFacts(this.lib, c) };
      this.configs.set(name, facts);
      // a first listing opens every container here: ask what runtime() will need now, not with a second open
      if (isActive && !this.runtimes.has(name)) this.asked.set(name, this.askState(c));
      return facts;
    } finally {
      this.lib.lxcdeck_close(c);
    }
  }

  private runtime(name: string): Runtime | null {
    const rt = this.runtimes.get(name);
    if (rt && !TRANSIENT.has(rt.state) && this.reader.read(rt.alive) !== null) {
      if (rt.freezer) rt.state = this.freezerState(rt.freezer, rt.state);
      return rt;
    }
    if (rt) this.drop(name);
    return this.askLiblxc(name);
  }

  private freezerState(f: FreezerFiles, previous: ContainerState): ContainerState {
    const text = this.reader.read(f.version === 1 ? f.state : f.events);
    if (text === null) return previous;
    const requested = f.version === 2 ? (this.reader.read(f.freeze) ?? undefined) : undefined;
    const s = parseFreezerState(f, text, requested);
    return s === 'THAWED' ? 'RUNNING' : s;
  }

  /** State and init pid; `fromCgroup`: the state is to be read from the freezer (stateFromCgroup). */
  private askState(c: ContainerHandle): { state: ContainerState; pid: number; fromCgroup?: boolean } {
    if (this.stateFromCgroup) {
      const pid = this.lib.lxcdeck_init_pid(c);
      if (pid > 0) return { state: 'RUNNING', pid, fromCgroup: true };
    }
    const state = parseState(this.lib.lxcdeck_state(c));
    return { state, pid: state === 'STOPPED' ? -1 : this.lib.lxcdeck_init_pid(c) };
  }

  private askLiblxc(name: string): Runtime | null {
    let answer = this.asked.get(name);
    this.asked.delete(name);
    if (!answer) {
      const c = this.lib.lxcdeck_open(name, this.lxcpath);
      if (!c) return null;
      try {
        answer = this.askState(c);
      } finally {
        this.lib.lxcdeck_close(c);
      }
    }
    const { pid } = answer;
    if (pid <= 0) return null;
    const alive = `/proc/${pid}/oom_score_adj`;
    // opened first: the cgroup read after it is of the same process
    if (this.reader.read(alive) === null) return null;
    const cg = this.reader.read(`/proc/${pid}/cgroup`);
    if (!cg) return null;
    const dirs = containerCgroupDirs(this.cgroups, cg, name);
    const freezer = freezerFiles(dirs);
    const state = answer.fromCgroup && freezer ? this.freezerState(freezer, answer.state) : answer.state;
    const rt: Runtime = { pid, alive, state, dirs, freezer, counters: counterFiles(this.cgroups.layout, dirs) };
    this.runtimes.set(name, rt);
    return rt;
  }

  private drop(name: string): null {
    const rt = this.runtimes.get(name);
    if (rt) {
      this.runtimes.delete(name);
      this.reader.forget(`/proc/${rt.pid}/`, ...[...rt.dirs.values()].map((d) => `${d}/`));
    }
    return null;
  }

  private forgetContainer(name: string): void {
    this.drop(name);
    this.configs.delete(name);
  }

  dispose(): void {
    this.reader.dispose();
    this.runtimes.clear();
    this.configs.clear();
  }
}
