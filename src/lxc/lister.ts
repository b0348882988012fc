import * as fs from 'node:fs';
import { monotonicMs } from '../base/clock.js';
import type { Disposable } from '../base/disposable.js';
import type { ContainerSummary } from '../core/container.js';
import { LxcdeckError } from '../core/errors.js';
import { freezerTruth, parseState, type CgroupFreezerState, type ContainerState } from '../core/state.js';
import { readAddresses } from '../host/addresses.js';
import { compareNames } from '../host/collation.js';
import { containerCgroupDirs, type CgroupHost, type Hierarchy } from '../host/cgroups.js';
import { KeptFileReader } from '../host/filereader.js';
import { freezerFiles, parseFreezerState, type FreezerFiles } from '../host/freezer.js';
import { realHostFs, type HostFs } from '../host/hostfs.js';
import { counterFiles, readTotals, type CounterFiles } from '../metrics/readers.js';
import type { ContainerHandle, NativeLib } from './native.js';
import { primeFirstLooks, type FirstLook } from './firstLook.js';
import { probeContainers } from './probe.js';

interface ConfigFacts {
  mtimeMs: number;
  /** monotonicMs() of the last mtime check. */
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
  /** liblxc's state as last asked (re-asked when the cgroup's changes, see runtime()). */
  liblxc: ContainerState;
  liblxcAt: number;
  /** The freezer cgroup's state as last read; null without a freezer. */
  cgroup: CgroupFreezerState | null;
  dirs: Map<Hierarchy, string>;
  freezer: FreezerFiles | null;
  counters: CounterFiles;
  addresses?: { at: number; ipv4: string[]; ipv6: string[] };
}

// States that only liblxc's monitor knows; re-ask it while one lasts.
const TRANSIENT: ReadonlySet<ContainerState> = new Set(['STARTING', 'STOPPING', 'ABORTING']);
/** While liblxc and the cgroup disagree, liblxc is re-asked this often (another tool may be mid-freeze). */
const DISAGREEMENT_RECHECK_MS = 2000;

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
}

/**
 * What one process's listing leaves for the next one's (the CLI's `ls` and
 * the workstation's first frame, kept between runs by src/lxc/listMemo.ts):
 * the config facts, by config mtime, so a stopped container's config is not
 * parsed again. A running container's state and pid are always liblxc's own
 * answer: between two runs its monitor's state can change with the freezer
 * cgroup back where it was (a freeze, then a thaw by hand or killed half-way).
 */
export interface ListerMemo {
  configs: Record<string, { mtimeMs: number; unprivileged: boolean; autostart: boolean; groups: string[] }>;
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
  private readonly asked = new Map<string, { state: ContainerState; pid: number }>();
  /** What this list()'s batch read of first looks found, by pid (src/lxc/firstLook.ts). */
  private firstLooks = new Map<number, FirstLook>();
  private readonly reader: KeptFileReader;
  private readonly keptFs: HostFs;
  /** Containers this process is freezing or thawing right now: their passing disagreement is not news. */
  private readonly busy = new Set<string>();
  /** Containers whose liblxc state must be re-asked at the next list (after our own freeze or thaw). */
  private readonly stale = new Set<string>();

  constructor(
    private readonly lib: NativeLib,
    private readonly lxcpath: string,
    private readonly cgroups: CgroupHost,
    /** keepFiles false: a one-shot listing (the CLI's ls) keeps no descriptor open. */
    options: { keepFiles?: boolean } = {},
  ) {
    this.reader = new KeptFileReader({ keep: options.keepFiles });
    this.keptFs = { ...realHostFs, read: (p) => this.reader.read(p) };
  }

  list(options: ListOptions = {}): ContainerSummary[] {
    const maxAge = options.definedMaxAgeMs ?? 0;
    const now = monotonicMs();
    const all = this.definedNames(maxAge);
    const active = new Set(this.names(1));
    // First every liblxc call, then every file read: interleaving them made
    // lxc_container_new several times slower in a cold process.
    const wanted = [...new Set([...all, ...active])].filter((n) => !options.active || active.has(n));
    this.prefetch(wanted, active, now);
    const looks = [...this.asked].filter(([n, a]) => a.pid > 0 && !this.runtimes.has(n)).map(([name, a]) => ({ name, pid: a.pid }));
    this.firstLooks = primeFirstLooks(this.lib, this.reader, this.cgroups, looks, { totals: options.totals !== false });
    const known = wanted.flatMap((name) => {
      const facts = this.configFacts(name, maxAge, active.has(name), now);
      return facts ? [{ name, facts, isActive: active.has(name) }] : [];
    });
    const runtimes = new Map(known.map(({ name, isActive }) => [name, isActive ? this.runtime(name) : this.drop(name)]));
    const rows: ContainerSummary[] = known.map(({ name, facts, isActive }) => {
      const rt = runtimes.get(name) ?? null;
      const truth = rt ? freezerTruth(rt.liblxc, rt.cgroup) : null;
      return {
        name,
        state: truth?.state ?? (isActive ? 'RUNNING' : 'STOPPED'),
        ...(truth?.disagreement && !this.busy.has(name) ? { disagreement: truth.disagreement } : {}),
        pid: rt?.pid ?? null,
        unprivileged: facts.unprivileged,
        autostart: facts.autostart,
        groups: facts.groups,
        ...(rt ? this.addresses(rt, options.addressesMaxAgeMs ?? 0) : { ipv4: [], ipv6: [] }),
        ...(rt && options.totals !== false ? readTotals(rt.counters, this.keptFs.read) : { memoryBytes: null, cpuSeconds: null }),
      };
    });
    this.asked.clear();
    this.firstLooks.clear();
    this.reader.dropPrimed();
    for (const name of [...this.configs.keys()]) if (!all.includes(name)) this.forgetContainer(name);
    return rows.sort((a, b) => compareNames(a.name, b.name));
  }

  private addresses(rt: Runtime, maxAgeMs: number): { ipv4: string[]; ipv6: string[] } {
    const now = monotonicMs();
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
    const now = monotonicMs();
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
    // checked at `now`: this list()'s prefetch stat'ed it a moment ago
    if (cached && cached.mtimeMs >= 0 && (cached.checkedAt === now || now - cached.checkedAt < maxAgeMs)) return cached;
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(this.configFile(name)).mtimeMs;
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

  /** Without path.join's normalising: a listing stats every container's config (liblxc names only valid names). */
  private configFile(name: string): string {
    return `${this.lxcpath}/${name}/config`;
  }

  /** A cold listing (the CLI's, the TUI's first) asks liblxc about all the containers it never read in one native call. */
  private prefetch(names: string[], active: Set<string>, now: number): void {
    const ask = (n: string) => active.has(n) && !this.runtimes.has(n);
    const cold = names.flatMap((name) => {
      // a known config (a memo's) still needs liblxc's state and pid when the container runs: the probe asks both
      if (this.configs.has(name) && !ask(name)) return [];
      try {
        return [{ name, mtimeMs: fs.statSync(this.configFile(name)).mtimeMs }];
      } catch {
        return []; // defined elsewhere: configFacts asks liblxc every time
      }
    });
    if (cold.length === 0) return;
    const answers = probeContainers(this.lib, this.lxcpath, cold.map((c) => c.name), ask);
    for (const { name, mtimeMs } of cold) {
      const a = answers?.get(name);
      if (!a) continue;
      this.configs.set(name, { mtimeMs, checkedAt: now, unprivileged: a.unprivileged, autostart: a.autostart, groups: a.groups });
      if (a.asked) this.asked.set(name, a.asked);
    }
  }

  /** What this lister knows, for the next process's lister (see ListerMemo). */
  memo(): ListerMemo {
    const configs: ListerMemo['configs'] = {};
    for (const [name, f] of this.configs) if (f.mtimeMs >= 0) configs[name] = { mtimeMs: f.mtimeMs, unprivileged: f.unprivileged, autostart: f.autostart, groups: f.groups };
    return { configs };
  }

  /** Takes an earlier process's memo before the first list(): a config is read again when its mtime differs. */
  seed(memo: ListerMemo): void {
    // never checked in this process: the first list() compares the config's mtime
    for (const [name, f] of Object.entries(memo.configs)) if (!this.configs.has(name)) this.configs.set(name, { ...f, checkedAt: -Infinity });
  }

  /** This process starts (true) or ends (false) a freeze or thaw of `name`; at the end liblxc is asked again. */
  setBusy(name: string, busy: boolean): void {
    if (busy) this.busy.add(name);
    else {
      this.busy.delete(name);
      if (this.runtimes.has(name)) this.stale.add(name);
    }
  }

  private runtime(name: string): Runtime | null {
    const rt = this.runtimes.get(name);
    if (rt && !TRANSIENT.has(rt.liblxc) && this.reader.read(rt.alive) !== null) {
      if (!rt.freezer) return rt;
      const before = rt.cgroup;
      rt.cgroup = this.freezerState(rt.freezer) ?? before;
      // liblxc is asked again only when there is news: the cgroup changed, our
      // own freeze or thaw ended, or a disagreement has lasted a while
      const now = monotonicMs();
      const disagrees = freezerTruth(rt.liblxc, rt.cgroup).disagreement !== undefined;
      if (this.stale.delete(name) || rt.cgroup !== before || (disagrees && now - rt.liblxcAt >= DISAGREEMENT_RECHECK_MS)) {
        const asked = this.askByName(name);
        if (!asked || asked.pid !== rt.pid) {
          this.drop(name);
          return this.askLiblxc(name);
        }
        rt.liblxc = asked.state;
        rt.liblxcAt = now;
      }
      return rt;
    }
    if (rt) this.drop(name);
    return this.askLiblxc(name);
  }

  private freezerState(f: FreezerFiles): CgroupFreezerState | null {
    const text = this.reader.read(f.version === 1 ? f.state : f.events);
    if (text === null) return null;
    const requested = f.version === 2 ? (this.reader.read(f.freeze) ?? undefined) : undefined;
    return parseFreezerState(f, text, requested);
  }

  private askByName(name: string): { state: ContainerState; pid: number } | null {
    const c = this.lib.lxcdeck_open(name, this.lxcpath);
    if (!c) return null;
    try {
      return this.askState(c);
    } finally {
      this.lib.lxcdeck_close(c);
    }
  }

  private askState(c: ContainerHandle): { state: ContainerState; pid: number } {
    const state = parseState(this.lib.lxcdeck_state(c));
    return { state, pid: state === 'STOPPED' ? -1 : this.lib.lxcdeck_init_pid(c) };
  }

  private askLiblxc(name: string): Runtime | null {
    let answer = this.asked.get(name) ?? null;
    this.asked.delete(name);
    this.stale.delete(name);
    answer ??= this.askByName(name);
    if (!answer) return null;
    const { state, pid } = answer;
    if (pid <= 0) return null;
    const alive = `/proc/${pid}/oom_score_adj`;
    // opened first: the cgroup read after it is of the same process (a one-shot listing keeps no descriptor to check later)
    if (this.reader.keeps && this.reader.read(alive) === null) return null;
    const cg = this.reader.read(`/proc/${pid}/cgroup`);
    if (!cg) return null;
    // the batch's look holds when the cgroup read here says the same
    const first = this.firstLooks.get(pid);
    const look = first?.cgroup === cg ? first : null;
    const dirs = look?.dirs ?? containerCgroupDirs(this.cgroups, cg, name);
    const freezer = look ? look.freezer : freezerFiles(dirs);
    const counters = look?.counters ?? counterFiles(this.cgroups.layout, dirs);
    const rt: Runtime = { pid, alive, liblxc: state, liblxcAt: monotonicMs(), cgroup: freezer ? this.freezerState(freezer) : null, dirs, freezer, counters };
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
    this.stale.delete(name);
    this.configs.delete(name);
  }

  dispose(): void {
    this.reader.dispose();
    this.runtimes.clear();
    this.configs.clear();
  }
}
