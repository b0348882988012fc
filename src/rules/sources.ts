import * as fs from 'node:fs';
import type { Clock } from '../base/clock.js';
import { LxcdeckError } from '../core/errors.js';
import type { CgroupHost, Hierarchy } from '../host/cgroups.js';
import { counterFiles, parsePsiSomeAvg10, readCounters, type CounterFiles } from '../metrics/readers.js';
import type { RuleSource } from './rules.js';
import { readSourceFile, readSourceFileSync } from './sourceFile.js';

/** Where a `cpu:<name>` source finds the cgroup dirs of a job or a container; null when not running. */
export type CgroupDirsOf = (name: string) => ReadonlyMap<Hierarchy, string> | null;

const THERMAL = '/sys/class/thermal';

/** thermal:0, thermal:thermal_zone0 or thermal:<type> (e.g. x86_pkg_temp) -> the zone's temp file. */
export function thermalFile(zone: string, thermalDir = THERMAL): string | null {
  if (/^\d+$/.test(zone)) return `${thermalDir}/thermal_zone${zone}/temp`;
  if (/^thermal_zone\d+$/.test(zone)) return `${thermalDir}/${zone}/temp`;
  let zones: string[] = [];
  try {
    zones = fs.readdirSync(thermalDir).filter((z) => z.startsWith('thermal_zone'));
  } catch {
    return null;
  }
  for (const z of zones.sort()) {
    try {
      if (fs.readFileSync(`${thermalDir}/${z}/type`, 'utf8').trim() === zone) return `${thermalDir}/${z}/temp`;
    } catch {
      /* next */
    }
  }
  return null;
}

/** The first number in a file ("42", "42.5\n", "93000 millidegrees"). */
export function parseNumber(text: string | null): number | null {
  if (text === null) return null;
  const m = /^\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/i.exec(text);
  return m ? Number(m[1]) : null;
}

export function sourceUnit(s: RuleSource): string {
  return s.kind === 'thermal' ? ' °C' : s.kind === 'file' ? '' : ' %';
}

function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

/** A source file read that has not returned by then is reported (it goes on in the background). */
export const SOURCE_READ_TIMEOUT_MS = 1000;

/**
 * Reads rule sources. Stateless except for cpu:<name>, which is a rate: the
 * first reading of a target is null, then CPU % over the time since the last.
 * Files are read off the event loop (see sourceFile.ts), at most one read
 * per file at a time: a read stuck in a hung file system is reported each
 * tick instead of piling up more.
 */
export class SourceReader {
  private readonly cpuPrev = new Map<string, { t: number; seconds: number; key: string }>();
  private readonly files = new Map<string, CounterFiles>();
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly opts: {
      host: CgroupHost;
      clock: Clock;
      dirsOf: CgroupDirsOf;
      thermalDir?: string;
      readTimeoutMs?: number;
      /** How a source file is read (tests stand in a read that hangs). */
      readFile?: (path: string, label: string) => Promise<string | null>;
    },
  ) {}

  /** The value now; null when unreadable or not a number; throws one line when the source is the wrong kind of file or stuck. */
  async read(s: RuleSource): Promise<number | null> {
    if (s.kind === 'cpu') return this.cpu(s.name);
    const at = this.pathOf(s);
    if (at === null) return null;
    return this.parse(s, await this.readFile(at, labelOf(s)));
  }

  /** Like read, for checking a rule before it is saved: an unreadable source is a one-line error. */
  async check(s: RuleSource, label: string): Promise<void> {
    this.checked(s, label, s.kind === 'cpu' ? null : await this.read(s));
  }

  /** check() for a dialog that needs its answer now: the same file checks, one bounded read. */
  checkSync(s: RuleSource, label: string): void {
    const at = s.kind === 'cpu' ? null : this.pathOf(s);
    this.checked(s, label, at === null ? null : this.parse(s, readSourceFileSync(at, labelOf(s))));
  }

  private checked(s: RuleSource, label: string, value: number | null): void {
    if (s.kind === 'cpu') {
      if (this.opts.dirsOf(s.name) === null) throw new LxcdeckError('not-defined', `rule source ${label}: no running job or container ${s.name}`, "see 'lxcdeck job ls' or 'lxcdeck ls'");
      return;
    }
    if (value === null) {
      const fix =
        s.kind === 'thermal' ? `pick a zone from ${THERMAL} (ls ${THERMAL})` : s.kind === 'pressure' ? 'this kernel needs PSI (CONFIG_PSI=y, psi=1)' : 'point it at a readable file that holds a number';
      throw new LxcdeckError('invalid-argument', `rule source ${label} is unreadable or holds no number`, fix);
    }
  }

  private pathOf(s: Exclude<RuleSource, { kind: 'cpu' }>): string | null {
    switch (s.kind) {
      case 'thermal':
        return thermalFile(s.zone, this.opts.thermalDir);
      case 'file':
        return s.path;
      case 'pressure':
        return `/proc/pressure/${s.resource}`;
    }
  }

  private parse(s: RuleSource, text: string | null): number | null {
    if (s.kind === 'pressure') return parsePsiSomeAvg10(text);
    const n = parseNumber(text);
    return n === null || s.kind !== 'thermal' ? n : n / 1000;
  }

  private async readFile(at: string, label: string): Promise<string | null> {
    // the message stays the same while it lasts: the runner logs a change, not every tick
    if (this.inFlight.has(at)) throw new LxcdeckError('timeout', `an earlier read of ${label} has not returned`, 'check the file system it is on');
    this.inFlight.add(at);
    const reading = (this.opts.readFile ?? readSourceFile)(at, label).finally(() => this.inFlight.delete(at));
    const ms = this.opts.readTimeoutMs ?? SOURCE_READ_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LxcdeckError('timeout', `reading ${label} took longer than ${ms} ms`, 'check the file system it is on')), ms);
      timer.unref();
    });
    reading.catch(() => undefined); // a late failure after the timeout is not unhandled
    try {
      return await Promise.race([reading, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private cpu(name: string): number | null {
    const dirs = this.opts.dirsOf(name);
    if (!dirs) {
      this.cpuPrev.delete(name);
      return null;
    }
    const key = [...dirs.values()].join('\0');
    let files = this.files.get(key);
    if (!files) {
      files = counterFiles(this.opts.host.layout, dirs);
      this.files.set(key, files);
    }
    const seconds = readCounters(files, readText).cpuUsageSeconds;
    const t = this.opts.clock.now();
    const prev = this.cpuPrev.get(name);
    if (seconds === null) return null;
    this.cpuPrev.set(name, { t, seconds, key });
    if (!prev || prev.key !== key || t <= prev.t || seconds < prev.seconds) return null;
    return ((seconds - prev.seconds) / ((t - prev.t) / 1000)) * 100;
  }
}

function labelOf(s: RuleSource): string {
  switch (s.kind) {
    case 'thermal':
      return `thermal:${s.zone}`;
    case 'file':
      return `file:${s.path}`;
    case 'pressure':
      return `pressure:${s.resource}`;
    case 'cpu':
      return `cpu:${s.name}`;
  }
}
