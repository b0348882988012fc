import * as fs from 'node:fs';
import type { CliIo } from './io.js';

/**
 * The commands scripts call in loops, run without commander: `--help`,
 * `--version`, `ls [--json] [--active]`, `freeze|thaw NAME [--timeout MS]`,
 * each optionally after `-P PATH`; and `net up|down NAME` (no -P). Anything else (or anything unusual in
 * these) returns null and goes through commander, which then parses, checks
 * and reports it as always. Measured in bench/cli.ts.
 */

// Filled in by scripts/bundle.mjs (esbuild define); undefined when run from the ES modules.
declare const __LXCDECK_HELP__: string | undefined;
declare const __LXCDECK_VERSION__: string | undefined;

export interface FastArgs {
  lxcpath?: string;
  /** -P given more than once: every lxcpath in order (lxcpath is then the first). */
  lxcpaths?: string[];
  command: 'help' | 'version' | 'ls' | 'freeze' | 'thaw' | 'net-up' | 'net-down';
  name?: string;
  json?: boolean;
  active?: boolean;
  timeoutMs?: number;
}

/** The fast commands' grammar; null for everything else. */
export function parseFast(argv: readonly string[]): FastArgs | null {
  const args = [...argv];
  const paths: string[] = [];
  while ((args[0] === '-P' || args[0] === '--lxcpath') && args.length > 1) {
    paths.push(args[1] as string);
    args.splice(0, 2);
  }
  const lxcpath = paths[0];
  const [verb, ...rest] = args;
  if (lxcpath === undefined && args.length === 1 && (verb === '--help' || verb === '-h')) return { command: 'help' };
  if (lxcpath === undefined && args.length === 1 && (verb === '--version' || verb === '-V')) return { command: 'version' };
  const at = lxcpath === undefined ? {} : paths.length > 1 ? { lxcpath, lxcpaths: paths } : { lxcpath };
  if (verb === 'net' && lxcpath === undefined && rest.length === 2 && (rest[0] === 'up' || rest[0] === 'down') && !rest[1]?.startsWith('-'))
    return { command: rest[0] === 'up' ? 'net-up' : 'net-down', name: rest[1] as string };
  if (verb === 'ls') {
    const flags = new Set(rest);
    if (flags.size !== rest.length || rest.some((f) => f !== '--json' && f !== '--active')) return null;
    return { ...at, command: 'ls', json: flags.has('--json'), active: flags.has('--active') };
  }
  if (verb === 'freeze' || verb === 'thaw') {
    const [name, ...opts] = rest;
    if (name === undefined || name.startsWith('-')) return null;
    if (opts.length === 0) return { ...at, command: verb, name, timeoutMs: 5000 };
    if (opts.length === 2 && opts[0] === '--timeout' && /^\d+$/.test(opts[1] ?? '') && Number(opts[1]) <= 600_000) return { ...at, command: verb, name, timeoutMs: Number(opts[1]) };
    return null;
  }
  return null;
}

/** Runs a parsed fast command; null when it must go through commander after all. */
/** `isTty`: asked only by the commands that print (creating process.stdout loads Node's streams: ~3 ms). */
export async function runFast(a: FastArgs, io: CliIo, isTty: () => boolean): Promise<number | null> {
  switch (a.command) {
    case 'help':
      // commander wraps help to the terminal's width; the text built at bundle time is its 80-column form
      if (isTty() || typeof __LXCDECK_HELP__ === 'undefined') return null;
      io.out(__LXCDECK_HELP__);
      return 0;
    case 'version':
      io.out(await versionLine());
      return 0;
    case 'ls': {
      const { configuredLxcpaths, listAll } = await import('./lxcpathList.js');
      const list = configuredLxcpaths(a.lxcpaths ?? (a.lxcpath !== undefined ? [a.lxcpath] : []));
      const rows = listAll(list, { active: a.active ?? false });
      if (a.json) io.out(JSON.stringify(rows, null, 2));
      else io.out((await import('./containers.js')).formatSummaries(rows, (await import('./color.js')).colorEnabled('auto', process.env, isTty()), list.paths.length > 1));
      return 0;
    }
    case 'net-up':
    case 'net-down':
      await (await import('./netPlanRun.js')).netUpDown(a.command === 'net-up' ? 'up' : 'down', a.name as string);
      return 0;
    case 'freeze':
    case 'thaw': {
      // several lxcpaths: commander's path finds the one that holds NAME
      const { configuredLxcpaths } = await import('./lxcpathList.js');
      if (a.lxcpaths || configuredLxcpaths(a.lxcpath !== undefined ? [a.lxcpath] : []).paths.length > 1) return null;
      // the backend alone: the full context's plans and editors are not needed here (src/cli/backendParts.ts)
      const { backendAt, backendParts, oneLxcpath } = await import('./backendParts.js');
      const parts = backendParts();
      const backend = backendAt(parts, oneLxcpath(parts, a.lxcpath));
      await (a.command === 'freeze' ? backend.freeze(a.name!, { timeoutMs: a.timeoutMs }) : backend.thaw(a.name!, { timeoutMs: a.timeoutMs }));
      return 0;
    }
  }
}

/** `lxcdeck 0.1.0 (liblxc 5.0.2)`; liblxc's part says why when the native library does not load. */
export async function versionLine(): Promise<string> {
  const own = typeof __LXCDECK_VERSION__ === 'string' ? __LXCDECK_VERSION__ : packageVersion();
  let lxc: string;
  try {
    const { loadNative } = await import('../lxc/native.js');
    lxc = `liblxc ${loadNative(null).lxcdeck_lxc_version()}`;
  } catch (e) {
    lxc = `liblxc not loaded: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  return `lxcdeck ${own} (${lxc})`;
}

function packageVersion(): string {
  // dist/src/cli -> the package root is three levels up; src/cli (vitest) two
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lxcdeck' && pkg.version) return pkg.version;
    } catch {
      /* try the next */
    }
  }
  return 'unknown';
}
