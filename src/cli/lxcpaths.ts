import type { Command } from 'commander';
import * as path from 'node:path';
import type { ContainerSummary } from '../core/container.js';
import { compareNames } from '../host/collation.js';
import { chooseLxcpath, effectiveLxcpaths } from '../core/lxcpaths.js';
import { defaultConfigDir } from '../settings/configDir.js';
import { peekSettings } from '../settings/peek.js';
import { createContext, createContexts, type CliContext } from './context.js';

/** The lxcpaths to list, and how a user drops one that is bad (from -P, or from the setting). */
export interface LxcpathList {
  paths: string[];
  leaveOut: (p: string) => string;
}

/** -P on the command line, else the `lxcpaths` setting (read without conf), else none. */
export function configuredLxcpaths(cli: readonly string[]): LxcpathList {
  if (cli.length) return { paths: [...cli], leaveOut: (p) => `leave out -P ${p}` };
  const dir = defaultConfigDir();
  return { paths: effectiveLxcpaths(cli, peekSettings(dir).settings.lxcpaths), leaveOut: (p) => `remove it from "lxcpaths" in ${path.join(dir, 'config.json')}` };
}

/** The arguments that name an existing container (not a network's or a job's name). */
const CONTAINER_ARGS = new Set(['name', 'container', 'old', 'name-or-verb']);

/** The container a command names, when it takes one. */
function containerArgument(cmd: Command): string | undefined {
  if (['net', 'job', 'workspace', 'plan'].includes(cmd.parent?.name() ?? '')) return undefined;
  const i = cmd.registeredArguments.findIndex((a) => CONTAINER_ARGS.has(a.name()));
  const v: unknown = i < 0 ? undefined : cmd.processedArgs[i];
  // snapshot ls|restore|rm NAME: the name comes after the verb
  if (cmd.registeredArguments[i]?.name() === 'name-or-verb' && ['ls', 'restore', 'rm'].includes(String(v))) {
    const next: unknown = cmd.processedArgs[i + 1];
    return Array.isArray(next) && typeof next[0] === 'string' ? next[0] : undefined;
  }
  return typeof v === 'string' ? v : undefined;
}

/**
 * A command's context: with several lxcpaths, the one that holds the
 * container the command names (ambiguous: a one-line error), else the first.
 */
export function commandContext(cmd: Command, { paths, leaveOut }: LxcpathList): CliContext {
  if (paths.length < 2) return createContext(paths[0] !== undefined ? { lxcpath: paths[0] } : {});
  const all = createContexts(paths, leaveOut);
  const name = containerArgument(cmd);
  if (name === undefined) return all[0] as CliContext;
  const chosen = chooseLxcpath(name, all.map((c) => c.backend.lxcpath), (p) => all.find((c) => c.backend.lxcpath === p)?.backend.isDefined(name) ?? false);
  return all.find((c) => c.backend.lxcpath === chosen) as CliContext;
}

/** `ls` over every lxcpath, sorted by name: each row says which lxcpath it is in. */
export function listAll({ paths, leaveOut }: LxcpathList, options: { active: boolean }): ContainerSummary[] {
  const rows = createContexts(paths, leaveOut).flatMap((c) => c.backend.list(options).map((r) => ({ ...r, lxcpath: c.backend.lxcpath })));
  // stable: a name in two lxcpaths keeps the lxcpaths' order
  return rows.sort((a, b) => compareNames(a.name, b.name));
}
