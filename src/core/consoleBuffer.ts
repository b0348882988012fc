import { LxcdeckError } from './errors.js';

/**
 * lxc.console.buffer.size: the console ring buffer liblxc keeps for a
 * container (what `lxcdeck console` and a console pane replay).
 *
 * liblxc 5.0.2 reads "128k" as 128 bytes (only kB/MB/GB are units; anything
 * else after the digits is ignored, "12q" is 12 bytes), then rounds up to a
 * power of two of at least a page. So only digits with an optional kB/MB/GB,
 * or "auto" (liblxc's default, 128 KiB), are accepted here.
 */
export const CONSOLE_BUFFER_KEY = 'lxc.console.buffer.size';
export const DEFAULT_CONSOLE_BUFFER = '128kB';
const MAX_BYTES = 64 * 1024 * 1024;
const UNITS: Record<string, number> = { '': 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export interface ConsoleBufferSize {
  /** The value written to the config: "128kB", "1MB", "4096" or "auto". */
  value: string;
  /** Bytes asked for; null for "auto". */
  bytes: number | null;
}

/** Parses a size for lxc.console.buffer.size, with a one-line error liblxc would not give. */
export function parseConsoleBufferSize(input: string): ConsoleBufferSize {
  const s = input.trim();
  if (s.toLowerCase() === 'auto') return { value: 'auto', bytes: null };
  const m = /^(\d{1,12})([kmg]b?)?$/i.exec(s);
  const unit = m?.[2]?.toLowerCase() ?? '';
  if (!m || !(unit in UNITS)) {
    // "128k": the trap this parser exists for
    const fix = m ? `write ${m[1]}${unit.toUpperCase().replace('K', 'k')}B (liblxc reads ${s} as ${m[1]} bytes)` : 'use a size such as 128kB, 1MB or auto';
    throw new LxcdeckError('invalid-argument', `invalid console buffer size ${JSON.stringify(input)}`, fix);
  }
  const bytes = Number(m[1]) * (UNITS[unit] ?? 1);
  if (bytes === 0) throw new LxcdeckError('invalid-argument', 'a console buffer size of 0 keeps no buffer', 'use --off to remove the buffer, or a size such as 128kB');
  if (bytes > MAX_BYTES) throw new LxcdeckError('invalid-argument', `console buffer size ${s} is too large (liblxc keeps it in memory)`, 'use at most 64MB');
  const units = { '': '', kb: 'kB', mb: 'MB', gb: 'GB' } as const;
  return { value: `${Number(m[1])}${units[unit as keyof typeof units]}`, bytes };
}

/**
 * Whether the size liblxc reads back from the config (its get_config_item:
 * bytes, "0" when unset) is what was asked for: at least the bytes asked, a
 * power of two, and not more than one rounding step above (a page is at most 64 KiB).
 */
export function consoleBufferTook(asked: ConsoleBufferSize | null, readBack: string): boolean {
  const got = /^\d+$/.test(readBack.trim()) ? Number(readBack.trim()) : NaN;
  if (asked === null) return got === 0;
  if (!(got > 0) || (got & (got - 1)) !== 0) return false;
  if (asked.bytes === null) return true;
  return got >= asked.bytes && got < 2 * Math.max(asked.bytes, 64 * 1024);
}
