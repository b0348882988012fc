import type { Command } from 'commander';
import { BACKINGS, type Backing } from '../core/createSource.js';
import { LxcdeckError } from '../core/errors.js';
import { validateContainerName } from '../core/names.js';
import { destroyContainer, overlayClones, removeSnapshot, restoreSnapshot, snapshotsOf, takeSnapshot } from '../lxc/copies.js';
import { buildCreatePlan } from '../lxc/createPlan.js';
import { buildRenamePlan, prepareRename } from '../lxc/rename.js';
import { PlanExecutor } from '../plan/executor.js';
import { formatTable, sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import { createDeps, withInterrupt } from './create.js';
import { prepareCreate } from './createPrepare.js';
import type { CliIo } from './io.js';
import { guardOriginal } from './overlayGuard.js';
import { applyPlan, printPlan, processTerminal } from './planOutput.js';

/** clone, snapshot (ls, restore, rm), rename, destroy: copies and the end of a container's life. */

function defined(c: CliContext, name: string): void {
  validateContainerName(name);
  if (!c.backend.isDefined(name)) throw new LxcdeckError('not-defined', `container ${name} is not defined in ${c.backend.lxcpath}`, "see 'lxcdeck ls'");
}

const running = (c: CliContext, name: string) => c.backend.isDefined(name) && c.backend.state(name) !== 'STOPPED';

export function registerManageCommands(program: Command, io: CliIo, context: (cmd: Command) => CliContext): void {
  program
    .command('clone')
    .description('copy a container (--snapshot: an overlay clone that shares the original rootfs, instant)')
    .argument('<old>')
    .argument('<new>')
    .option('--snapshot', 'an overlay (or btrfs) snapshot clone instead of a full copy')
    .option('--backing <kind>', `storage of the copy: ${BACKINGS.join(', ')}`)
    .option('--start', 'start the copy once it is made')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--json', 'one JSON line per event')
    .action(async (from: string, to: string, opts: { snapshot?: boolean; backing?: string; start?: boolean; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.backing !== undefined && !(BACKINGS as readonly string[]).includes(opts.backing)) throw new LxcdeckError('invalid-argument', `unknown backing ${JSON.stringify(opts.backing)}`, `use ${BACKINGS.join(', ')}`);
      const c = context(cmd);
      validateContainerName(from);
      const source = { kind: 'clone' as const, from, ...(opts.snapshot ? { snapshot: true } : {}), ...(opts.backing ? { backing: opts.backing as Backing } : {}) };
      const params = await prepareCreate(c, { name: to, source, limits: {}, start: opts.start });
      const mode = opts.json ? 'json' : 'text';
      if (opts.dryRun) return printPlan(buildCreatePlan(params, createDeps(c)), processTerminal(), mode);
      await withInterrupt(async (signal) => {
        // a snapshot clone takes milliseconds: no journal (its fsyncs would triple that); the marker in the
        // new directory names its owner, so a clone killed half-way is removed by the next create of the name
        const executor = opts.snapshot ? new PlanExecutor({ journals: null }) : c.planExecutor();
        await applyPlan(executor, () => executor.run(buildCreatePlan(params, createDeps(c, signal))), processTerminal(), mode);
      });
      if (mode === 'text') io.out(sanitize(`${to}: ${opts.snapshot ? 'snapshot clone' : 'copy'} of ${from}`));
    });

  program
    .command('snapshot')
    .description('snapshot a container: snapshot NAME [--comment T] | snapshot ls NAME | snapshot restore NAME SNAP [--as NEW] | snapshot rm NAME SNAP')
    .argument('<name-or-verb>')
    .argument('[args...]')
    .option('--comment <text>', 'a note kept with the snapshot')
    .option('--as <new>', 'restore: into a new container instead of over NAME')
    .option('--json', 'print JSON')
    .action(async (first: string, rest: string[], opts: { comment?: string; as?: string; json?: boolean }, cmd: Command) => {
      const c = context(cmd);
      const lxcpath = c.backend.lxcpath;
      const verb = ['ls', 'restore', 'rm'].includes(first) ? first : 'take';
      const [name, snap] = verb === 'take' ? [first, undefined] : rest;
      const need = verb === 'take' || verb === 'ls' ? 0 : 1;
      if (!name || (need && !snap) || rest.length > (verb === 'take' ? 0 : need + 1)) throw new LxcdeckError('invalid-argument', `wrong arguments for snapshot ${verb === 'take' ? '' : verb}`.trim(), 'use snapshot NAME | snapshot ls NAME | snapshot restore NAME SNAP [--as NEW] | snapshot rm NAME SNAP');
      defined(c, name);
      if (verb === 'ls') {
        const snaps = snapshotsOf(lxcpath, name);
        if (opts.json) return io.out(JSON.stringify(snaps, null, 2));
        if (!snaps.length) return io.out(`${name} has no snapshots`);
        return io.out(formatTable(['SNAPSHOT', 'TIME', 'COMMENT'], snaps.map((s) => [s.name, s.time, sanitize(s.comment) || '-'])));
      }
      if (verb === 'take') {
        const s = await takeSnapshot(lxcpath, name, opts.comment);
        return io.out(opts.json ? JSON.stringify(s) : sanitize(`${name}: snapshot ${s.name} taken (${s.time})`));
      }
      if (verb === 'rm') {
        await removeSnapshot(lxcpath, name, snap as string);
        return io.out(`${name}: snapshot ${snap} removed`);
      }
      if (opts.as) {
        validateContainerName(opts.as);
        if (c.backend.isDefined(opts.as)) throw new LxcdeckError('wrong-state', `container ${opts.as} already exists`, 'choose another name for --as');
      } else {
        if (running(c, name)) throw new LxcdeckError('wrong-state', `container ${name} is running`, `stop it first, or restore into a new container with --as NEW`);
        // liblxc refuses it too ("container rootfs has dependent snapshots")
        const clones = overlayClones(lxcpath, name);
        if (clones.length) throw new LxcdeckError('wrong-state', `${name} is the lower layer of its overlay clones (${clones.join(', ')}): restoring over it would pull their rootfs away`, `restore into a new container with --as NEW, or destroy ${clones.join(', ')} first`);
      }
      await restoreSnapshot(lxcpath, name, snap as string, opts.as ?? null);
      io.out(sanitize(`${opts.as ?? name}: restored from ${name} ${snap}`));
    });

  program
    .command('rename')
    .description('rename a stopped container: a directory rename plus a rewrite of the paths naming it (snapshots and overlay clones follow)')
    .argument('<old>')
    .argument('<new>')
    .option('--force', 'go on although overlay clones depend on it (they are rewritten too)')
    .option('--dry-run', 'print the plan, change nothing')
    .option('--json', 'one JSON line per event')
    .action(async (from: string, to: string, opts: { force?: boolean; dryRun?: boolean; json?: boolean }, cmd: Command) => {
      const c = context(cmd);
      const params = prepareRename(c.backend.lxcpath, from, to, (n) => running(c, n));
      const plan = buildRenamePlan(params);
      const mode = opts.json ? 'json' : 'text';
      if (opts.dryRun) return printPlan(plan, processTerminal(), mode);
      await guardOriginal(c.backend.lxcpath, from, 'rename', io, opts.force);
      // no journal: an interrupted rename is finished by running it again (see lxc/rename.ts)
      const executor = new PlanExecutor({ journals: null });
      await applyPlan(executor, () => executor.run(plan), processTerminal(), mode);
      if (mode === 'text') io.out(sanitize(`renamed ${from} to ${to}`));
    });

  program
    .command('destroy')
    .description('destroy a stopped container and its rootfs')
    .argument('<name>')
    .option('-f, --force', 'kill it first if it is running, and go on although overlay clones depend on it')
    .option('--with-snapshots', 'destroy its snapshots too')
    .action(async (name: string, opts: { force?: boolean; withSnapshots?: boolean }, cmd: Command) => {
      const c = context(cmd);
      defined(c, name);
      const state = c.backend.state(name);
      if (state !== 'STOPPED' && !opts.force) throw new LxcdeckError('wrong-state', `container ${name} is ${state}`, 'stop it first, or pass --force');
      const clones = overlayClones(c.backend.lxcpath, name);
      await guardOriginal(c.backend.lxcpath, name, 'destroy', io, opts.force);
      if (clones.length) throw new LxcdeckError('wrong-state', `${name} is the lower layer of ${clones.join(', ')}: destroying it would leave them without a rootfs`, `destroy ${clones.join(', ')} first`);
      if (state !== 'STOPPED') await c.backend.kill(name);
      const kept = await destroyContainer(c.backend.lxcpath, name, opts.withSnapshots ?? false);
      if (kept) io.out(sanitize(`${name} destroyed; its rootfs ${kept} was used in place and is kept`));
    });
}
