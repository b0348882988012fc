import { LxcdeckError } from '../core/errors.js';
import { containerId } from '../core/workload.js';
import { isValidJobName, validateJobName } from '../jobs/names.js';

/**
 * Freeze rules: freeze a target while a numeric source reads above `high`,
 * thaw it once it reads below `low` (hysteresis, so it does not flap). This
 * module is pure: parsing, validation and the evaluation step.
 */
export interface Rule {
  name: string;
  /** thermal:<zone>, file:<path>, pressure:memory|cpu|io, cpu:<job or container>. */
  source: string;
  /** job:<name>, jobs:*, container:<name>, group:<lxc.group>. */
  target: string;
  high: number;
  low: number;
}

export type RuleSource =
  | { kind: 'thermal'; zone: string }
  | { kind: 'file'; path: string }
  | { kind: 'pressure'; resource: 'memory' | 'cpu' | 'io' }
  | { kind: 'cpu'; name: string };

export type RuleTarget = { kind: 'job'; name: string } | { kind: 'jobs' } | { kind: 'container'; name: string } | { kind: 'group'; name: string };

const bad = (what: string, fix: string) => new LxcdeckError('invalid-argument', what, fix);

const SOURCE_FIX = 'use thermal:<zone> (e.g. thermal:0), file:<path>, pressure:memory or cpu:<job or container>';
const TARGET_FIX = 'use job:<name>, jobs:*, container:<name> or group:<lxc.group>';

export function parseSource(s: string): RuleSource {
  const i = s.indexOf(':');
  const kind = i < 0 ? s : s.slice(0, i);
  const arg = i < 0 ? '' : s.slice(i + 1);
  switch (kind) {
    case 'thermal':
      if (/^(thermal_zone)?\d+$/.test(arg) || /^[A-Za-z0-9_.-]+$/.test(arg)) return { kind: 'thermal', zone: arg };
      break;
    case 'file':
      if (arg.startsWith('/')) return { kind: 'file', path: arg };
      throw bad(`rule source ${JSON.stringify(s)} needs an absolute path`, 'write it as file:/path/to/file');
    case 'pressure':
      if (arg === 'memory' || arg === 'cpu' || arg === 'io') return { kind: 'pressure', resource: arg };
      break;
    case 'cpu':
      if (isValidJobName(arg)) return { kind: 'cpu', name: arg };
      break;
  }
  throw bad(`invalid rule source ${JSON.stringify(s)}`, SOURCE_FIX);
}

export function parseTarget(t: string): RuleTarget {
  if (t === 'jobs:*') return { kind: 'jobs' };
  const i = t.indexOf(':');
  const kind = t.slice(0, i);
  const arg = t.slice(i + 1);
  if (i > 0 && isValidJobName(arg)) {
    if (kind === 'job') return { kind: 'job', name: arg };
    if (kind === 'container') return { kind: 'container', name: arg };
    if (kind === 'group') return { kind: 'group', name: arg };
  }
  // a container outside the first lxcpath, by reference (core/workload.ts): container:/srv/lxc/web
  if (kind === 'container' && arg.startsWith('/') && !arg.endsWith('/') && isValidJobName(containerId(arg).name) && !/[\x00-\x1f\x7f]/.test(arg)) return { kind: 'container', name: arg };
  throw bad(`invalid rule target ${JSON.stringify(t)}`, TARGET_FIX);
}

/** A number from the command line or a settings file: "93", "93.5". */
export function parseMark(what: 'high' | 'low', v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw bad(`invalid ${what} mark ${JSON.stringify(v)}`, `use a number, e.g. --${what} ${what === 'high' ? 93 : 89}`);
  return n;
}

/** Checks an object (from the settings file or the CLI) and returns a clean rule, or throws one line. */
export function validateRule(v: unknown): Rule {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`rule ${JSON.stringify(v)} is not an object`, 'write { "name", "source", "target", "high", "low" }');
  const r = v as Record<string, unknown>;
  const name = validateJobName(typeof r.name === 'string' ? r.name : String(r.name), 'rule name');
  if (typeof r.source !== 'string') throw bad(`rule ${name} has no source`, SOURCE_FIX);
  if (typeof r.target !== 'string') throw bad(`rule ${name} has no target`, TARGET_FIX);
  parseSource(r.source);
  parseTarget(r.target);
  const high = parseMark('high', r.high);
  const low = parseMark('low', r.low);
  if (!(low < high)) throw bad(`rule ${name}: low mark ${low} is not below high mark ${high}`, 'give a low mark smaller than the high mark, e.g. --high 93 --low 89');
  return { name, source: r.source, target: r.target, high, low };
}

// ---- evaluation ------------------------------------------------------------

/** A target as the runner sees it this tick ("job:build", "container:c1"). */
export interface TargetView {
  id: string;
  frozen: boolean;
}

export interface RuleState {
  tripped: boolean;
  /** Targets this rule froze and will thaw on release. */
  owned: string[];
  /** Targets already considered during this trip (frozen by hand, or thawed by hand since). */
  seen: string[];
}

export const ARMED: RuleState = Object.freeze({ tripped: false, owned: [], seen: [] }) as RuleState;

export interface RuleAction {
  kind: 'freeze' | 'thaw';
  target: string;
}

export interface RuleStep {
  state: RuleState;
  actions: RuleAction[];
  /** 'trip' when the value crossed high, 'release' when it fell below low. */
  event: 'trip' | 'release' | null;
  /** Targets left alone at a trip because they were frozen already (by hand or another rule). */
  skipped: string[];
}

/**
 * One tick of one rule. Pure: (state, reading) -> (actions, new state).
 * It freezes only what is running, remembers what it froze, and on release
 * thaws only those; a target someone thawed by hand during the trip is
 * theirs again (dropped from `owned`), so a later hand freeze is kept too.
 */
export function evaluateRule(rule: Pick<Rule, 'high' | 'low'>, state: RuleState, value: number | null, targets: readonly TargetView[]): RuleStep {
  const none: RuleStep = { state, actions: [], event: null, skipped: [] };
  if (value === null || !Number.isFinite(value)) return none;
  const byId = new Map(targets.map((t) => [t.id, t]));
  if (!state.tripped) {
    if (!(value > rule.high)) return none;
    const free = targets.filter((t) => !t.frozen);
    return {
      state: { tripped: true, owned: free.map((t) => t.id), seen: targets.map((t) => t.id) },
      actions: free.map((t) => ({ kind: 'freeze', target: t.id })),
      event: 'trip',
      skipped: targets.filter((t) => t.frozen).map((t) => t.id),
    };
  }
  // still ours: present and frozen (a vanished or hand-thawed target is not)
  const owned = state.owned.filter((id) => byId.get(id)?.frozen === true);
  if (value < rule.low) {
    return { state: ARMED, actions: owned.map((id) => ({ kind: 'thaw', target: id })), event: 'release', skipped: [] };
  }
  // tripped and not below low: freeze targets that appeared since the trip (a new job under jobs:*)
  const seen = new Set(state.seen);
  const fresh = targets.filter((t) => !seen.has(t.id));
  const newcomers = fresh.filter((t) => !t.frozen).map((t) => t.id);
  return {
    state: { tripped: true, owned: [...owned, ...newcomers], seen: [...state.seen.filter((id) => byId.has(id)), ...fresh.map((t) => t.id)] },
    actions: newcomers.map((id) => ({ kind: 'freeze', target: id })),
    event: null,
    skipped: [],
  };
}
