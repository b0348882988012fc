/**
 * Who changed a workload's state: lxcdeck records each action it takes
 * (start, stop, kill, freeze, thaw) just before taking it; a state change
 * is lxcdeck's when an action of that workload that leads to the new state
 * was recorded after the previous change seen, and not used up by an
 * earlier change. Anything else was done outside lxcdeck (the lxc-* tools,
 * another program, the container itself).
 */
export interface ActionRecord {
  /** ms since the epoch, taken just before the action. */
  time: number;
  kind: 'container' | 'job';
  name: string;
  lxcpath: string;
  verb: string;
  /** What ran it: "cli", "tui". */
  by: string;
  pid: number;
}

const LEADS_TO: Record<string, readonly string[]> = {
  start: ['STARTING', 'RUNNING'],
  stop: ['STOPPING', 'STOPPED'],
  kill: ['STOPPING', 'STOPPED'],
  freeze: ['FREEZING', 'FROZEN', 'freezing', 'frozen'],
  thaw: ['THAWED', 'RUNNING', 'running'],
};

export const OUTSIDE = 'outside lxcdeck';

export function actorLabel(a: ActionRecord): string {
  return `lxcdeck ${a.by} ${a.verb} (pid ${a.pid})`;
}

export function parseActionLines(text: string): ActionRecord[] {
  const out: ActionRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const a = JSON.parse(line) as Partial<ActionRecord>;
      if (typeof a.time === 'number' && (a.kind === 'container' || a.kind === 'job') && typeof a.name === 'string' && typeof a.lxcpath === 'string' && typeof a.verb === 'string' && typeof a.by === 'string' && typeof a.pid === 'number') out.push(a as ActionRecord);
    } catch {
      /* a torn or foreign line */
    }
  }
  return out;
}

/** Matches changes to recorded actions, one change per action, in the order they are seen. */
export class ActorTracker {
  private readonly actions: ActionRecord[] = [];
  /** When the last change of each workload was seen (ms). */
  private readonly lastChange = new Map<string, number>();

  constructor(private readonly lxcpath: string, private readonly since: number) {}

  add(records: readonly ActionRecord[]): void {
    for (const a of records) if (a.lxcpath === this.lxcpath && a.time >= this.since - 60_000) this.actions.push(a);
    // nothing older than a minute explains a change
    const horizon = Date.now() - 120_000;
    while (this.actions.length > 0 && (this.actions[0] as ActionRecord).time < horizon) this.actions.shift();
  }

  /** Who made `kind name` reach `state` (seen at `seenAt`); null for the stream's first line of a workload. */
  who(kind: 'container' | 'job', name: string, state: string, previous: string | null, seenAt: number): string | null {
    const key = `${kind}:${name}`;
    const after = this.lastChange.get(key) ?? this.since - 60_000;
    this.lastChange.set(key, seenAt);
    if (previous === null) return null;
    const i = this.actions.findIndex((a) => a.kind === kind && a.name === name && a.time > after && a.time <= seenAt && (LEADS_TO[a.verb] ?? []).includes(state));
    if (i < 0) return OUTSIDE;
    const [a] = this.actions.splice(i, 1);
    return actorLabel(a as ActionRecord);
  }
}
