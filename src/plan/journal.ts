import { parseJsonObject } from '../core/json.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LxcdeckError } from '../core/errors.js';
import type { Json, Plan } from '../core/plan.js';
import { purgeStaleTemps, randomHex, writeFileAtomic } from '../host/atomicWrite.js';
import { isAlive, processMark, type ProcessMark } from '../host/liveness.js';
import type { Identity } from '../host/identity.js';
import { volatilePlansDir } from '../host/paths.js';

/**
 * The on-disk record of a plan being applied: what it is (kind + params, so
 * a plan builder can make it again), who runs it, and how far each step got.
 * Written atomically before and after every step, removed when the plan is
 * applied or rolled back; one left behind by a dead process is "pending".
 */
/** failed: its apply threw (and took back its own work); applying/undoing: under way, or cut short by a kill. */
export type StepStatus = 'pending' | 'skipped' | 'applying' | 'applied' | 'failed' | 'undoing' | 'undone';

/** applying: running forward; rolling-back: undoing; stuck: an undo failed (needs `lxcdeck plan rollback`). */
export type JournalState = 'applying' | 'rolling-back' | 'stuck';

export interface PlanJournal {
  version: 1;
  id: string;
  kind: string;
  title: string;
  params: Json;
  owner: ProcessMark;
  state: JournalState;
  steps: { description: string; status: StepStatus }[];
  /** Why it stopped, when a step or an undo failed. */
  error?: string;
  created: string;
  updated: string;
}

const ID_RE = /^[a-z0-9][a-z0-9.-]{0,80}$/;
const STATUSES: readonly StepStatus[] = ['pending', 'skipped', 'applying', 'applied', 'failed', 'undoing', 'undone'];
const STATES: readonly JournalState[] = ['applying', 'rolling-back', 'stuck'];

/** Parses a journal file; null for anything not shaped like one. */
export function parseJournal(text: string): PlanJournal | null {
  const j = parseJsonObject(text);
  if (!j) return null;
  const owner = j.owner as Record<string, unknown> | undefined;
  if (j.version !== 1 || typeof j.id !== 'string' || !ID_RE.test(j.id) || typeof j.kind !== 'string' || typeof j.title !== 'string') return null;
  if (!owner || typeof owner.pid !== 'number' || typeof owner.start !== 'string') return null;
  if (!STATES.includes(j.state as JournalState) || !Array.isArray(j.steps)) return null;
  const stepsOk = j.steps.every(
    (s: unknown) => typeof s === 'object' && s !== null && typeof (s as { description?: unknown }).description === 'string' && STATUSES.includes((s as { status?: unknown }).status as StepStatus),
  );
  if (!stepsOk || !('params' in j) || typeof j.created !== 'string' || typeof j.updated !== 'string') return null;
  return j as unknown as PlanJournal;
}

export class JournalStore {
  /** durable false: no fsyncs (for plans whose effects a reboot wipes: network plans, journalled under /run). */
  constructor(
    readonly dir: string,
    readonly options: { durable?: boolean } = {},
  ) {}

  private file(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`invalid plan journal id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  /** A fresh journal for a plan about to run, owned by this process (written at once). */
  begin(plan: Plan): PlanJournal {
    const now = new Date().toISOString();
    const safeKind = plan.kind.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 40);
    const j: PlanJournal = {
      version: 1,
      id: `${safeKind}-${Date.now().toString(36)}-${randomHex(3)}`,
      kind: plan.kind,
      title: plan.title,
      params: plan.params,
      owner: processMark(),
      state: 'applying',
      steps: plan.steps.map((s) => ({ description: s.description, status: 'pending' })),
      created: now,
      updated: now,
    };
    this.save(j);
    return j;
  }

  save(j: PlanJournal): void {
    j.updated = new Date().toISOString();
    try {
      writeFileAtomic(this.file(j.id), `${JSON.stringify(j, null, 2)}\n`, { mode: 0o600, mkdirMode: 0o700, durable: this.options.durable });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new LxcdeckError('permission', `cannot write the plan journal in ${this.dir} (${code})`, `check that ${this.dir} is yours and writable`);
    }
  }

  /** Takes over a journal left by a dead process. */
  claim(j: PlanJournal): void {
    j.owner = processMark();
    this.save(j);
  }

  get(id: string): PlanJournal | null {
    try {
      return parseJournal(fs.readFileSync(this.file(id), 'utf8'));
    } catch {
      return null;
    }
  }

  list(): PlanJournal[] {
    // journals have unique names: a kill mid-write leaves a temp no later write of it would clear
    purgeStaleTemps(this.dir);
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .sort()
      .flatMap((f) => {
        const j = ID_RE.test(f.slice(0, -5)) ? this.get(f.slice(0, -5)) : null;
        return j ? [j] : [];
      });
  }

  /** Journals whose owner is gone: interrupted (kill -9, a crash) or stuck. */
  pending(): PlanJournal[] {
    return this.list().filter((j) => !isAlive(j.owner));
  }

  remove(id: string): void {
    fs.rmSync(this.file(id), { force: true });
  }
}

/** The store of network plans' journals: under /run without fsync for root; the durable one for other users. */
export function volatileJournalStore(id: Identity): JournalStore {
  return new JournalStore(volatilePlansDir(id), { durable: id.uid !== 0 });
}

