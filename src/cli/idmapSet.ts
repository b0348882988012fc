import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { findingLine } from '../core/idmapCheck.js';
import type { MapChangePreview } from '../idmap/change.js';
import { sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import { buildSetPlan, filesPath, pathLine, pendingFor, prepareMapChange, scanChange, scanLine, type Scan } from './idmapPrepare.js';
import type { FilesPath } from './idmapPath.js';
import { applyPlan, processTerminal } from './planOutput.js';

/** `lxcdeck idmap set NAME ...`: the new map, its findings and the shift it needs (--dry-run), applied as a plan (src/cli/idmapPrepare.ts builds it, src/cli/idmapPlan.ts runs it). */

function formatPreview(p: MapChangePreview, shift: boolean, scan: Scan, path: FilesPath): string {
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
  if (shift && path.kind !== 'reown') lines.push(...col('files', [pathLine(path).replace(/^files: /, '')]));
  else if (p.shift.needed) {
    if (shift) lines.push(...col('files', [pathLine(path).replace(/^files: /, '')]));
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
    .option('--shift', 'make the rootfs right for the new map: as root on a filesystem that takes idmapped mounts, lxc.rootfs.options = idmap=container; otherwise the files are re-owned')
    .option('--reown', 'with --shift: re-own the files even where an idmapped mount would do')
    .option('--dry-run', 'show the change and do nothing')
    .option('--resume', 'finish an interrupted change of this container (the walk goes on where it stopped)')
    .option('--rollback', 'undo an interrupted change of this container (every re-owned inode goes back)')
    .option('--json', 'print JSON (applying: one JSON line per event)')
    .action(async (name: string, opts: SetOptions, cmd: Command) => {
      const ctx = context(cmd);
      if (opts.resume || opts.rollback) return settle(ctx, io, name, opts);
      const prep = prepareMapChange(ctx, name, { preset: opts.preset, maps: opts.map, passThrough: opts.passThrough });
      const path = await filesPath(ctx, prep, opts.reown ?? false);
      if (!opts.dryRun) return apply(ctx, io, prep, opts, path);
      const preview = prep.preview;
      const scan = path.kind === 'idmapped' && opts.shift ? null : await scanChange(prep);
      if (!preview.valid) setStatus(1);
      else if (preview.blockers.length) setStatus(4);
      io.out(opts.json ? JSON.stringify({ ...preview, shiftRequested: opts.shift ?? false, files: path, scan }, null, 2) : formatPreview(preview, opts.shift ?? false, scan, path));
    });
}

type SetOptions = { preset?: string; map?: string[]; passThrough?: string; shift?: boolean; reown?: boolean; dryRun?: boolean; resume?: boolean; rollback?: boolean; json?: boolean };

async function apply(ctx: CliContext, io: CliIo, prep: Parameters<typeof buildSetPlan>[1], opts: SetOptions, path: FilesPath): Promise<void> {
  const plan = buildSetPlan(ctx, prep, { shift: opts.shift ?? false, path, ...(opts.shift ? { notes: [pathLine(path)] } : {}) });
  const p = prep.preview;
  if (!plan.steps.length) return io.out(sanitize(`${p.name}: the map is already ${p.new.join('; ')}, nothing to do`));
  const executor = ctx.planExecutor();
  await applyPlan(executor, () => executor.run(plan), processTerminal(), opts.json ? 'json' : 'text');
  if (!opts.json) io.out(sanitize(`${plan.title}: applied (${p.new.join('; ')})`));
}

async function settle(ctx: CliContext, io: CliIo, name: string, opts: SetOptions): Promise<void> {
  if (opts.resume && opts.rollback) throw new LxcdeckError('invalid-argument', '--resume and --rollback both given', 'give one of them');
  const j = pendingFor(ctx, name);
  if (!j) throw new LxcdeckError('not-defined', `no interrupted idmap change of ${name}`, "see 'lxcdeck plan ls'");
  const executor = ctx.planExecutor();
  await applyPlan(executor, () => (opts.resume ? executor.resume(j) : executor.rollback(j)), processTerminal(), opts.json ? 'json' : 'text');
  if (!opts.json) io.out(sanitize(`${j.title}: ${opts.resume ? 'applied' : 'rolled back'}`));
}
