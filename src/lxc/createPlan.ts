import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyConfigEdits, configValues, type ConfigEdit } from '../core/configText.js';
import { inPlaceWarning, sourceLabel, type CreateSource } from '../core/createSource.js';
import { LxcdeckError } from '../core/errors.js';
import { parseIdMapLines } from '../core/idmap.js';
import type { Json, Plan, PlanStep, StepProgress } from '../core/plan.js';
import { isAlive, processMark, type ProcessMark } from '../host/liveness.js';
import { TAR_FLAG, type Compression, type SkippedMember } from '../host/tarScan.js';
import type { PlanRegistry } from '../plan/registry.js';
import { helperCloneArgs, runHelperClone, type HelperClone } from './cloneHelper.js';
import { runTool } from './tools.js';

/**
 * `lxcdeck create` as a plan: reserve the container's directory (with a
 * marker that says "half-made, ours"), make the rootfs with LXC's own tools
 * or tar as child processes, optionally start it, then drop the marker.
 * Undo removes a half-made container completely, and only one that still
 * carries the marker: never someone else's container.
 */
export const CREATE_KIND = 'lxc.create';
const MARKER = 'lxcdeck-creating';
const CREATED = 'lxcdeck-created';
const CONF = 'lxcdeck-create.conf';
/** As liblxc makes it: an unprivileged container's directory goes to its mapped root, the user keeps group write. */
const DIR_MODE = 0o770;

export interface CreateParams {
  name: string;
  lxcpath: string;
  source: CreateSource;
  /** The default config the new container starts from (default.conf's text). */
  baseConfig: string;
  /** Keys the new container gets (idmap, console buffer, limits, autostart, groups). */
  edits: ConfigEdit[];
  start: boolean;
  /** Where the rootfs comes from: the Debian mirror (debian), the image server (download). */
  mirror: string | null;
  uid: number;
  gid: number;
  /** tar: its compression and the members left out (shown before, skipped in extraction). */
  tar: { compression: Compression; skip: SkippedMember[]; size: number } | null;
  /** The directory holds a half-made container of a dead lxcdeck (its marker says so): removed first. */
  leftover?: boolean;
}

/** Whose half-made container a directory is: the marker's owner, or null when there is no marker. */
export function halfMadeOwner(lxcpath: string, name: string): { owner: ProcessMark | null; alive: boolean } | null {
  const f = path.join(lxcpath, name, MARKER);
  if (!exists(f)) return null;
  try {
    const owner = JSON.parse(fs.readFileSync(f, 'utf8')) as ProcessMark;
    return { owner, alive: typeof owner.pid === 'number' && isAlive(owner) };
  } catch {
    return { owner: null, alive: false };
  }
}

export interface CreateDeps {
  start(name: string): Promise<void>;
  kill(name: string): Promise<void>;
  isRunning(name: string): boolean;
  /** Set by the caller for the run in progress: Ctrl-C aborts the running tool. */
  signal?: AbortSignal;
  /** liblxc's log for the helper (a clone's failure names liblxc's cause from it). */
  logFile?: string | null;
}

const dirOf = (p: CreateParams) => path.join(p.lxcpath, p.name);
const exists = (f: string) => fs.existsSync(f);

/** lxc.idmap values of the new container (empty: privileged). */
function nsMapOf(p: CreateParams): string[] {
  return configValues(applyConfigEdits(p.baseConfig, p.edits), 'lxc.idmap');
}

/** lxc-usernsexec argv prefix: the container's map plus the caller's own ids (so ns root may write the caller's directory). */
function usernsPrefix(p: CreateParams): string[] {
  if (p.uid === 0) return [];
  const entries = parseIdMapLines(nsMapOf(p)).entries;
  if (!entries.length) throw new LxcdeckError('invalid-argument', 'an unprivileged container needs an lxc.idmap', 'pass --idmap standard, or add lxc.idmap lines to ~/.config/lxc/default.conf');
  const top = Math.max(...entries.map((e) => e.nsid + e.range));
  const maps = entries.flatMap((e) => ['-m', `${e.kind}:${e.nsid}:${e.hostid}:${e.range}`]);
  return ['lxc-usernsexec', ...maps, '-m', `u:${top}:${p.uid}:1`, '-m', `g:${top}:${p.gid}:1`, '--'];
}

const inPlace = (p: CreateParams) => p.source.kind === 'dir' && p.source.inPlace === true;

function configFor(p: CreateParams): string {
  const rootfs = p.source.kind === 'dir' && p.source.inPlace ? p.source.path : path.join(dirOf(p), 'rootfs');
  const extra: ConfigEdit[] = p.source.kind === 'dir' || p.source.kind === 'tar' ? [{ key: 'lxc.rootfs.path', values: [`dir:${rootfs}`] }, { key: 'lxc.uts.name', values: [p.name] }] : [];
  return applyConfigEdits(p.baseConfig, [...p.edits, ...extra]);
}

/** The tool that makes the container (for the preview and the run). */
export function createArgv(p: CreateParams): string[] {
  const base = ['-n', p.name, '-P', p.lxcpath];
  const conf = ['-f', path.join(dirOf(p), CONF)];
  const s = p.source;
  switch (s.kind) {
    case 'template':
      return ['lxc-create', ...base, ...conf, '-t', s.template, ...(s.args.length ? ['--', ...s.args] : [])];
    case 'debian':
      return ['lxc-create', ...base, ...conf, '-t', 'debian', '--', '-r', s.release, ...(p.mirror ? ['--mirror', p.mirror] : [])];
    case 'download':
      return ['lxc-create', ...base, ...conf, '-t', 'download', '--', '-d', s.dist, '-r', s.release, '-a', s.arch, ...(p.mirror ? ['--server', p.mirror] : [])];
    case 'dir':
    case 'tar':
      return ['lxc-create', ...base, ...conf, '-t', 'none'];
    case 'clone':
      return ['lxcdeck-helper', ...helperCloneArgs(cloneOf(p, s, { file: MARKER, text: '{"pid":…,"start":…}', keep: p.start }))];
  }
}

function cloneOf(p: CreateParams, s: Extract<CreateSource, { kind: 'clone' }>, marker: HelperClone['marker']): HelperClone {
  return { from: s.from, name: p.name, lxcpath: p.lxcpath, snapshot: s.snapshot ?? false, backing: s.backing ?? null, edits: p.edits, marker };
}

function fillArgv(p: CreateParams): string[] | null {
  const rootfs = path.join(dirOf(p), 'rootfs');
  const s = p.source;
  if (s.kind === 'tar') {
    const skip = p.tar?.skip.length ? ['--no-wildcards', '--anchored', `--exclude-from=${path.join(dirOf(p), 'lxcdeck-skip')}`] : [];
    const owners = p.uid === 0 ? ['--numeric-owner', '--same-owner'] : ['--numeric-owner', '--same-owner', '--no-overwrite-dir'];
    return [...usernsPrefix(p), 'tar', '-x', '-p', ...owners, ...TAR_FLAG[p.tar?.compression ?? 'none'], ...skip, '-f', '-', '-C', rootfs];
  }
  if (s.kind === 'dir' && s.inPlace) return null;
  if (s.kind === 'dir') return [...usernsPrefix(p), 'cp', ...(p.uid === 0 ? ['-a'] : ['-r', '--no-dereference', '--preserve=mode,timestamps,links']), `${s.path}/.`, `${rootfs}/`];
  return null;
}

/** Removes what create made in the directory (everything but the markers); refuses a directory without our marker. */
async function removeContents(p: CreateParams): Promise<void> {
  const dir = dirOf(p);
  if (!exists(dir)) return;
  if (!exists(path.join(dir, MARKER))) throw new LxcdeckError('wrong-state', `${dir} has no ${MARKER} marker: it is not a container lxcdeck is making; left as it is`, `remove it by hand with 'lxc-destroy -n ${p.name}' if it is a leftover`);
  const left = () => fs.readdirSync(dir).filter((f) => f !== MARKER && f !== CREATED);
  if (left().length === 0) return;
  // never lxc-destroy a container using a directory in place: liblxc would delete that directory with it
  if (exists(path.join(dir, 'config')) && !inPlace(p)) {
    await runTool(['lxc-stop', '-k', '-n', p.name, '-P', p.lxcpath]).catch(() => undefined);
    await runTool(['lxc-destroy', '-f', '-n', p.name, '-P', p.lxcpath]).catch(() => undefined);
    // lxc-destroy takes the directory with it: put the marker back for the undo of the reserve step
    if (!exists(dir)) {
      fs.mkdirSync(dir, { mode: DIR_MODE });
      fs.chmodSync(dir, DIR_MODE); // past the umask
      fs.writeFileSync(path.join(dir, MARKER), '');
      return;
    }
  }
  const rest = left().map((f) => path.join(dir, f));
  if (!rest.length) return;
  if (p.uid === 0) for (const f of rest) fs.rmSync(f, { recursive: true, force: true });
  else await runTool([...usernsPrefix(p), 'rm', '-rf', '--one-file-system', ...rest]);
  if (left().length) throw new LxcdeckError('permission', `could not remove everything in ${dir} (${left().join(', ')})`, 'remove it by hand');
}

export function buildCreatePlan(p: CreateParams, deps: CreateDeps): Plan {
  const dir = dirOf(p);
  const marker = path.join(dir, MARKER);
  const created = path.join(dir, CREATED);
  const removeAll = async () => {
    await removeContents(p);
    if (!exists(dir)) return;
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      // a directory liblxc handed to the mapped root: only the namespace may remove it
      if (p.uid === 0) throw e;
      await runTool([...usernsPrefix(p), 'rm', '-rf', '--one-file-system', dir]);
    }
  };
  const reserve: PlanStep = {
    description: `reserve ${dir}`,
    shows: [{ kind: 'note', text: `make ${dir} with a ${MARKER} marker (a failed or interrupted create is removed completely)` }],
    check: async () => exists(marker),
    apply: async () => {
      fs.mkdirSync(p.lxcpath, { recursive: true, mode: 0o755 });
      try {
        fs.mkdirSync(dir, { mode: DIR_MODE });
      fs.chmodSync(dir, DIR_MODE); // past the umask
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new LxcdeckError('wrong-state', `${dir} already exists`, 'choose another name');
        throw e;
      }
      fs.writeFileSync(marker, JSON.stringify(processMark()));
    },
    undo: removeAll,
  };
  const fill = fillArgv(p);
  const make: PlanStep = {
    description: `create ${p.name} from ${sourceLabel(p.source)}`,
    shows: [
      ...(fill ? [{ kind: 'command' as const, argv: fill }] : []),
      { kind: 'command', argv: createArgv(p) },
      ...(p.source.kind === 'clone' ? [] : [{ kind: 'file' as const, path: path.join(dir, CONF), before: null, after: configFor(p) }]),
      ...(p.source.kind === 'clone' && p.edits.length ? [{ kind: 'config' as const, container: p.name, file: path.join(dir, 'config'), changes: p.edits.map((e) => ({ key: e.key, old: [], new: e.values })) }] : []),
      ...(p.tar?.skip ?? []).map((s) => ({ kind: 'note' as const, text: `skipped from the tarball: ${s.name} (${s.why})` })),
      ...(p.source.kind === 'dir' && p.source.inPlace ? [{ kind: 'note' as const, text: `warning: ${inPlaceWarning(p.source.path, p.uid !== 0)}` }] : []),
    ],
    check: async () => exists(created),
    apply: async (progress) => {
      try {
        await makeContainer(p, deps, progress);
        fs.writeFileSync(created, '');
      } catch (e) {
        await removeContents(p).catch(() => undefined);
        throw e;
      }
    },
    undo: () => removeContents(p),
  };
  const start: PlanStep = {
    description: `start ${p.name}`,
    shows: [{ kind: 'note', text: `start ${p.name} and wait until it runs` }],
    check: async () => deps.isRunning(p.name),
    apply: async () => deps.start(p.name),
    undo: async () => {
      if (deps.isRunning(p.name)) await deps.kill(p.name);
    },
  };
  const finish: PlanStep = {
    description: `mark ${p.name} as complete`,
    shows: [{ kind: 'note', text: `remove the ${MARKER} marker from ${dir}` }],
    check: async () => exists(path.join(dir, 'config')) && !exists(marker),
    apply: async () => {
      for (const f of [CONF, 'lxcdeck-skip', CREATED, MARKER]) fs.rmSync(path.join(dir, f), { force: true });
    },
    undo: async () => {
      if (exists(dir)) fs.writeFileSync(marker, '');
    },
  };
  // a clone is one helper process: directory, marker, liblxc's clone with the keys, marker gone (kept when a start follows)
  const cloneInHelper = async (s: Extract<CreateSource, { kind: 'clone' }>) => {
    try {
      await runHelperClone(cloneOf(p, s, { file: MARKER, text: JSON.stringify(processMark()), keep: p.start }), deps.logFile ?? null, deps.signal);
    } catch (e) {
      // a failed or killed helper leaves its marker: the half-made clone is ours to remove (no marker: not ours)
      if (exists(marker)) await removeAll().catch(() => undefined);
      throw e;
    }
    if (p.start) fs.writeFileSync(created, '');
  };
  // one step (each journal write is an fsync): reserve, make and, without a start to come, drop the marker
  const create: PlanStep = {
    description: `create ${p.name} from ${sourceLabel(p.source)} in ${dir}`,
    shows: [...reserve.shows, ...make.shows],
    check: async () => (p.start ? exists(created) : exists(path.join(dir, 'config')) && !exists(marker)),
    apply: async (progress) => {
      // a half-made container a killed run left (prepare checked that its owner is dead)
      if (p.leftover && exists(marker)) await removeAll();
      if (p.source.kind === 'clone') return cloneInHelper(p.source);
      if (!exists(marker)) await reserve.apply(progress);
      try {
        await make.apply(progress);
      } catch (e) {
        await removeAll().catch(() => undefined);
        throw e;
      }
      if (!p.start) await finish.apply(progress);
    },
    undo: removeAll,
  };
  return { kind: CREATE_KIND, title: `Create ${p.name} from ${sourceLabel(p.source)}`, params: p as unknown as Json, steps: p.start ? [create, start, finish] : [create] };
}

async function makeContainer(p: CreateParams, deps: CreateDeps, progress: (s: StepProgress) => void): Promise<void> {
  const dir = dirOf(p);
  const signal = deps.signal;
  let last = 0;
  const onLine = (line: string) => {
    const now = Date.now();
    if (now - last > 200) progress({ detail: line.slice(0, 120) });
    last = now;
  };
  fs.writeFileSync(path.join(dir, CONF), configFor(p));
  const fill = fillArgv(p);
  if (fill) {
    // lxc-create -t none wants the rootfs there already; made as the caller, liblxc hands it to the mapped root itself
    fs.mkdirSync(path.join(dir, 'rootfs'), { mode: 0o755 });
    if (p.source.kind === 'tar') {
      const names = (p.tar?.skip ?? []).flatMap((s) => [s.name, s.name.replace(/^\/+/, '')]);
      fs.writeFileSync(path.join(dir, 'lxcdeck-skip'), names.map((n) => `${n}\n`).join(''));
      const total = p.tar?.size ?? fs.statSync(p.source.path).size;
      if (fs.statSync(p.source.path).size !== total) throw new LxcdeckError('wrong-state', `${p.source.path} changed since it was checked`, 'run the command again');
      await runTool(fill, { signal, stdinFile: p.source.path, onBytes: (bytes) => progress({ bytes, totalBytes: total, detail: 'unpack' }), onLine });
    } else await runTool(fill, { signal, onLine });
  }
  await runTool(createArgv(p), { signal, onLine });
  // a template appends its own keys after ours (busybox: lxc.pty.max = 1): ours win, as the preview showed them.
  // No fsync: until the marker goes, a crash leaves a half-made container that is removed anyway.
  const file = path.join(dir, 'config');
  const text = fs.readFileSync(file, 'utf8');
  const edited = applyConfigEdits(text, p.edits);
  if (edited !== text) {
    fs.writeFileSync(`${file}.lxcdeck-tmp`, edited, { mode: fs.statSync(file).mode & 0o777 });
    fs.renameSync(`${file}.lxcdeck-tmp`, file);
  }
}

export function registerCreatePlan(registry: PlanRegistry, deps: CreateDeps): void {
  registry.register(CREATE_KIND, (j) => {
    const p = j as unknown as CreateParams;
    if (!p || typeof p.name !== 'string' || typeof p.lxcpath !== 'string' || !p.source) throw new LxcdeckError('internal', 'create plan journal is unreadable', 'remove the half-made container by hand, then delete the journal');
    return buildCreatePlan(p, deps);
  });
}
