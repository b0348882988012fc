import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Conf from 'conf';
import type { Disposable } from '../base/disposable.js';
import { Emitter, type Event } from '../base/event.js';
import { LxcdeckError } from '../core/errors.js';
import { keepBadCopy } from './badCopies.js';
import { defaultConfigDir } from './configDir.js';
import { checkSetting, DEFAULT_SETTINGS, isSettingKey, parseSettings, SETTING_KEYS, show, type Settings } from './settingsSchema.js';

export type { ChartSpanSeconds, Settings, SettingKey } from './settingsSchema.js';
export { CHART_SPANS, DEFAULT_SETTINGS, REFRESH_MAX_MS, REFRESH_MIN_MS } from './settingsSchema.js';

type RawStore = Record<string, unknown>;

export interface SettingsStoreOptions {
  /** Directory for config.json. Default: defaultConfigDir(). Tests pass a temp dir so they never touch $HOME. */
  cwd?: string;
}

export { defaultConfigDir } from './configDir.js';

/**
 * The user's settings, read once and kept in memory. Reading never throws:
 * bad fields (or a whole unreadable file) fall back to defaults and show up in
 * `warnings`. `update` validates everything first and then writes once,
 * atomically (conf writes a temp file, fsyncs it and renames it over config.json).
 */
export class SettingsStore implements Disposable {
  /** The settings file: `<dir>/config.json`. */
  readonly path: string;
  /** The lxcdeck config directory; user themes live in `<dir>/themes`. */
  readonly dir: string;

  private readonly conf: Conf<RawStore> | null;
  /** Why the file cannot be used at all (unreadable); updates are refused while set. */
  private readonly openError: string | null = null;
  private parseProblem: string | null = null;
  private current: Readonly<Settings> = deepFreeze(structuredClone(DEFAULT_SETTINGS) as Settings);
  private currentWarnings: readonly string[] = [];
  private readonly changed = new Emitter<Readonly<Settings>>();
  /** Fires with the new settings whenever an update or reload changes them. */
  readonly onDidChange: Event<Readonly<Settings>> = this.changed.event;

  constructor(options: SettingsStoreOptions = {}) {
    this.dir = path.resolve(options.cwd ?? defaultConfigDir());
    this.path = path.join(this.dir, 'config.json');
    let conf: Conf<RawStore> | null = null;
    try {
      conf = new Conf<RawStore>({
        projectName: 'lxcdeck',
        projectSuffix: '', // conf's default would make it ~/.config/lxcdeck-nodejs
        cwd: this.dir,
        configName: 'config',
        // command ids in `keys` contain dots; only top-level keys are ever set
        accessPropertiesByDotNotation: false,
        // never let conf wipe a hand-edited file it cannot parse; no `defaults`
        // either, or conf would write them into the file on every start
        clearInvalidConfig: false,
        deserialize: (text) => this.deserialize(text),
      });
    } catch (e) {
      this.openError = `cannot read settings file ${this.path} (${errorCode(e)}): check its permissions, or move it away to start from defaults`;
    }
    this.conf = conf;
    this.load();
  }

  /** One line per problem found when the file was last read. */
  get warnings(): readonly string[] {
    return this.currentWarnings;
  }

  /** The current settings (frozen; take a copy to edit). */
  get(): Readonly<Settings> {
    return this.current;
  }

  /**
   * Validates every field of `partial`, then writes them in one atomic write.
   * Throws a one-line LxcdeckError and writes nothing if any field is bad.
   * Fields of the file that are not in `partial` are kept as they are on disk.
   * `undefined` values are ignored.
   */
  update(partial: Partial<Settings>): Readonly<Settings> {
    if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
      throw new LxcdeckError('invalid-argument', `settings update ${show(partial)} is not an object: pass e.g. { "theme": "light" }`);
    }
    const changes: RawStore = {};
    const problems: string[] = [];
    for (const [key, value] of Object.entries(partial)) {
      if (value === undefined) continue;
      if (!isSettingKey(key)) {
        problems.push(`unknown setting ${JSON.stringify(key)}: use one of ${SETTING_KEYS.join(', ')}`);
        continue;
      }
      const problem = checkSetting(key, value);
      if (problem) problems.push(problem);
      else changes[key] = structuredClone(value);
    }
    if (problems.length > 0) throw new LxcdeckError('invalid-argument', problems.join('; '));
    if (Object.keys(changes).length === 0) return this.current;
    if (!this.conf || this.openError) throw new LxcdeckError('permission', this.openError ?? `cannot open ${this.path}`);

    // re-read so fields another lxcdeck wrote meanwhile are kept
    const { raw, unreadable } = this.readRaw();
    if (unreadable) throw new LxcdeckError('permission', unreadable);
    const wasCorrupt = this.parseProblem !== null;
    const next = { ...raw, ...changes };
    let copy: string | null = null;
    try {
      if (wasCorrupt) copy = keepBadCopy(this.path);
      this.write(next);
    } catch (e) {
      throw new LxcdeckError('permission', `cannot save settings to ${this.path} (${errorCode(e)}): check that ${this.dir} is writable`);
    }
    this.parseProblem = null;
    this.apply(next, copy ? [`the unreadable settings file was kept as ${copy}`] : []);
    return this.current;
  }

  /** Re-reads the file (e.g. after an external edit); returns the new warnings. */
  reload(): readonly string[] {
    this.load();
    return this.currentWarnings;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private load(): void {
    if (this.openError) {
      this.apply({}, [`${this.openError}; using defaults`]);
      return;
    }
    const { raw, unreadable } = this.readRaw();
    const notes: string[] = [];
    if (unreadable) notes.push(`${unreadable}; using defaults`);
    if (this.parseProblem) notes.push(this.parseProblem);
    this.apply(raw, notes);
  }

  private readRaw(): { raw: RawStore; unreadable?: string } {
    this.parseProblem = null;
    try {
      return { raw: { ...this.conf!.store } };
    } catch (e) {
      return { raw: {}, unreadable: `cannot read settings file ${this.path} (${errorCode(e)}): check its permissions` };
    }
  }

  /** conf calls this for every read. Bad JSON must not throw out of conf's constructor. */
  private deserialize(text: string): RawStore {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const why = oneLine((e as Error).message);
      this.parseProblem = `settings file ${this.path} is not valid JSON (${why}): using defaults; fix it, or change a setting to replace it (the old file is kept as config.json.bad-<time>)`;
      return {};
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.parseProblem = `settings file ${this.path} is not a JSON object: using defaults; write { "theme": "dark", ... } or delete the file`;
      return {};
    }
    return value as RawStore;
  }

  private write(next: RawStore): void {
    const conf = this.conf!;
    // conf falls back to a plain, non-atomic writeFileSync when $SNAP is set,
    // and $SNAP leaks into shells started from snap-packaged terminals and
    // editors. The write is synchronous, so hiding it for this call is safe.
    const snap = process.env.SNAP;
    if (snap !== undefined) delete process.env.SNAP;
    try {
      conf.store = next;
    } finally {
      if (snap !== undefined) process.env.SNAP = snap;
    }
  }

  private apply(raw: RawStore, notes: string[]): void {
    const { settings, problems } = parseSettings(raw);
    this.currentWarnings = Object.freeze([...notes, ...problems.map((p) => `${this.path}: ${p}`)]);
    const changed = !isDeepStrictEqual(settings, this.current);
    if (!changed) return;
    this.current = deepFreeze(settings);
    this.changed.fire(this.current);
  }
}

function errorCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code ?? oneLine(e instanceof Error ? e.message : String(e));
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
