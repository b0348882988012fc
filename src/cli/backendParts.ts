import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import { actionLogFile, recordAction } from '../host/actionLog.js';
import { readCgroupHost, type CgroupHost, type StartPlacement } from '../host/cgroups.js';
import { realHostFs, type HostFs } from '../host/hostfs.js';
import { currentIdentity, type Identity } from '../host/identity.js';
import { fallbackLxcpath, lxcLogFile, stateDir } from '../host/paths.js';
import { currentPlacement } from '../host/placement.js';
import { LiblxcBackend } from '../lxc/backend.js';
import { createHelperRunner, type HelperRunner } from '../lxc/helper.js';
import { loadNative } from '../lxc/native.js';
import { divertLiblxcStderr } from '../lxc/stderr.js';

/**
 * What a container backend needs and nothing more: the commands scripts loop
 * over (`ls`, `freeze`, `thaw`: src/cli/fast.ts) build their backend from
 * this alone, without the plan registry, the network host or the editors
 * that context.ts wires (their module graph cost `freeze` ~10 ms of start-up,
 * measured in bench/cli.ts). context.ts builds its contexts on top of it.
 */
export interface BackendParts {
  fs: HostFs;
  identity: Identity;
  cgroups: CgroupHost;
  logFile: string | null;
  lib: ReturnType<typeof loadNative>;
  stderr: ReturnType<typeof divertLiblxcStderr>;
  helper: HelperRunner;
  placement: () => StartPlacement;
  /** What the action record names as the changer (cli, tui). */
  actor: string;
}

export function backendParts(actor = 'cli'): BackendParts {
  const fs = realHostFs;
  const identity = currentIdentity(fs);
  const cgroups = readCgroupHost(fs);
  const logFile = lxcLogFile(identity);
  const lib = loadNative(logFile);
  // from here on liblxc's stray error lines go to its log file, never to the user's terminal
  const stderr = divertLiblxcStderr(lib, logFile);
  const helper = createHelperRunner(logFile);
  const placement = () => currentPlacement(fs, cgroups, identity);
  return { fs, identity, cgroups, logFile, lib, stderr, helper, placement, actor };
}

/**
 * The backend of one lxcpath; every start, stop, freeze and thaw is recorded
 * with the parts' actor. keepFiles false: for one listing, nothing kept open.
 */
export function backendAt(parts: BackendParts, lxcpath: string, options: { keepFiles?: boolean } = {}): LiblxcBackend {
  const { fs, identity, cgroups, lib, helper, placement, actor } = parts;
  const actions = actionLogFile(stateDir(identity));
  const onAction = (verb: string, name: string) => recordAction(actions, { kind: 'container', name, lxcpath, verb, by: actor });
  return new LiblxcBackend({ lib, lxcpath, fs, cgroups, helper, placement, onAction, ...options });
}

/** The fix that drops a bad lxcpath given with -P. */
export const leaveOutFlag = (p: string): string => `leave out -P ${p}`;

/** A listed lxcpath must be a directory lxcdeck may read; `leaveOut` is the fix that drops it. */
export function checkLxcpath(p: string, leaveOut = leaveOutFlag(p)): string {
  const fail = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') throw new LxcdeckError('invalid-argument', `lxcpath ${p} does not exist`, `create it (mkdir -p ${p}) or ${leaveOut}`);
    throw new LxcdeckError('permission', `cannot read lxcpath ${p} (${code})`, `run lxcdeck as a user who may read ${p}, or ${leaveOut}`);
  };
  let stat: nodeFs.Stats | undefined;
  try {
    stat = nodeFs.statSync(p);
  } catch (e) {
    fail(e);
  }
  if (!stat?.isDirectory()) throw new LxcdeckError('invalid-argument', `lxcpath ${p} is not a directory`, `pass the directory that holds the containers, or ${leaveOut}`);
  try {
    nodeFs.accessSync(p, nodeFs.constants.R_OK | nodeFs.constants.X_OK);
  } catch (e) {
    fail(e);
  }
  return p;
}

/**
 * The lxcpaths to open: none or one given, that one or liblxc's default;
 * several, each resolved once and checked (a one-line error names a bad one).
 */
export function resolveLxcpaths(parts: BackendParts, lxcpaths: readonly string[], leaveOut: (p: string) => string): string[] {
  if (lxcpaths.length < 2) return [oneLxcpath(parts, lxcpaths[0])];
  return [...new Set(lxcpaths.map((p) => path.resolve(p)))].map((p) => checkLxcpath(p, leaveOut(p)));
}

/** The one lxcpath a command works in: the one given, else liblxc's default for this user. */
export function oneLxcpath(parts: BackendParts, lxcpath?: string): string {
  return lxcpath || parts.lib.lxcdeck_default_lxcpath() || fallbackLxcpath(parts.identity);
}
