import { LxcdeckError } from '../core/errors.js';
import { parseIdMapLines, type IdMapEntry } from '../core/idmap.js';
import type { IdMapSubject, OtherMap } from '../core/idmapCheck.js';
import type { Plan } from '../core/plan.js';
import { readIdMapSubject } from '../host/subid.js';
import { previewMapChange, proposedMap, type MapChangePreview, type MapChangeRequest } from '../idmap/change.js';
import type { ScanSummary } from '../idmap/scan.js';
import { walkerCommand } from '../idmap/walkerArgs.js';
import { rootfsDirectory } from '../lxc/idmaps.js';
import { findNativeFile } from '../lxc/native.js';
import type { CliContext } from './context.js';
import { IDMAP_SET_KIND, idmapSetPlan, type IdmapSetParams } from './idmapPlan.js';
import { scanRootfs } from './idmapScan.js';
import { chooseFilesPath, type FilesPath } from './idmapPath.js';
import { hostIdForRoot, parseIdMapEntry, withIdmapMount } from '../core/idmap.js';
import * as path from 'node:path';
import { readShiftMarker } from '../host/shiftMarker.js';

/**
 * `idmap set` up to its plan, shared by the CLI and the TUI's map editor:
 * read the maps (through liblxc) and /etc/subuid, work out the new map and
 * its preview, count what a shift touches, and build the one plan both apply.
 */
export type Scan = { summary: ScanSummary; problem: string | null } | null;

export interface PreparedChange {
  preview: MapChangePreview;
  subject: IdMapSubject;
  current: IdMapEntry[];
  others: OtherMap[];
  fileEnds: { u: number[]; g: number[] };
  /** The directory of a dir rootfs, '' for other backends. */
  dir: string;
  rootfsOptions: string | undefined;
}

/** The maps as `idmap set` and the editor read them. */
export function readMaps(ctx: CliContext, name: string): Omit<PreparedChange, 'preview' | 'dir'> & { state: MapChangePreview['state']; rootfs: string } {
  const mine = ctx.idmaps.idmapOf(name);
  if (mine.loadError) throw new LxcdeckError('liblxc-failed', mine.loadError, `fix the line liblxc names ('lxc-info -n ${name}' shows it)`);
  const { subject, fileEnds } = readIdMapSubject(ctx.fs, ctx.identity);
  // the maps of every lxcpath given: a free range must be free of them all
  const others = ctx.everyIdmap
    .idmaps()
    .filter((c) => c.name !== name)
    .map((c) => ({ name: c.name, entries: parseIdMapLines(c.values).entries }));
  const current = parseIdMapLines(mine.values);
  if (current.problems.length) throw new LxcdeckError('invalid-argument', `the current map of ${name} has an unreadable line ${current.problems[0]?.line}`, `see 'lxcdeck idmap check ${name}'`);
  return { subject, fileEnds, others, current: current.entries, state: mine.state, rootfs: mine.rootfs, rootfsOptions: mine.rootfsOptions };
}

export function prepareMapChange(ctx: CliContext, name: string, req: MapChangeRequest): PreparedChange {
  const m = readMaps(ctx, name);
  const next = proposedMap(m.current, req, m.subject, m.others, { fileEnds: m.fileEnds });
  const dir = rootfsDirectory(m.rootfs);
  const st = dir ? ctx.fs.stat(dir) : null;
  const preview = previewMapChange({ name, state: m.state, current: m.current, next, subject: m.subject, others: m.others, rootfs: { path: dir, owner: st ? { uid: st.uid, gid: st.gid } : null } });
  return { preview, subject: m.subject, current: m.current, others: m.others, fileEnds: m.fileEnds, dir, rootfsOptions: m.rootfsOptions };
}

/** What the walker would touch, counted by listing the tree as the walker would see it (null: nothing to walk). */
export async function scanChange(p: PreparedChange): Promise<Scan> {
  return p.preview.shift.needed && p.dir && p.preview.rootfs.owner ? scanRootfs(p.dir, p.current, p.preview.shift.translation, p.subject) : null;
}

/** The preview's line of which path a change takes and why. */
export function pathLine(path: FilesPath): string {
  const what = path.kind === 'idmapped' ? 'files: not re-owned, the rootfs is mounted idmapped (lxc.rootfs.options = idmap=container)' : path.kind === 'reown' ? 'files: re-owned to the new map by lxcdeck-shift' : 'files: unchanged';
  return `${what}: ${path.why}`;
}

/** Re-own or mount idmapped, and why (src/cli/idmapPath.ts). */
export function filesPath(ctx: CliContext, p: PreparedChange, reown = false): Promise<FilesPath> {
  return chooseFilesPath(p.preview, { root: ctx.identity.uid === 0, dir: p.dir, rootfsOptions: p.rootfsOptions, reown });
}

export function scanLine(scan: Scan): string {
  if (!scan) return 'files: not counted (not a directory rootfs, or its owner is not visible)';
  const s = scan.summary;
  const counted = `${s.inodes} inodes: ${s.changing} to re-own (${s.setid} setuid/setgid, their bits restored after chown), ${s.outside} owned by ids outside the old map (left as they are), ${s.unmapped} the new map cannot place`;
  return scan.problem ? `${counted}; incomplete: ${scan.problem}` : counted;
}

function pendingFor(ctx: CliContext, name: string) {
  return ctx.planExecutor().pendingJournals().find((j) => j.kind === IDMAP_SET_KIND && (j.params as { name?: unknown } | null)?.name === name) ?? null;
}

export { pendingFor };

/**
 * The plan of a change: refuses an invalid map, a running container and an
 * interrupted earlier change in one line each. `notes` go into the preview
 * (the counted files).
 */
export function buildSetPlan(ctx: CliContext, prep: PreparedChange, opts: { shift: boolean; path: FilesPath; notes?: string[]; total?: number }): Plan {
  const p = prep.preview;
  const dir = prep.dir;
  const error = p.findings.find((f) => f.severity === 'error');
  if (error) throw new LxcdeckError('invalid-argument', `the new map of ${p.name} is invalid: ${error.message}`, error.fix);
  if (p.blockers.length) throw new LxcdeckError('wrong-state', `${p.name} is ${p.state}`, `stop it first with 'lxcdeck stop ${p.name}'`);
  if (pendingFor(ctx, p.name)) throw new LxcdeckError('wrong-state', `an earlier idmap change of ${p.name} was interrupted`, `finish it with 'lxcdeck idmap set ${p.name} --resume' or undo it with --rollback`);
  let shift: IdmapSetParams['shift'] = null;
  const idmapped = opts.shift && opts.path.kind === 'idmapped';
  if (opts.shift && p.shift.needed && !idmapped) {
    if (!dir) throw new LxcdeckError('invalid-argument', `${p.name} has no directory rootfs to re-own`, 'only dir: rootfs can be shifted; change the map without --shift');
    const root = ctx.identity.uid === 0;
    const walker = findNativeFile('lxcdeck-shift');
    const journal = `${dir.replace(/\/+$/, '')}.lxcdeck-shift-journal`;
    const t = p.shift.translation;
    // the inverse in host ids: the same segments with from and to swapped
    const inverse = { segments: t.segments.map((s) => ({ ...s, from: s.to, to: s.from })).sort((a, b) => (a.kind === b.kind ? a.from - b.from : a.kind === 'u' ? -1 : 1)), unmapped: [] };
    // a tree counted for the preview already spares the walker its counting pass
    const ids = { root, journal, uid: ctx.identity.uid, gid: ctx.identity.gid, ...(opts.total !== undefined ? { total: opts.total } : {}) };
    shift = { argv: walkerCommand(walker, dir, t, ids).argv, inverse: walkerCommand(walker, dir, inverse, ids).argv };
  }
  // mounted idmapped: the files stay as they are, LXC maps them at mount time
  const options = idmapped ? [{ key: 'lxc.rootfs.options', values: [withIdmapMount(prep.rootfsOptions)] }] : [];
  const needsOptions = idmapped && withIdmapMount(prep.rootfsOptions) !== (prep.rootfsOptions ?? '').trim();
  const edits = [...(p.changed ? [{ key: 'lxc.idmap', values: p.new }] : []), ...(needsOptions ? options : [])];
  const config = edits.length ? ctx.backend.configEditor.prepare(p.name, edits, `idmap of ${p.name}`) : null;
  const marker = idmapped && dir ? { idmapped: { markerBefore: readShiftMarker(dir) } } : {};
  // root's container directories are 0770: a container whose root is not host root must be let in
  const newRoot = hostIdForRoot(prep.preview.new.map(parseIdMapEntry), 'u');
  const acl = (shift || config || idmapped) && ctx.identity.uid === 0 && dir && newRoot !== null && newRoot !== 0 ? { searchAcl: { dir: path.dirname(dir.replace(/\/+$/, '')), uid: newRoot } } : {};
  return idmapSetPlan({ name: p.name, rootfs: dir, old: p.old, new: p.new, shift, config, ...marker, ...acl, ...(opts.notes?.length ? { notes: opts.notes } : {}) }, ctx.backend.configEditor);
}
