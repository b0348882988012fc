import { LxcdeckError } from '../core/errors.js';
import type { Json, Plan, PlanStep } from '../core/plan.js';
import * as fs from 'node:fs';
import { markerPath, readShiftMarker, writeShiftMarker, type ShiftMarker } from '../host/shiftMarker.js';
import type { ConfigEditParams, LiblxcConfigEditor } from '../lxc/configEdit.js';
import type { PlanRegistry } from '../plan/registry.js';
import { runWalker } from './shiftWalker.js';
import { execFile } from 'node:child_process';

const tool = (argv: string[]) =>
  new Promise<string>((resolve, reject) => execFile(argv[0] as string, argv.slice(1), (err, stdout, stderr) => (err ? reject(new LxcdeckError('permission', `${argv.join(' ')} failed: ${stderr.trim() || err.message}`, 'install the acl package, or give the container root search (x) access to the directory by hand')) : resolve(stdout))));

/** `setfacl -m u:UID:x DIR`, undone with `setfacl -x u:UID DIR` (unless the entry was there before). */
function searchAclStep(a: { dir: string; uid: number }): PlanStep {
  // skipped as done already: the entry was there before, and stays on undo
  let had = true;
  const present = async () => (await tool(['getfacl', '-n', '-p', '--omit-header', a.dir])).split('\n').some((l) => new RegExp(`^user:${a.uid}:..x`).test(l));
  return {
    description: `let the container's root (host uid ${a.uid}) search ${a.dir}`,
    shows: [{ kind: 'command', argv: ['setfacl', '-m', `u:${a.uid}:x`, a.dir] }],
    check: present,
    async apply() {
      had = await present();
      await tool(['setfacl', '-m', `u:${a.uid}:x`, a.dir]);
    },
    async undo() {
      if (!had) await tool(['setfacl', '-x', `u:${a.uid}`, a.dir]);
    },
  };
}

/**
 * `idmap set` applied: a plan of two steps on a stopped container.
 *   1. (with --shift) re-own the rootfs: native/lxcdeck-shift with the
 *      translation (a marker next to the rootfs says `shifting` meanwhile);
 *      undone by the same walker with the inverse translation.
 *   2. lxc.idmap: the text-preserving config edit of src/lxc/configEdit.ts
 *      (liblxc judges each value, the file is replaced atomically; liblxc's
 *      own save_config would fork a chown of the container dir from Node).
 * The config changes only after the walk completes. The params hold both
 * command lines, so a journal rebuilds the identical plan after kill -9.
 */
export const IDMAP_SET_KIND = 'idmap.set';

export interface IdmapSetParams {
  name: string;
  rootfs: string;
  old: string[];
  new: string[];
  /** Walker command lines (forward, inverse), null without a shift. */
  shift: { argv: string[]; inverse: string[] } | null;
  /** The config edit (null when the map does not change). */
  config: ConfigEditParams | null;
  /** Lines for the preview (the files a shift touches, which path and why). */
  notes?: string[];
  /** The rootfs is mounted idmapped instead of re-owned (lxc.rootfs.options is in `config`); the marker it had. */
  idmapped?: { markerBefore: ShiftMarker | null };
  /** As root: the container directory gets an ACL entry so the new map's root can search it (LXC refuses to start otherwise). */
  searchAcl?: { dir: string; uid: number };
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function parseParams(p: Json): IdmapSetParams {
  const o = p as unknown as IdmapSetParams;
  const lines = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!o || typeof o.name !== 'string' || typeof o.rootfs !== 'string' || !lines(o.old) || !lines(o.new) || (o.shift !== null && !(lines(o.shift?.argv) && lines(o.shift?.inverse))) || o.config === undefined)
    throw new LxcdeckError('invalid-argument', 'an idmap.set journal has unusable params', 'settle it by hand, then drop it with lxcdeck plan forget');
  return o;
}

function shiftStep(p: IdmapSetParams, shift: NonNullable<IdmapSetParams['shift']>): PlanStep {
  const toOld = () => writeShiftMarker(p.rootfs, { state: 'shifted', map: p.old });
  return {
    description: `re-own ${p.rootfs} from ${p.old.join('; ') || 'host ids'} to ${p.new.join('; ')}`,
    shows: [{ kind: 'command', argv: shift.argv }],
    async check() {
      const m = readShiftMarker(p.rootfs);
      return m?.state === 'shifted' && same(m.map, p.new);
    },
    async apply(progress) {
      writeShiftMarker(p.rootfs, { state: 'shifting', from: p.old, to: p.new });
      try {
        await runWalker(shift.argv, progress);
      } catch (e) {
        // take back the partial walk: every inode it moved goes back (the inverse skips those it never reached)
        await runWalker(shift.inverse, () => undefined);
        toOld();
        throw e;
      }
      writeShiftMarker(p.rootfs, { state: 'shifted', map: p.new });
    },
    async undo() {
      writeShiftMarker(p.rootfs, { state: 'shifting', from: p.new, to: p.old });
      await runWalker(shift.inverse, () => undefined);
      toOld();
    },
  };
}

/** The marker says the files keep container ids and the rootfs is mounted idmapped; undone to the marker there was. */
function idmappedStep(p: IdmapSetParams, before: ShiftMarker | null): PlanStep {
  const mine: ShiftMarker = { state: 'shifted', map: [], mount: 'idmapped' };
  return {
    description: `record in ${markerPath(p.rootfs)}: the files keep container ids, LXC mounts the rootfs idmapped`,
    shows: [],
    async check() {
      const m = readShiftMarker(p.rootfs);
      return m?.state === 'shifted' && m.mount === 'idmapped' && m.map.length === 0;
    },
    async apply() {
      writeShiftMarker(p.rootfs, mine);
    },
    async undo() {
      if (before) writeShiftMarker(p.rootfs, before);
      else fs.rmSync(markerPath(p.rootfs), { force: true });
    },
  };
}

export function idmapSetPlan(p: IdmapSetParams, editor: LiblxcConfigEditor): Plan {
  const steps = [...(p.shift ? [shiftStep(p, p.shift)] : []), ...(p.config ? editor.build(p.config).steps : []), ...(p.idmapped && p.rootfs ? [idmappedStep(p, p.idmapped.markerBefore)] : []), ...(p.searchAcl ? [searchAclStep(p.searchAcl)] : [])];
  // the notes (files counted, which path and why) under the first step
  const notes = (p.notes ?? []).map((text) => ({ kind: 'note' as const, text }));
  const [first, ...rest] = steps;
  const shown = first && notes.length ? [{ ...first, shows: [...first.shows, ...notes] }, ...rest] : steps;
  const how = p.shift ? ' with shift' : p.idmapped ? ' (idmapped rootfs mount)' : '';
  return { kind: IDMAP_SET_KIND, title: `idmap set ${p.name}${how}`, params: p as unknown as Json, steps: shown };
}

export function registerIdmapPlan(registry: PlanRegistry, editor: LiblxcConfigEditor): void {
  registry.register(IDMAP_SET_KIND, (params) => idmapSetPlan(parseParams(params), editor));
}
