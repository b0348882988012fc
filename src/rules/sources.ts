import * as fs from 'node:fs';
import type { Clock } from '../base/clock.js';
import { LxcdeckError } from '../core/errors.js';
import type { CgroupHost, Hierarchy } from '../host/cgroups.js';
import { counterFiles, parsePsiSomeAvg10, readCounters, type CounterFiles } from '../metrics/readers.js';
import type { RuleSource } from './rules.js';

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

/**
 * Reads rule sources. Stateless except for cpu:<name>, which is a rate: the
 * first reading of a target is null, then CPU % over the time since the last.
 */
export class SourceReader {
  private readonly cpuPrev = new Map<string, { t: number; seconds: number; key: string }>();
  private readonly files = new Map<string, CounterFiles>();

  constructor(
    private readonly opts: { host: CgroupHost; clock: Clock; dirsOf: CgroupDirsOf; thermalDir?: string },
  ) {}

  read(s: RuleSource): number | null {
    switch (s.kind) {
      case 'thermal': {
        const f = thermalFile(s.zone, this.opts.thermalDir);
        const milli = f ? parseNumber(readText(f)) : null;
        return milli === null ? null : milli / 1000;
      }
      case 'file':
        return parseNumber(readText(s.path));
      case 'pressure':
        return parsePsiSomeAvg10(readText(`/proc/pressure/${s.resource}`));
      case 'cpu':
        return this.cpu(s.name);
    }
  }

  /** Like read, for checking a rule before it is saved: an unreadable source is a one-line error. */
  check(s: RuleSource, label: string): void {
    if (s.kind === 'cpu') {
      if (this.opts.dirsOf(s.name) === null) throw new LxcdeckError('not-defined', `rule source ${label}: no running job or container ${s.name}`, "see 'lxcdeck job ls' or 'lxcdeck ls'");
      return;
    }
    if (this.read(s) === null) {
      const fix =
        s.kind === 'thermal' ? `pick a zone from ${THERMAL} (ls ${THERMAL})` : s.kind === 'pressure' ? 'this kernel needs PSI (CONFIG_PSI=y, psi=1)' : 'point it at a readable file that holds a number';
      throw new LxcdeckError('invalid-argument', `rule source ${label} is unreadable or holds no number`, fix);
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
