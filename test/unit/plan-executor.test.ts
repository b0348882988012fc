import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';
import type { Json, Plan, PlanEvent, PlanStep, StepProgress } from '../../src/core/plan.js';
import { processMark } from '../../src/host/liveness.js';
import { PlanExecutor } from '../../src/plan/executor.js';
import { JournalStore, type PlanJournal } from '../../src/plan/journal.js';
import { PlanRegistry } from '../../src/plan/registry.js';

/**
 * Fake steps over a shared "world" (a set of facts): a step's effect is one
 * fact; check() asks for it, apply() adds it, undo() removes it. Every call
 * is logged so order can be asserted.
 */
interface World {
  facts: Set<string>;
  log: string[];
}

interface FakeSpec {
  fact: string;
  failApply?: string;
  failUndo?: string;
  progress?: StepProgress[];
  /** Called inside apply, before the fact is added (to look at the journal mid-step). */
  during?: () => void;
}

function fakeStep(w: World, s: FakeSpec): PlanStep {
  return {
    description: `make ${s.fact}`,
    shows: [{ kind: 'command', argv: ['touch', s.fact] }],
    check: async () => {
      w.log.push(`check ${s.fact}`);
      return w.facts.has(s.fact);
    },
    apply: async (progress) => {
      w.log.push(`apply ${s.fact}`);
      for (const p of s.progress ?? []) progress(p);
      s.during?.();
      if (s.failApply) throw new LxcdeckError('liblxc-failed', s.failApply, 'try again');
      w.facts.add(s.fact);
    },
    undo: async () => {
      w.log.push(`undo ${s.fact}`);
      if (s.failUndo) throw new Error(s.failUndo);
      w.facts.delete(s.fact);
    },
  };
}

function fakePlan(w: World, specs: FakeSpec[]): Plan {
  return { kind: 'test.fake', title: 'fake plan', params: specs.map((s) => s.fact), steps: specs.map((s) => fakeStep(w, s)) };
}

let dir: string;
let journals: JournalStore;
let world: World;
let events: PlanEvent[];

function executor(registry?: PlanRegistry): PlanExecutor {
  const ex = new PlanExecutor({ journals, registry });
  ex.onEvent((e) => events.push(e));
  return ex;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-plan-'));
  journals = new JournalStore(path.join(dir, 'plans'));
  world = { facts: new Set(), log: [] };
  events = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const journalFiles = () => (fs.existsSync(journals.dir) ? fs.readdirSync(journals.dir) : []);

describe('PlanExecutor', () => {
  it('applies steps in order, checking each first, and removes its journal when done', async () => {
    const res = await executor().run(fakePlan(world, [{ fact: 'a' }, { fact: 'b' }, { fact: 'c' }]));
    expect(res.outcome).toBe('applied');
    expect(res.applied).toEqual([0, 1, 2]);
    expect(world.log).toEqual(['check a', 'apply a', 'check b', 'apply b', 'check c', 'apply c']);
    expect([...world.facts]).toEqual(['a', 'b', 'c']);
    expect(journalFiles()).toEqual([]);
    expect(events.map((e) => `${e.type}${'phase' in e ? `:${e.phase}` : ''}`)).toEqual([
      'plan',
      'step:start',
      'step:done',
      'step:start',
      'step:done',
      'step:start',
      'step:done',
      'result',
    ]);
  });

  it('skips a step whose check() says it is done, and never undoes it', async () => {
    world.facts.add('b');
    const res = await executor().run(fakePlan(world, [{ fact: 'a' }, { fact: 'b' }, { fact: 'c', failApply: 'disk on fire' }]));
    expect(res.skipped).toEqual([1]);
    expect(world.log).not.toContain('apply b');
    expect(world.log).not.toContain('undo b');
    expect(world.facts.has('b')).toBe(true);
    expect(events.find((e) => e.type === 'step' && e.index === 1 && e.phase === 'skip')).toBeTruthy();
  });

  it('on a failure undoes the steps applied before it in reverse (not the failing one, which cleans up itself), and reports the failing step and why', async () => {
    const res = await executor().run(fakePlan(world, [{ fact: 'a' }, { fact: 'b' }, { fact: 'c', failApply: 'no space left' }, { fact: 'd' }]));
    expect(res.outcome).toBe('rolled-back');
    expect(res.failed).toMatchObject({ index: 2, description: 'make c', message: 'no space left: try again' });
    expect((res.failed?.error as LxcdeckError).code).toBe('liblxc-failed');
    expect(world.log.filter((l) => l.startsWith('undo'))).toEqual(['undo b', 'undo a']);
    expect(world.log).not.toContain('check d');
    expect(world.facts.size).toBe(0);
    expect(res.applied).toEqual([0, 1]);
    expect(res.undone).toEqual([1, 0]);
    expect(journalFiles()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'result', outcome: 'rolled-back', failedStep: 2, error: 'no space left: try again' });
  });

  it('a failing check() fails the plan without applying or undoing that step', async () => {
    const plan = fakePlan(world, [{ fact: 'a' }, { fact: 'b' }]);
    const broken: PlanStep = { ...(plan.steps[1] as PlanStep), check: async () => Promise.reject(new Error('cannot read /etc/x')) };
    const res = await executor().run({ ...plan, steps: [plan.steps[0] as PlanStep, broken] });
    expect(res.failed).toMatchObject({ index: 1, message: 'cannot read /etc/x' });
    expect(world.log).toEqual(['check a', 'apply a', 'undo a']);
  });

  it('an undo that fails stops the rollback and keeps the journal (stuck) for a later rollback', async () => {
    const specs: FakeSpec[] = [{ fact: 'a' }, { fact: 'b', failUndo: 'device busy' }, { fact: 'c', failApply: 'boom' }, { fact: 'd' }];
    const res = await executor().run(fakePlan(world, specs));
    expect(res.outcome).toBe('rollback-failed');
    expect(res.undoFailures).toMatchObject([{ index: 1, message: 'device busy' }]);
    expect(world.log.filter((l) => l.startsWith('undo'))).toEqual(['undo b']);
    const [j] = journals.list();
    expect(j?.state).toBe('stuck');
    expect(j?.steps.map((s) => s.status)).toEqual(['applied', 'undoing', 'failed', 'pending']);
    expect(j?.error).toBe('boom: try again; undo: device busy');
    // our own process owns it: it is not "pending" until this process is gone, but rollback may take it
    const registry = new PlanRegistry();
    delete specs[1]?.failUndo;
    registry.register('test.fake', () => fakePlan(world, specs));
    world.log = [];
    const again = await executor(registry).rollback(j as PlanJournal);
    expect(again.outcome).toBe('rolled-back');
    // the failed step and the pending one are not undone
    expect(world.log).toEqual(['undo b', 'undo a']);
    expect(world.facts.size).toBe(0);
    expect(journalFiles()).toEqual([]);
  });

  it('forwards a step\'s progress as typed events with its index', async () => {
    const progress: PlanEvent[] = [];
    const ex = executor();
    ex.onProgress((e) => progress.push(e));
    const steps: string[] = [];
    ex.onStep((e) => steps.push(`${e.index}:${e.phase}`));
    await ex.run(fakePlan(world, [{ fact: 'a' }, { fact: 'b', progress: [{ count: 1, total: 2 }, { count: 2, total: 2, bytes: 4096 }] }]));
    expect(progress).toEqual([
      { type: 'progress', plan: expect.any(String), index: 1, count: 1, total: 2 },
      { type: 'progress', plan: expect.any(String), index: 1, count: 2, total: 2, bytes: 4096 },
    ]);
    expect(steps).toEqual(['0:start', '0:done', '1:start', '1:done']);
  });

  it('journals each step before and after it runs: mid-step the journal says applied, applying, pending', async () => {
    let seen: PlanJournal | undefined;
    const plan = fakePlan(world, [{ fact: 'a' }, { fact: 'b', during: () => (seen = journals.list()[0]) }, { fact: 'c' }]);
    await executor().run(plan);
    expect(seen?.kind).toBe('test.fake');
    expect(seen?.params).toEqual(['a', 'b', 'c']);
    expect(seen?.owner).toEqual(processMark());
    expect(seen?.steps).toEqual([
      { description: 'make a', status: 'applied' },
      { description: 'make b', status: 'applying' },
      { description: 'make c', status: 'pending' },
    ]);
    // written with mode 0600 in a 0700 directory: plans can hold config texts
    expect(fs.statSync(journals.dir).mode & 0o777).toBe(0o700);
  });

  it('runs without a journal when given none', async () => {
    const ex = new PlanExecutor({ journals: null });
    expect((await ex.run(fakePlan(world, [{ fact: 'a' }]))).plan).toBeNull();
    expect(ex.pendingJournals()).toEqual([]);
  });
});

describe('resume and rollback of a journal left by a dead process', () => {
  /** A journal as a process killed during step `at` leaves it. */
  function deadJournal(specs: FakeSpec[], statuses: PlanJournal['steps'][number]['status'][]): PlanJournal {
    const plan = fakePlan(world, specs);
    const j = journals.begin(plan);
    j.steps.forEach((s, i) => (s.status = statuses[i] ?? 'pending'));
    // a pid that cannot be alive
    j.owner = { pid: 2 ** 22 + 12345, start: '1' };
    journals.save(j);
    return j;
  }

  const registryFor = (specs: FakeSpec[]) => {
    const r = new PlanRegistry();
    r.register('test.fake', (params: Json) => {
      expect(params).toEqual(specs.map((s) => s.fact));
      return fakePlan(world, specs);
    });
    return r;
  };

  it('pendingJournals lists it; resume finds the done steps by check() and applies the rest', async () => {
    const specs = [{ fact: 'a' }, { fact: 'b' }, { fact: 'c' }];
    world.facts.add('a');
    world.facts.add('b'); // b's apply had finished, the journal had not been written yet
    deadJournal(specs, ['applied', 'applying']);
    const ex = executor(registryFor(specs));
    const [j] = ex.pendingJournals();
    expect(j?.steps.map((s) => s.status)).toEqual(['applied', 'applying', 'pending']);
    const res = await ex.resume(j as PlanJournal);
    expect(res.outcome).toBe('applied');
    expect(world.log).toEqual(['check a', 'check b', 'check c', 'apply c']);
    expect(res.applied).toEqual([0, 1, 2]);
    expect(events[0]).toMatchObject({ type: 'plan', resumed: true });
    expect(journalFiles()).toEqual([]);
  });

  it('a resumed plan that fails undoes the steps the first run applied too', async () => {
    const specs = [{ fact: 'a' }, { fact: 'b', failApply: 'still broken' }];
    world.facts.add('a');
    deadJournal(specs, ['applied', 'applying']);
    const ex = executor(registryFor(specs));
    const res = await ex.resume(ex.pendingJournals()[0] as PlanJournal);
    expect(res.outcome).toBe('rolled-back');
    expect(world.log.filter((l) => l.startsWith('undo'))).toEqual(['undo a']);
    expect(world.facts.size).toBe(0);
  });

  it('rollback undoes the applied and the interrupted step, newest first, and not the pending ones', async () => {
    const specs = [{ fact: 'a' }, { fact: 'b' }, { fact: 'c' }];
    world.facts.add('a');
    world.facts.add('b');
    deadJournal(specs, ['applied', 'applying', 'pending']);
    const ex = executor(registryFor(specs));
    const res = await ex.rollback(ex.pendingJournals()[0] as PlanJournal);
    expect(res.outcome).toBe('rolled-back');
    expect(world.log).toEqual(['undo b', 'undo a']);
    expect(journalFiles()).toEqual([]);
  });

  it('refuses a journal whose owner is alive, and one that no longer rebuilds to the same steps', async () => {
    const specs = [{ fact: 'a' }];
    const j = deadJournal(specs, ['applying']);
    j.owner = processMark(process.ppid);
    journals.save(j);
    const ex = executor(registryFor(specs));
    expect(ex.pendingJournals()).toEqual([]);
    await expect(ex.resume(j)).rejects.toThrow(/still being applied by process/);
    j.owner = { pid: 2 ** 22 + 1, start: '1' };
    const other = new PlanRegistry();
    other.register('test.fake', () => fakePlan(world, [{ fact: 'x' }]));
    await expect(executor(other).rollback(j)).rejects.toThrow(/no longer rebuilds to the same steps/);
    await expect(executor(new PlanRegistry()).rollback(j)).rejects.toThrow(/no plan builder for kind "test.fake"/);
    expect(world.log).toEqual([]);
  });

  it('ignores files in the journal dir that are not journals, and clears temps a killed writer left', () => {
    fs.mkdirSync(journals.dir, { recursive: true });
    const stale = path.join(journals.dir, '.test.fake-x1-abc.json.4194301.deadbeef.tmp');
    fs.writeFileSync(stale, '{');
    fs.writeFileSync(path.join(journals.dir, 'junk.json'), '{"version":1}');
    fs.writeFileSync(path.join(journals.dir, 'x.json'), 'not json');
    expect(journals.list()).toEqual([]);
    expect(fs.existsSync(stale)).toBe(false);
  });
});

describe('a journal that cannot be written', () => {
  it('fails the plan at once with one line, before any step runs', async () => {
    fs.writeFileSync(path.join(dir, 'plans'), 'a file where the journal dir should be');
    await expect(executor().run(fakePlan(world, [{ fact: 'a' }]))).rejects.toThrow(/^cannot write the plan journal in .*plans \(EEXIST\)$/);
    expect(world.log).toEqual([]);
  });

  it('after a step applied, the next save fails: every applied step is undone (none stays unrecorded), the next never runs', async () => {
    const plan = fakePlan(world, [{ fact: 'a' }, { fact: 'b' }, { fact: 'c' }]);
    // the journal directory turns into a file while b runs: the save before c fails
    const specB = plan.steps[1] as PlanStep;
    const b: PlanStep = {
      ...specB,
      apply: async (p) => {
        await specB.apply(p);
        fs.rmSync(journals.dir, { recursive: true });
        fs.writeFileSync(journals.dir, 'x');
      },
    };
    const res = await executor().run({ ...plan, steps: [plan.steps[0] as PlanStep, b, plan.steps[2] as PlanStep] });
    expect(res.failed).toMatchObject({ index: 2, message: expect.stringMatching(/cannot write the plan journal/) });
    expect(world.log.filter((l) => l.startsWith('undo'))).toEqual(['undo b', 'undo a']);
    expect(world.log).not.toContain('apply c');
    expect(world.facts.size).toBe(0);
    fs.rmSync(journals.dir, { force: true });
  });
});
