import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { effectiveTheme, MONOCHROME_THEME, THEME_KEYS, themeStyle, validateTheme } from '../../src/settings/theme.js';
import { builtinThemesDir, listThemes, loadTheme, themeDirs, themeInUse } from '../../src/settings/themes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_THEMES = path.resolve(here, '../../themes');
const FIXTURES = path.resolve(here, '../fixtures/settings');
const BROKEN = path.join(FIXTURES, 'broken');
const USER = path.join(FIXTURES, 'user', 'themes');
const BUILTIN = builtinThemesDir();
const darkJson = JSON.parse(fs.readFileSync(path.join(REPO_THEMES, 'dark.json'), 'utf8')) as Record<string, unknown>;

function expectDarkFallback(r: ReturnType<typeof loadTheme>, message: string | RegExp) {
  expect(r.theme.name).toBe('dark');
  expect(r.path).toBe(path.join(REPO_THEMES, 'dark.json'));
  expect(r.error).toBeDefined();
  expect(r.error).not.toMatch(/[\r\n]/);
  if (typeof message === 'string') expect(r.error).toContain(message);
  else expect(r.error).toMatch(message);
}

describe('shipped themes', () => {
  it('are found in the repo themes/ dir', () => {
    expect(BUILTIN).toBe(REPO_THEMES);
  });
  const files = fs.readdirSync(REPO_THEMES).filter((f) => f.endsWith('.json'));
  it('include dark, light and high-contrast', () => {
    expect(files.sort()).toEqual(['dark.json', 'high-contrast.json', 'light.json']);
  });
  it.each(files)('%s validates and loads without error', (file) => {
    const check = validateTheme(JSON.parse(fs.readFileSync(path.join(REPO_THEMES, file), 'utf8')), file);
    expect(check.ok ? '' : check.error).toBe('');
    const r = loadTheme(file.replace(/\.json$/, ''), [BUILTIN]);
    expect(r.error).toBeUndefined();
    expect(r.theme.description).not.toBe('');
    expect(Object.keys(r.theme.colors).sort()).toEqual([...THEME_KEYS].sort());
  });
  it('high-contrast does not use red or green', () => {
    const hc = loadTheme('high-contrast', [BUILTIN]).theme;
    for (const k of THEME_KEYS) {
      const c = hc.colors[k];
      expect(typeof c === 'string' && /red|green/.test(c), k).toBe(false);
      if (typeof c === 'string' && c.startsWith('#')) {
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];
        // a hue that is mainly red or mainly green (not orange/yellow: those have both)
        expect(r > 0x80 && g < 0x60 && b < 0x60, `${k} ${c} is red`).toBe(false);
        expect(g > 0x80 && r < 0x60 && b < 0x60, `${k} ${c} is green`).toBe(false);
      }
    }
    expect(hc.attrs.stateRunning).toContain('bold');
    expect(hc.attrs.logError).toContain('bold');
  });
});

describe('broken themes fall back to dark with one line', () => {
  const dirs = [BROKEN, BUILTIN];
  it('bad colour', () => {
    expectDarkFallback(
      loadTheme('badcolor', dirs),
      'theme badcolor.json: colors.stateRunning "#12345" is not a colour: use #rrggbb, 0-255 or a colour name',
    );
  });
  it('missing key', () => {
    expectDarkFallback(loadTheme('missingkey', dirs), /^theme missingkey\.json: colors\.logWarn is missing: add it/);
  });
  it('not JSON', () => {
    expectDarkFallback(loadTheme('notjson', dirs), /^theme notjson\.json: not valid JSON \(.+\): fix the syntax in .*notjson\.json/);
  });
  it('not found, listing where it looked and what exists', () => {
    const r = loadTheme('nosuch', [USER, BUILTIN]);
    expectDarkFallback(r, `theme "nosuch" not found (tried ${path.join(USER, 'nosuch.json')}, ${path.join(BUILTIN, 'nosuch.json')})`);
    expect(r.error).toMatch(/: use one of dark, high-contrast, light, monochrome, solarized-ish; using dark$/);
  });
  it('a name that would leave the theme dirs', () => {
    for (const name of ['../themes/dark', '/etc/passwd', '.hidden', '']) {
      expectDarkFallback(loadTheme(name, dirs), 'is not a theme name');
    }
  });
  it('a broken user dark.json reports itself and falls through to the built-in dark', () => {
    const r = loadTheme('dark', dirs);
    expectDarkFallback(r, 'theme dark.json: colors.fg "Red" is not a colour');
  });
  it('never throws, even with no dirs at all', () => {
    const r = loadTheme('dark', []);
    expect(r.theme.name).toBe('dark'); // the built-in is always the last resort
  });
});

describe('user themes', () => {
  it('a user theme overrides the built-in of the same name', () => {
    const r = loadTheme('light', [USER, BUILTIN]);
    expect(r.error).toBeUndefined();
    expect(r.path).toBe(path.join(USER, 'light.json'));
    expect(r.theme.colors.bg).toBe('#fdf6e3');
  });
  it('themeDirs puts <config>/themes before the built-ins', () => {
    expect(themeDirs('/home/u/.config/lxcdeck')).toEqual(['/home/u/.config/lxcdeck/themes', BUILTIN]);
  });
  it('listThemes merges dirs, first dir wins, marks broken ones, includes monochrome', () => {
    const list = listThemes([USER, BROKEN, BUILTIN]);
    const byName = new Map(list.map((t) => [t.name, t]));
    expect(list.map((t) => t.name)).toEqual(['badcolor', 'dark', 'high-contrast', 'light', 'missingkey', 'monochrome', 'notjson', 'solarized-ish']);
    expect(byName.get('light')?.path).toBe(path.join(USER, 'light.json'));
    expect(byName.get('light')?.description).toBe('user override of light (fixture)');
    expect(byName.get('dark')?.error).toContain('colors.fg "Red"'); // the broken override hides the built-in in the list
    expect(byName.get('badcolor')?.error).toContain('is not a colour');
    expect(byName.get('high-contrast')?.error).toBeUndefined();
    expect(byName.get('monochrome')?.path).toBeNull();
  });
  it('monochrome can be chosen by name', () => {
    const r = loadTheme('monochrome', [BUILTIN]);
    expect(r.error).toBeUndefined();
    expect(r.theme).toBe(MONOCHROME_THEME);
  });
});

describe('NO_COLOR', () => {
  const dark = loadTheme('dark', [BUILTIN]).theme;
  it('any non-empty value gives monochrome', () => {
    expect(effectiveTheme(dark, { NO_COLOR: '1' })).toBe(MONOCHROME_THEME);
    expect(effectiveTheme(dark, { NO_COLOR: '0' })).toBe(MONOCHROME_THEME);
    expect(effectiveTheme(dark, { NO_COLOR: '' })).toBe(dark);
    expect(effectiveTheme(dark, {})).toBe(dark);
  });
  it('monochrome uses default colours and shows selection by inverse', () => {
    for (const k of THEME_KEYS) expect(MONOCHROME_THEME.colors[k]).toBe('default');
    expect(themeStyle(MONOCHROME_THEME, 'selectedFg', 'selectedBg')).toEqual({ fg: 'default', bg: 'default', inverse: true });
    expect(validateTheme({ ...MONOCHROME_THEME }, 'monochrome.json').ok).toBe(true);
  });
});

describe('validateTheme', () => {
  const withColors = (patch: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...darkJson,
    ...extra,
    colors: { ...(darkJson.colors as Record<string, unknown>), ...patch },
  });
  const error = (raw: unknown, file = 'dark.json') => {
    const r = validateTheme(raw, file);
    return r.ok ? null : r.error;
  };
  it('accepts indexes (also as strings) and names, normalising them for blessed', () => {
    const r = validateTheme(withColors({ fg: 15, bg: '0', border: 'brightblack', dim: '#ABCDEF' }), 'dark.json');
    expect(r.ok).toBe(true);
    if (r.ok) expect([r.theme.colors.fg, r.theme.colors.bg, r.theme.colors.border, r.theme.colors.dim]).toEqual([15, 0, 'brightblack', '#abcdef']);
  });
  it('reports the first problem on one line with a count of the rest', () => {
    expect(error(withColors({ fg: 'Red', bg: 300 }))).toBe(
      'theme dark.json: colors.fg "Red" is not a colour: use #rrggbb, 0-255 or a colour name (and 1 more)',
    );
  });
  it('suggests the key a typo meant', () => {
    const raw = withColors({});
    const colors = raw.colors as Record<string, unknown>;
    colors.stateRuning = colors.stateRunning;
    delete colors.stateRunning;
    expect(error(raw)).toContain('colors.stateRuning is not a theme colour: did you mean stateRunning?');
  });
  it('requires the name to match the file', () => {
    expect(error(darkJson, 'mine.json')).toBe('theme mine.json: name "dark" does not match the file name: set "name": "mine" or rename the file');
  });
  it('checks attrs', () => {
    expect(error({ ...darkJson, attrs: { header: ['blink'] } })).toContain('attrs.header "blink" is not an attribute: use bold, underline, inverse');
    expect(error({ ...darkJson, attrs: { headr: ['bold'] } })).toContain('did you mean header?');
  });
  it('rejects unknown top-level fields and non-objects', () => {
    expect(error({ ...darkJson, colours: {} })).toContain('unknown field "colours"');
    expect(error([])).toMatch(/^theme dark\.json: not a JSON object/);
    expect(error({ name: 'dark' })).toContain('"colors" is missing');
  });
  it('themeStyle takes attrs from the fg key', () => {
    const dark = loadTheme('dark', [BUILTIN]).theme;
    expect(themeStyle(dark, 'header')).toEqual({ fg: dark.colors.header, bold: true });
    expect(themeStyle(dark, 'statusBarFg', 'statusBar')).toEqual({ fg: dark.colors.statusBarFg, bg: dark.colors.statusBar });
  });
});

describe('themeInUse: the name a header shows', () => {
  it('is the fallback, not the requested name, when the requested theme is missing or broken ("theme evil" drawn in dark)', () => {
    for (const requested of ['evil', 'badcolor', '../etc/passwd']) {
      const r = themeInUse(requested, [BROKEN, BUILTIN], {});
      expect(r.requested).toBe(requested);
      expect(r.name).toBe('dark');
      expect(r.theme.name).toBe('dark');
      expect(r.error).toBeDefined();
    }
  });

  it('is the requested theme when it loads, and monochrome under NO_COLOR', () => {
    expect(themeInUse('light', [BUILTIN], {})).toMatchObject({ requested: 'light', name: 'light' });
    const mono = themeInUse('light', [BUILTIN], { NO_COLOR: '1' });
    expect([mono.requested, mono.name, mono.path]).toEqual(['light', MONOCHROME_THEME.name, null]);
  });
});
