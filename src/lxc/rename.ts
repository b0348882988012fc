import * as fs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import { validateContainerName } from '../core/names.js';
import type { Json, Plan, PlanStep } from '../core/plan.js';
import { writeFileAtomic } from '../host/atomicWrite.js';
import type { PlanRegistry } from '../plan/registry.js';
import { overlayClones, snapshotsOf } from './copies.js';

/**
 * Rename of a stopped container as a directory rename plus a rewrite of the
 * files that name it (liblxc's rename is a full copy plus destroy, and it
 * refuses containers with snapshots): its config (paths and lxc.uts.name),
 * its snapshots' configs, its overlay clones' configs and lxc_rdepends, and
 * its own original's lxc_snapshots. Every file is replaced atomically; undo
 * puts back what it finds unchanged since. It runs without a journal (each
 * journal write is an fsync, and the rename must take milliseconds): the
 * disk says where it stopped, and running the same rename again finishes it.
 */
export const RENAME_KIND = 'lxc.rename';

interface FileRewrite {
  /** The path after the directory rename. */
  file: string;
  before: string;
  after: string;
}

export interface RenameParams {
  lxcpath: string;
  from: string;
  to: string;
  files: FileRewrite[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every path naming <lxcpath>/<from> becomes <lxcpath>/<to>; lxc.uts.name follows when it was the name. */
export function renameInConfig(text: string, lxcpath: string, from: string, to: string): string {
  const dir = new RegExp(`${escape(path.join(lxcpath, from))}(?=[/:\\s"']|$)`, 'gm');
  return text.replace(dir, path.join(lxcpath, to)).replace(new RegExp(`^(\\s*lxc\\.uts\\.name\\s*=\\s*)("?)${escape(from)}\\2\\s*$`, 'gm'), `$1$2${to}$2`);
}

/** liblxc's dependents lists: pairs of lines "lxcpath\nname". */
export function renameInPairs(text: string, lxcpath: string, from: string, to: string): string {
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) if (lines[i] === lxcpath && lines[i + 1] === from) lines[i + 1] = to;
  return lines.join('\n');
}

const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : null);

/** Checks and reads everything first; writes nothing. `isRunning` is asked of the container and its clones. */
export function prepareRename(lxcpath: string, from: string, to: string, isRunning: (name: string) => boolean): RenameParams {
  validateContainerName(from);
  validateContainerName(to);
  const oldDir = path.join(lxcpath, from);
  const newDir = path.join(lxcpath, to);
  // a rename interrupted between the directory move and the rewrite: the same command finishes it
  const resuming = !fs.existsSync(oldDir) && (read(path.join(newDir, 'config')) ?? '') !== renameInConfig(read(path.join(newDir, 'config')) ?? '', lxcpath, from, to);
  const at = resuming ? newDir : oldDir;
  if (!fs.existsSync(path.join(at, 'config'))) throw new LxcdeckError('not-defined', `container ${from} is not defined in ${lxcpath}`, "see 'lxcdeck ls'");
  if (!resuming && fs.existsSync(newDir)) throw new LxcdeckError('wrong-state', `${newDir} already exists`, 'choose another name');
  if (fs.existsSync(path.join(oldDir, 'lxcdeck-creating'))) throw new LxcdeckError('wrong-state', `${from} is still being created`, 'wait for the create to finish');
  if (!resuming && isRunning(from)) throw new LxcdeckError('wrong-state', `container ${from} is running`, `stop it first ('lxcdeck stop ${from}')`);
  // resuming: the moved config still names the old rootfs, so its clones are found from there
  const clones = overlayClones(lxcpath, resuming ? to : from);
  const running = clones.filter(isRunning);
  if (running.length) throw new LxcdeckError('wrong-state', `overlay clones of ${from} are running (${running.join(', ')})`, 'stop them first: their rootfs names the original');
  const files: FileRewrite[] = [];
  const add = (oldFile: string, newFile: string, fn: (t: string) => string) => {
    const before = read(oldFile);
    if (before === null) return;
    const after = fn(before);
    if (after !== before) files.push({ file: newFile, before, after });
  };
  const inConfig = (t: string) => renameInConfig(t, lxcpath, from, to);
  const inPairs = (t: string) => renameInPairs(t, lxcpath, from, to);
  add(path.join(at, 'config'), path.join(newDir, 'config'), inConfig);
  for (const s of snapshotsOf(lxcpath, resuming ? to : from)) add(path.join(s.path, 'config'), path.join(newDir, 'snaps', s.name, 'config'), inConfig);
  for (const c of clones) {
    add(path.join(lxcpath, c, 'config'), path.join(lxcpath, c, 'config'), inConfig);
    add(path.join(lxcpath, c, 'lxc_rdepends'), path.join(lxcpath, c, 'lxc_rdepends'), inPairs);
  }
  // a clone itself: its original lists it by name
  const deps = (read(path.join(at, 'lxc_rdepends')) ?? '').split('\n');
  if (deps[0] && deps[1]) add(path.join(deps[0], deps[1], 'lxc_snapshots'), path.join(deps[0], deps[1], 'lxc_snapshots'), inPairs);
  return { lxcpath, from, to, files };
}

export function buildRenamePlan(p: RenameParams): Plan {
  const oldDir = path.join(p.lxcpath, p.from);
  const newDir = path.join(p.lxcpath, p.to);
  const move: PlanStep = {
    description: `rename ${oldDir} to ${newDir}`,
    shows: [{ kind: 'command', argv: ['mv', '-T', oldDir, newDir] }],
    check: async () => !fs.existsSync(oldDir) && fs.existsSync(newDir),
    apply: async () => {
      if (fs.existsSync(newDir)) throw new LxcdeckError('wrong-state', `${newDir} already exists`, 'choose another name');
      fs.renameSync(oldDir, newDir);
    },
    undo: async () => {
      if (fs.existsSync(oldDir)) throw new LxcdeckError('wrong-state', `${oldDir} exists again; ${newDir} left as it is`, 'settle the two by hand');
      if (fs.existsSync(newDir)) fs.renameSync(newDir, oldDir);
    },
  };
  const undoWrites = async () => {
    for (const f of p.files) if (read(f.file) === f.after) writeFileAtomic(f.file, f.before);
  };
  const rewrite: PlanStep = {
    description: `rewrite the ${p.files.length} file${p.files.length === 1 ? '' : 's'} that name ${p.from}`,
    shows: p.files.map((f) => ({ kind: 'file' as const, path: f.file, before: f.before, after: f.after })),
    check: async () => p.files.every((f) => read(f.file) === f.after),
    apply: async () => {
      const changed = p.files.find((f) => ![f.before, f.after].includes(read(f.file) ?? ''));
      if (changed) throw new LxcdeckError('wrong-state', `${changed.file} changed since the rename was planned; left as it is`, 'run the rename again');
      try {
        for (const f of p.files) if (read(f.file) !== f.after) writeFileAtomic(f.file, f.after);
      } catch (e) {
        await undoWrites();
        throw e;
      }
    },
    undo: undoWrites,
  };
  return { kind: RENAME_KIND, title: `Rename ${p.from} to ${p.to}`, params: p as unknown as Json, steps: [move, rewrite] };
}

export function registerRenamePlan(registry: PlanRegistry): void {
  registry.register(RENAME_KIND, (j) => {
    const p = j as unknown as RenameParams;
    if (!p || typeof p.from !== 'string' || typeof p.to !== 'string' || !Array.isArray(p.files)) throw new LxcdeckError('internal', 'rename plan journal is unreadable', 'check the container directories by hand, then delete the journal');
    return buildRenamePlan(p);
  });
}
