import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { listBadCopies } from '../../src/settings/badCopies.js';
import { parseColor } from '../../src/settings/colorValue.js';
import { peekSettings } from '../../src/settings/peek.js';
import { SettingsStore } from '../../src/settings/settings.js';
import { checkSetting, DEFAULT_SETTINGS, parseSettings, SETTING_KEYS } from '../../src/settings/settingsSchema.js';
import { THEME_ATTRS, THEME_KEYS, validateTheme } from '../../src/settings/theme.js';
import { loadTheme } from '../../src/settings/themes.js';

/** Fuzzing the settings and theme files: whatever a user (or a broken editor) leaves there, lxcdeck reads it without crashing. */

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-fuzz-settings-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDir = () => fs.mkdtempSync(path.join(tmp, `${n++}-`));

// one line, and no control character (an escape in a warning would reach the terminal)
const oneLine = (s: string) => expect(s).not.toMatch(/[\x00-\x1f]/);

/** Strings with the characters that break messages and parsers: line breaks, quotes, NUL, escapes, non-BMP. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('a', '\n', '\r', '"', '\\', '\0', '\u2028', ' ', '.', '-', '#', 'é', '😀', '\x1b'), maxLength: 12 }),
  fc.constantFrom('dark', 'light', '', ' ', '__proto__', 'constructor', 'C-s', 'a b', '#ff0000', '196', 'default'),
);
const settingsKey = fc.oneof(fc.constantFrom(...SETTING_KEYS, '__internal__', '__proto__'), nastyString);
/** JSON values with settings-shaped parts, so the per-field checks get exercised, not just the top-level type check. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer({ min: -20_000, max: 20_000 }),
    fc.constantFrom(60, 300, 900, 250, 10_000),
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('value'), { maxKeys: 4 }),
  ),
})).value;
const settingsObject = fc.dictionary(settingsKey, jsonValue, { maxKeys: 6 });
/** What a file may hold: a settings object, any JSON, or text that is not JSON at all. */
const fileText = fc.oneof(
  settingsObject.map((o) => JSON.stringify(o)),
  jsonValue.map((v) => JSON.stringify(v) ?? ''),
  fc.string({ maxLength: 60 }),
  settingsObject.map((o) => JSON.stringify(o).slice(0, -1)),
);

describe('fuzz: settings schema', () => {
  it('parseSettings never throws, always returns usable settings, one line per problem', () => {
    fc.assert(
      fc.property(settingsObject, (raw) => {
        const { settings, problems } = parseSettings(raw);
        for (const p of problems) oneLine(p);
        for (const key of SETTING_KEYS) expect(checkSetting(key, settings[key])).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid field read back is the field as written (nothing else changes it)', () => {
    const valid = fc.record({
      theme: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
      refreshIntervalMs: fc.integer({ min: 250, max: 10_000 }),
      keys: fc.dictionary(fc.stringMatching(/^[a-z]+\.[a-z]+$/), fc.array(fc.stringMatching(/^\S{1,5}$/), { maxLength: 3 }), { maxKeys: 3 }),
      chartSpanSeconds: fc.constantFrom(60, 300, 900),
      paneShell: fc.array(fc.stringMatching(/^[!-~]{1,8}$/), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(valid, (raw) => {
        const { settings, problems } = parseSettings(JSON.parse(JSON.stringify(raw)));
        expect(problems).toEqual([]);
        expect(settings).toEqual({ ...DEFAULT_SETTINGS, ...raw });
      }),
      { numRuns: 1000 },
    );
  });

  it('peekSettings reads any file content without throwing', () => {
    const dir = freshDir();
    fc.assert(
      fc.property(fileText, (text) => {
        fs.writeFileSync(path.join(dir, 'config.json'), text);
        const { problems } = peekSettings(dir);
        for (const p of problems) oneLine(p);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fuzz finds (fixed): a key with a line break made a two-line warning', () => {
  it('an unknown setting or a keys entry named with a line break or an escape is quoted in one line', () => {
    const { problems } = parseSettings({ '\n': 0, keys: { 'a\nb': 'x', '\x1b[2J': ['a b'] } } as Record<string, unknown>);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^unknown setting "\\n" is ignored: /);
    expect(problems[1]).toMatch(/^keys\["a\\nb"\] "x" is not a list of key names: /);
    const dir = freshDir();
    const store = new SettingsStore({ cwd: dir });
    expect(() => store.update({ '\r': 1 } as never)).toThrow(/^unknown setting "\\r": use one of /);
    store.dispose();
  });

  it('a theme field named with NUL or an escape is quoted, not written raw into the status line', () => {
    const r = validateTheme({ '\x1b]0;x\x07': 1, name: 't', colors: { '\0': 'red' } }, 't.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^theme t\.json: unknown field "\\u001b\]0;x\\u0007": use name, /);
    expect(JSON.stringify(validateTheme({ name: 't', colors: { '\0': 'red' } }, 't.json'))).toContain('colors[\\"\\\\u0000\\"] is not a theme colour');
  });
});

describe('fuzz: SettingsStore over random files', () => {
  it('loading never throws and warns in single lines; updating a bad file keeps it byte for byte as a backup', () => {
    fc.assert(
      fc.property(fileText, (text) => {
        const dir = freshDir();
        const file = path.join(dir, 'config.json');
        fs.writeFileSync(file, text);
        const store = new SettingsStore({ cwd: dir });
        for (const w of store.warnings) oneLine(w);
        for (const key of SETTING_KEYS) expect(checkSetting(key, store.get()[key])).toBeNull();
        let parses = true;
        try {
          const v: unknown = JSON.parse(text);
          parses = typeof v === 'object' && v !== null && !Array.isArray(v);
        } catch {
          parses = false;
        }
        store.update({ refreshIntervalMs: 2000 });
        expect(store.get().refreshIntervalMs).toBe(2000);
        const copies = listBadCopies(file);
        if (parses) expect(copies).toEqual([]);
        else {
          // the unreadable file is kept as it was, and the new file is valid JSON with the change
          expect(copies).toHaveLength(1);
          expect(fs.readFileSync(copies[0]!, 'utf8')).toBe(text);
        }
        expect(JSON.parse(fs.readFileSync(file, 'utf8')).refreshIntervalMs).toBe(2000);
        store.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 300 },
    );
  });

  it('update with random fields throws only one-line LxcdeckErrors and then writes nothing', () => {
    const dir = freshDir();
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, '{"theme":"light"}\n');
    const store = new SettingsStore({ cwd: dir });
    fc.assert(
      fc.property(settingsObject, (partial) => {
        const before = fs.readFileSync(file, 'utf8');
        try {
          store.update(partial as never);
        } catch (e) {
          expect((e as Error).name).toBe('LxcdeckError');
          oneLine((e as Error).message);
          expect(fs.readFileSync(file, 'utf8')).toBe(before);
        }
      }),
      { numRuns: 500 },
    );
    store.dispose();
  });
});

const colorArb = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.integer({ min: 0, max: 0xffffff }).map((v) => `#${v.toString(16).padStart(6, '0')}`),
  fc.integer({ min: 0, max: 0xffffff }).map((v) => `#${v.toString(16).padStart(6, '0').toUpperCase()}`),
  fc.constantFrom('default', 'red', 'brightblue', 'gray', 'lightgrey'),
);

describe('fuzz: themes and colours', () => {
  it('parseColor never throws; what it accepts it accepts again unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(jsonValue, colorArb), (v) => {
        const c = parseColor(v);
        if (c !== null) expect(parseColor(c)).toBe(c);
      }),
      { numRuns: 2000 },
    );
  });

  it('validateTheme never throws on any JSON; errors are one line', () => {
    const themeish = fc.record(
      { name: fc.oneof(fc.constant('t'), nastyString), description: jsonValue, colors: fc.oneof(jsonValue, fc.dictionary(fc.oneof(fc.constantFrom(...THEME_KEYS), nastyString), fc.oneof(colorArb, jsonValue))), attrs: jsonValue },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(themeish, jsonValue), (raw) => {
        const r = validateTheme(raw, 't.json');
        if (!r.ok) oneLine(r.error);
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid theme round-trips through its JSON text', () => {
    const theme = fc.record({
      colors: fc.tuple(...THEME_KEYS.map(() => colorArb)),
      attrs: fc.dictionary(fc.constantFrom(...THEME_KEYS), fc.uniqueArray(fc.constantFrom(...THEME_ATTRS))),
      description: fc.string({ maxLength: 30 }),
    });
    fc.assert(
      fc.property(theme, ({ colors, attrs, description }) => {
        const raw = { name: 't', description, colors: Object.fromEntries(THEME_KEYS.map((k, i) => [k, colors[i]])), attrs };
        const r = validateTheme(JSON.parse(JSON.stringify(raw)), 't.json');
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.theme.description).toBe(description);
        THEME_KEYS.forEach((k, i) => expect(r.theme.colors[k]).toBe(parseColor(colors[i])));
        expect(r.theme.attrs).toEqual(attrs);
      }),
      { numRuns: 500 },
    );
  });

  it('loadTheme on any file content never throws and always gives a usable theme', () => {
    const dir = freshDir();
    fc.assert(
      fc.property(fileText, nastyString, (text, name) => {
        fs.writeFileSync(path.join(dir, 'fz.json'), text);
        for (const asked of ['fz', name]) {
          const load = loadTheme(asked, [dir]);
          expect(Object.keys(load.theme.colors).sort()).toEqual([...THEME_KEYS].sort());
          if (load.error !== undefined) oneLine(load.error);
        }
      }),
      { numRuns: 500 },
    );
  });
});
