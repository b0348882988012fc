import type { Command } from 'commander';
import { chooseLxcpath } from '../core/lxcpaths.js';
import type { LxcpathList } from './lxcpathList.js';
import { createContext, createContexts, type CliContext } from './context.js';

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
