import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { parseIdMapLines } from '../core/idmap.js';
import { findingLine } from '../core/idmapCheck.js';
import { readIdMapSubject } from '../host/subid.js';
import { previewMapChange, proposedMap, type MapChangePreview } from '../idmap/change.js';
import type { ScanSummary } from '../idmap/scan.js';
import { rootfsDirectory } from '../lxc/idmaps.js';
import { sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import { scanRootfs } from './idmapScan.js';
import { IDMAP_SET_KIND, idmapSetPlan, type IdmapSetParams } from './idmapPlan.js';
import { applyPlan, processTerminal } from './planOutput.js';
import { findNativeFile } from '../lxc/native.js';
import { walkerCommand } from '../idmap/walkerArgs.js';

/** `lxcdeck idmap set NAME ...`: the new map, its findings and the shift it needs (--dry-run), applied as a plan (src/cli/idmapPlan.ts). */

type Scan = { summary: ScanSummary; problem: string | null } | null;

function scanLine(scan: Scan): string {
  if (!scan) return 'files: not counted (not a directory rootfs, or its owner is not visible)';
  const s = scan.summary;
  const counted = `${s.inodes} inodes: ${s.changing} to re-own (${s.setid} setuid/setgid, their bits restored after chown), ${s.outside} owned by ids outside the old map (left as they are), ${s.unmapped} the new map cannot place`;
  return scan.problem ? `${counted}; incomplete: ${scan.problem}` : counted;
}

function formatPreview(p: MapChangePreview, shift: boolean, scan: Scan): string {
  const col = (k: string, vs: string[]) => (vs.length ? vs.map((v, i) => `${(i ? '' : k).padEnd(12)}${sanitize(v)}`) : [`${k.padEnd(12)}-`]);
  const r = p.rootfs;
  const owner = r.owner ? `owned by ${r.owner.uid}:${r.owner.gid}${r.matchesOldMap === true ? " (the old map's root)" : r.matchesOldMap === false ? ` — NOT the old map's root (${r.oldRoot.uid}:${r.oldRoot.gid}): a shift was forgotten, the translation below assumes the old map` : ''}` : 'owner not visible';
  const lines = [
    `idmap set ${sanitize(p.name)} (${p.state}): dry run, nothing changed`,
    ...col('old map', [p.old.join('; ') || 'none (privileged)']),
    ...col('new map', [p.new.join('; ')]),
    ...(p.changed ? col('config', p.configKeys) : ['config      no change']),
    ...col('rootfs', [r.path ? `${r.path} ${owner}` : 'not a directory rootfs']),
  ];
  if (p.shift.needed) {
    lines.push(...col('shift', p.shift.changes), ...col('walker ns', [p.shift.walkerMap.join('; ')]), `${''.padEnd(12)}${sanitize(scanLine(scan))}`);
    if (!shift) lines.push(`note: without --shift the files keep their old host owners and show as the wrong users (or nobody) inside: add --shift`);
  } else lines.push(...col('shift', ['none needed: no owner changes']));
  lines.push(...p.findings.map((f) => `${f.severity}: ${sanitize(findingLine(f))}`), ...p.blockers.map((b) => `blocked: ${sanitize(b)}`));
  return lines.join('\n');
}

export function registerIdmapSet(idmap: Command, io: CliIo, setStatus: (code: number) => void, context: (cmd: Command) => CliContext): void {
  idmap
    .command('set')
    .description('change a stopped container\'s map: a preset, explicit entries or a pass-through (preview with --dry-run)')
    .argument('<name>')
    .option('--preset <preset>', 'standard (the start of your range) or isolated (a slice no other container of yours uses)')
    .option('--map <entry>', "an entry 'u|g NSID HOSTID RANGE' (repeat for each)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--pass-through <uid[:gid]>', 'container id N maps to host id N (e.g. your own uid, for a bind-mounted home)')
    .option('--shift', 're-own the rootfs to the new map')
    .option('--dry-run', 'show the change and do nothing')
    .option('--resume', 'finish an interrupted change of this container (the walk goes on where it stopped)')
    .option('--rollback', 'undo an interrupted change of this container (every re-owned inode goes back)')
    .option('--json', 'print JSON (applying: one JSON line per event)')
    .action(async (name: string, opts: SetOptions, cmd: Command) => {
      const ctx = context(cmd);
      if (opts.resume || opts.rollback) return settle(ctx, io, name, opts);
      const source = ctx.idmaps;
      const mine = source.idmapOf(name);
      if (mine.loadError) throw new LxcdeckError('liblxc-failed', mine.loadError, `fix the line liblxc names ('lxc-info -n ${name}' shows it)`);
      const { subject, fileEnds } = readIdMapSubject(ctx.fs, ctx.identity);
      const others = source
        .idmaps()
        .filter((c) => c.name !== name)
        .map((c) => ({ name: c.name, entries: parseIdMapLines(c.values).entries }));
      const current = parseIdMapLines(mine.values);
      if (current.problems.length)
        throw new LxcdeckError('invalid-argument', `the current map of ${name} has an unreadable line ${current.problems[0]?.line}`, `see 'lxcdeck idmap check ${name}'`);
      const next = proposedMap(current.entries, { preset: opts.preset, maps: opts.map, passThrough: opts.passThrough }, subject, others, { fileEnds });
      const dir = rootfsDirectory(mine.rootfs);
      const st = dir ? ctx.fs.stat(dir) : null;
      const preview = previewMapChange({ name, state: mine.state, current: current.entries, next, subject, others, rootfs: { path: dir, owner: st ? { uid: st.uid, gid: st.gid } : null } });
      // what the walker would touch, counted by listing the tree (as the walker would see it)
      const scan = preview.shift.needed && dir && st ? await scanRootfs(dir, current.entries, preview.shift.translation, subject) : null;
      if (!opts.dryRun) return apply(ctx, io, preview, opts, dir);
      if (!preview.valid) setStatus(1);
      else if (preview.blockers.length) setStatus(4);
      io.out(opts.json ? JSON.stringify({ ...preview, shiftRequested: opts.shift ?? false, scan }, null, 2) : formatPreview(preview, opts.shift ?? false, scan));
    });
}

type SetOptions = { preset?: string; map?: string[]; passThrough?: string; shift?: boolean; dryRun?: boolean; resume?: boolean; rollback?: boolean; json?: boolean };

async function apply(ctx: CliContext, io: CliIo, p: MapChangePreview, opts: SetOptions, dir: string): Promise<void> {
  const error = p.findings.find((f) => f.severity === 'error');
  if (error) throw new LxcdeckError('invalid-argument', `the new map of ${p.name} is invalid: ${error.message}`, error.fix);
  if (p.blockers.length) throw new LxcdeckError('wrong-state', `${p.name} is ${p.state}`, `stop it first with 'lxcdeck stop ${p.name}'`);
  if (pendingFor(ctx, p.name)) throw new LxcdeckError('wrong-state', `an earlier idmap change of ${p.name} was interrupted`, `finish it with 'lxcdeck idmap set ${p.name} --resume' or undo it with --rollback`);
  let shift: IdmapSetParams['shift'] = null;
  if (opts.shift && p.shift.needed) {
    if (!dir) throw new LxcdeckError('invalid-argument', `${p.name} has no directory rootfs to re-own`, 'only dir: rootfs can be shifted; change the map without --shift');
    const root = ctx.identity.uid === 0;
    const walker = findNativeFile('lxcdeck-shift');
    const journal = `${dir.replace(/\/+$/, '')}.lxcdeck-shift-journal`;
    const t = p.shift.translation;
    // the inverse in host ids: the same segments with from and to swapped
    const inverse = { segments: t.segments.map((s) => ({ ...s, from: s.to, to: s.from })).sort((a, b) => (a.kind === b.kind ? a.from - b.from : a.kind === 'u' ? -1 : 1)), unmapped: [] };
    shift = { argv: walkerCommand(walker, dir, t, { root, journal, uid: ctx.identity.uid, gid: ctx.identity.gid }).argv, inverse: walkerCommand(walker, dir, inverse, { root, journal, uid: ctx.identity.uid, gid: ctx.identity.gid }).argv };
  }
  const config = p.changed ? ctx.backend.configEditor.prepare(p.name, [{ key: 'lxc.idmap', values: p.new }], `idmap of ${p.name}`) : null;
  const plan = idmapSetPlan({ name: p.name, rootfs: dir, old: p.old, new: p.new, shift, config }, ctx.backend.configEditor);
  if (!plan.steps.length) return io.out(sanitize(`${p.name}: the map is already ${p.new.join('; ')}, nothing to do`));
  const executor = ctx.planExecutor();
  await applyPlan(executor, () => executor.run(plan), processTerminal(), opts.json ? 'json' : 'text');
  if (!opts.json) io.out(sanitize(`${plan.title}: applied (${p.new.join('; ')})`));
}

function pendingFor(ctx: CliContext, name: string) {
  return ctx.planExecutor().pendingJournals().find((j) => j.kind === IDMAP_SET_KIND && (j.params as { name?: unknown } | null)?.name === name) ?? null;
}

async function settle(ctx: CliContext, io: CliIo, name: string, opts: SetOptions): Promise<void> {
  if (opts.resume && opts.rollback) throw new LxcdeckError('invalid-argument', '--resume and --rollback both given', 'give one of them');
  const j = pendingFor(ctx, name);
  if (!j) throw new LxcdeckError('not-defined', `no interrupted idmap change of ${name}`, "see 'lxcdeck plan ls'");
  const executor = ctx.planExecutor();
  await applyPlan(executor, () => (opts.resume ? executor.resume(j) : executor.rollback(j)), processTerminal(), opts.json ? 'json' : 'text');
  if (!opts.json) io.out(sanitize(`${j.title}: ${opts.resume ? 'applied' : 'rolled back'}`));
}
