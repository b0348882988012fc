import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlanExecutor } from '../../src/plan/executor.js';
import { JournalStore, type PlanJournal } from '../../src/plan/journal.js';
import { markerRegistry } from '../fixtures/plans/markerPlan.js';

/** A real process applying a plan, killed with SIGKILL in the middle of step 2 of 5. */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const VITE_NODE = path.join(REPO, 'node_modules/vite-node/vite-node.mjs');
const CHILD = path.join(REPO, 'test/fixtures/plans/markerChild.ts');

let dir: string;
let journals: JournalStore;
let child: ChildProcess | null = null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-plankill-'));
  journals = new JournalStore(path.join(dir, 'journal'));
});
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

const markers = () => fs.readdirSync(dir).filter((f) => f.startsWith('step-')).sort();

/** Starts the plan in a child process, waits until step 2 is half-done, then kills it with SIGKILL. */
async function killMidPlan(): Promise<PlanJournal> {
  const c = spawn(process.execPath, [VITE_NODE, CHILD, dir, journals.dir, '5'], { env: { ...process.env, MARKER_BLOCK_AT: '2' }, stdio: ['ignore', 'ignore', 'pipe'] });
  child = c;
  let stderr = '';
  c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => c.on('exit', (_code, signal) => resolve(signal)));
  const blocked = path.join(dir, 'blocked');
  // wait for the child to reach the step (watching the directory, not sleeping)
  await new Promise<void>((resolve, reject) => {
    const watcher = fs.watch(dir, () => {
      if (fs.existsSync(blocked)) {
        watcher.close();
        resolve();
      }
    });
    void exited.then(() => {
      watcher.close();
      reject(new Error(`the plan process exited before step 2: ${stderr}`));
    });
    if (fs.existsSync(blocked)) {
      watcher.close();
      resolve();
    }
  });
  // the plan runs in the spawned process itself: kill exactly that one, by its handle
  expect(Number(fs.readFileSync(blocked, 'utf8'))).toBe(c.pid);
  c.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  fs.rmSync(blocked);
  const pending = new PlanExecutor({ journals }).pendingJournals();
  expect(pending).toHaveLength(1);
  return pending[0] as PlanJournal;
}

describe('a plan process killed with SIGKILL mid-plan', () => {
  it('leaves a journal: steps 0-1 applied, step 2 applying, 3-4 pending; resume finishes the plan', async () => {
    const j = await killMidPlan();
    expect(j.kind).toBe('test.markers');
    expect(j.steps.map((s) => s.status)).toEqual(['applied', 'applied', 'applying', 'pending', 'pending']);
    expect(markers()).toEqual(['step-0', 'step-1', 'step-2']);
    const ex = new PlanExecutor({ journals, registry: markerRegistry() });
    const res = await ex.resume(j);
    expect(res.outcome).toBe('applied');
    expect(res.applied).toEqual([0, 1, 2, 3, 4]);
    expect(markers()).toEqual(['step-0', 'step-1', 'step-2', 'step-3', 'step-4']);
    expect(ex.pendingJournals()).toEqual([]);
    expect(fs.readdirSync(journals.dir)).toEqual([]);
  });

  it('or rollback undoes steps 2, 1, 0 (the interrupted one too) and removes the journal', async () => {
    const j = await killMidPlan();
    const ex = new PlanExecutor({ journals, registry: markerRegistry() });
    const undone: number[] = [];
    ex.onUndo((e) => e.phase === 'done' && undone.push(e.index));
    const res = await ex.rollback(j);
    expect(res.outcome).toBe('rolled-back');
    expect(undone).toEqual([2, 1, 0]);
    expect(markers()).toEqual([]);
    expect(fs.readdirSync(journals.dir)).toEqual([]);
  });
});
