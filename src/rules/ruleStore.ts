import { LxcdeckError } from '../core/errors.js';
import { validateRule, type Rule } from './rules.js';

/** The part of SettingsStore rules need (kept structural so jobs/ does not import settings/). */
export interface RulesSettings {
  get(): { readonly rules: readonly unknown[] };
  update(partial: { rules: unknown[] }): unknown;
}

/** Rules in the settings file, validated on the way in and out. */
export class RuleStore {
  constructor(private readonly settings: RulesSettings) {}

  /** Valid rules, plus one line per stored entry that is not (it is skipped, not dropped from the file). */
  list(): { rules: Rule[]; problems: string[] } {
    const rules: Rule[] = [];
    const problems: string[] = [];
    for (const raw of this.settings.get().rules) {
      try {
        rules.push(validateRule(raw));
      } catch (e) {
        problems.push(`settings: skipped a rule: ${(e as LxcdeckError).line ?? String(e)}`);
      }
    }
    return { rules, problems };
  }

  get(name: string): Rule {
    const r = this.list().rules.find((x) => x.name === name);
    if (!r) throw new LxcdeckError('not-defined', `no rule named ${JSON.stringify(name)}`, "see 'lxcdeck rule ls'");
    return r;
  }

  /** A name not taken yet: rule1, rule2, ... */
  freeName(): string {
    const taken = new Set(this.names());
    for (let i = 1; ; i++) if (!taken.has(`rule${i}`)) return `rule${i}`;
  }

  add(rule: Rule): Rule {
    const clean = validateRule(rule);
    if (this.names().includes(clean.name))
      throw new LxcdeckError('invalid-argument', `a rule named ${clean.name} exists`, `pick another --name, or remove it with 'lxcdeck rule rm ${clean.name}'`);
    this.settings.update({ rules: [...this.settings.get().rules, clean] });
    return clean;
  }

  remove(name: string): void {
    const all = this.settings.get().rules;
    const kept = all.filter((r) => !(typeof r === 'object' && r !== null && (r as { name?: unknown }).name === name));
    if (kept.length === all.length) throw new LxcdeckError('not-defined', `no rule named ${JSON.stringify(name)}`, "see 'lxcdeck rule ls'");
    this.settings.update({ rules: kept });
  }

  private names(): string[] {
    return this.settings
      .get()
      .rules.map((r) => (typeof r === 'object' && r !== null ? (r as { name?: unknown }).name : undefined))
      .filter((n): n is string => typeof n === 'string');
  }
}
