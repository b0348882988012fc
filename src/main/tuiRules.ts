import { containerRef } from '../core/workload.js';
import { systemClock } from '../base/clock.js';
import { isLxcdeckError, LxcdeckError } from '../core/errors.js';
import type { Hierarchy } from '../host/cgroups.js';
import { jobDirMap } from '../jobs/cgroup.js';
import type { JobManager } from '../jobs/manager.js';
import { parseMark, parseSource, parseTarget, validateRule, type Rule, type RuleSource } from '../rules/rules.js';
import { RuleStore, type RulesSettings } from '../rules/ruleStore.js';
import { RuleRunner, type ContainerControl } from '../rules/runner.js';
import { SourceReader, sourceUnit } from '../rules/sources.js';
import type { AppBackend } from '../app/context.js';
import type { AppStore } from '../state/store.js';
import type { RuleDraft, RuleRow, RulesDialogActions } from '../ui/rulesDialog.js';

/**
 * Freeze rules inside the workstation: the rules from the settings,
 * evaluated on every sampler tick (the same RuleRunner as `lxcdeck rule
 * run`), edited from the dialog. Until the settings store has loaded (it is
 * imported after the first frame) there are no rules.
 */
export class TuiRules implements RulesDialogActions {
  private store: RuleStore | null = null;
  private runner: RuleRunner | null = null;
  private rules: Rule[] = [];
  private readonly reader: SourceReader;
  private readonly containers: ContainerControl;
  private last = new Map<string, number | null>();

  constructor(
    private readonly jobs: JobManager,
    private readonly backend: AppBackend,
    private readonly app: AppStore,
  ) {
    this.reader = new SourceReader({ host: jobs.host, clock: systemClock, dirsOf: (n) => this.dirsOf(n) });
    const state = (name: string) => app.container(name)?.state;
    this.containers = {
      freeze: (name) => backend.freeze(name),
      thaw: (name) => backend.thaw(name),
      listGroup: (group) => app.workloads.filter((w) => w.id.kind === 'container' && w.groups.includes(group)).map((w) => containerRef(w.id)),
      isFrozen(name) {
        const s = state(name);
        return s === 'FROZEN' || s === 'FREEZING' ? true : s === 'RUNNING' ? false : null;
      },
    };
  }

  /** The settings store has loaded: rules become live. */
  attach(settings: RulesSettings): void {
    this.store = new RuleStore(settings);
    this.reload();
  }

  /** One evaluation per sampler tick (never overlapping: RuleRunner queues). */
  tick(): void {
    void this.runner?.tick();
  }

  /** Thaws what the rules froze (quitting the TUI hands the guard back to the user). */
  async release(): Promise<void> {
    await this.runner?.releaseAll();
  }

  rows(): RuleRow[] {
    const states = this.runner?.states() ?? new Map();
    return this.rules.map((r) => {
      const v = this.last.get(JSON.stringify(parseSource(r.source)));
      const row: RuleRow = { ...r, tripped: states.get(r.name)?.tripped === true };
      if (v !== undefined && v !== null) row.value = `${v.toFixed(1)}${sourceUnit(parseSource(r.source))}`;
      return row;
    });
  }

  add(d: RuleDraft): string | null {
    if (!this.store) return 'the settings are still loading: try again in a second';
    try {
      const rule = validateRule({ name: d.name.trim() || this.store.freeName(), source: d.source.trim(), target: d.target.trim(), high: parseMark('high', d.high.trim()), low: parseMark('low', d.low.trim()) });
      const target = parseTarget(rule.target);
      if (target.kind === 'job') this.jobs.store.require(target.name);
      if (target.kind === 'container' && !this.app.container(target.name))
        throw new LxcdeckError('not-defined', `rule target: no container named ${target.name}`, 'pick one from the list');
      this.reader.checkSync(parseSource(rule.source), rule.source);
      this.store.add(rule);
      this.reload();
      this.app.addLog('info', `rule ${rule.name} added: freeze ${rule.target} while ${rule.source} > ${rule.high}, thaw below ${rule.low}`);
      return null;
    } catch (e) {
      return isLxcdeckError(e) ? e.line : String(e);
    }
  }

  remove(name: string): string | null {
    if (!this.store) return 'the settings are still loading: try again in a second';
    try {
      this.store.remove(name);
      this.reload();
      this.app.addLog('info', `rule ${name} removed`);
      return null;
    } catch (e) {
      return isLxcdeckError(e) ? e.line : String(e);
    }
  }

  /**
   * A new runner for the changed rule set; the old one first thaws what it
   * froze (the next tick freezes again where a rule still trips).
   */
  private reload(): void {
    if (!this.store) return;
    const { rules, problems } = this.store.list();
    for (const p of problems) this.app.addLog('warn', p);
    const old = this.runner;
    this.rules = rules;
    this.runner = rules.length
      ? new RuleRunner({ rules, read: (s) => this.read(s), jobs: this.jobs, containers: this.containers, clock: systemClock, log: (line) => this.app.addLog(line.startsWith('trip') ? 'warn' : 'info', `rule: ${line}`) })
      : null;
    void old?.releaseAll();
  }

  /** Reads for the runner and keeps the value for the dialog (a cpu: source must be read once per tick). */
  private async read(s: RuleSource): Promise<number | null> {
    this.last.set(JSON.stringify(s), null);
    const v = await this.reader.read(s);
    this.last.set(JSON.stringify(s), v);
    return v;
  }

  private dirsOf(name: string): ReadonlyMap<Hierarchy, string> | null {
    const rec = this.jobs.store.get(name);
    if (rec) return rec.state === 'running' && rec.cgroups.length ? jobDirMap(this.jobs.host, rec.cgroups) : null;
    return this.backend.runtimeOf(name)?.dirs ?? null;
  }
}
