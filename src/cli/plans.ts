import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { formatTable, sanitize } from '../presentation/format.js';
import type { PlanExecutor } from '../plan/executor.js';
import type { JournalStore, PlanJournal } from '../plan/journal.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import { applyPlan, processTerminal } from './planOutput.js';

/** `lxcdeck plan ls|resume|rollback|forget`: plans a kill -9 or a failed undo left half-done. */

function stepsText(j: PlanJournal): string {
  const applied = j.steps.filter((s) => s.status === 'applied').length;
  const open = j.steps.findIndex((s) => s.status === 'applying' || s.status === 'undoing');
  return `${applied}/${j.steps.length} applied${open >= 0 ? `, step ${open + 1} interrupted` : ''}`;
}

/** Both journal stores: durable plans (container configs) and network plans under /run. */
function stores(c: CliContext): { store: JournalStore; executor: () => PlanExecutor }[] {
  const durable = { store: c.journals, executor: () => c.planExecutor() };
  if (c.volatileJournals.dir === c.journals.dir) return [durable];
  return [durable, { store: c.volatileJournals, executor: () => c.planExecutor('volatile') }];
}

function allPending(c: CliContext): PlanJournal[] {
  return stores(c).flatMap((s) => s.executor().pendingJournals());
}

/** An interrupted journal and the store (and executor) it belongs to. */
function pendingJournal(c: CliContext, id: string): { j: PlanJournal; store: JournalStore; executor: PlanExecutor } {
  for (const s of stores(c)) {
    const executor = s.executor();
    const j = executor.pendingJournals().find((x) => x.id === id);
    if (j) return { j, store: s.store, executor };
  }
  const live = stores(c).map((s) => s.store.get(id)).find((x) => x !== null);
  if (live) throw new LxcdeckError('wrong-state', `plan ${id} is still being applied by process ${live.owner.pid}`, 'wait for it to finish');
  throw new LxcdeckError('not-defined', `no interrupted plan ${JSON.stringify(id)}`, "see 'lxcdeck plan ls'");
}

export function registerPlanCommands(program: Command, io: CliIo, context: (cmd: Command) => CliContext): void {
  const plan = program.command('plan').description('plans left half-done by a crash or a failed undo: list, resume, roll back');

  plan
    .command('ls')
    .description('list interrupted plans')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const pending = allPending(context(cmd));
      if (opts.json) return io.out(JSON.stringify(pending, null, 2));
      if (!pending.length) return io.out('no interrupted plans');
      io.out(formatTable(['ID', 'STATE', 'STEPS', 'TITLE'], pending.map((j) => [j.id, j.state, stepsText(j), sanitize(j.title)])));
    });

  plan
    .command('forget')
    .description('drop an interrupted plan\'s journal without touching anything (after settling it by hand)')
    .argument('<id>')
    .action((id: string, _opts: unknown, cmd: Command) => {
      const { j, store } = pendingJournal(context(cmd), id);
      store.remove(j.id);
      io.out(sanitize(`${j.title}: journal ${j.id} removed; nothing else was changed`));
    });

  for (const [verb, doc] of [
    ['resume', 'finish an interrupted plan (steps found done are skipped)'],
    ['rollback', 'undo what an interrupted plan applied, newest step first'],
  ] as const) {
    plan
      .command(verb)
      .description(doc)
      .argument('<id>')
      .option('--json', 'one JSON line per event')
      .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
        const { j, executor } = pendingJournal(context(cmd), id);
        await applyPlan(executor, () => (verb === 'resume' ? executor.resume(j) : executor.rollback(j)), processTerminal(), opts.json ? 'json' : 'text');
        if (!opts.json) io.out(sanitize(`${j.title}: ${verb === 'resume' ? 'applied' : 'rolled back'}`));
      });
  }
}
