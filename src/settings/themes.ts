import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { effectiveTheme, isThemeName, MONOCHROME_THEME, oneLine, validateTheme, type Theme } from './theme.js';

// the schema and the in-code themes live in theme.ts (no fs); re-exported for callers that only import this module
export { effectiveTheme, MONOCHROME_THEME, validateTheme, type Theme } from './theme.js';

export const DEFAULT_THEME_NAME = 'dark';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the shipped themes/ may be: src/settings (vitest) is two levels below the repo, dist/src/settings three. */
export function builtinThemesDirCandidates(): string[] {
  return [path.resolve(here, '../../themes'), path.resolve(here, '../../../themes'), '/usr/share/lxcdeck/themes'];
}

export function builtinThemesDir(): string {
  const candidates = builtinThemesDirCandidates();
  return candidates.find((d) => fs.existsSync(path.join(d, `${DEFAULT_THEME_NAME}.json`))) ?? candidates[0]!;
}

/** Lookup order: the user's `<config dir>/themes` first, so a file there overrides a built-in of the same name. */
export function themeDirs(configDir: string): string[] {
  return [path.join(configDir, 'themes'), builtinThemesDir()];
}

export interface ThemeLoad {
  /** Always usable: the requested theme, or the fallback when `error` is set. */
  theme: Theme;
  /** One line for the status bar when the requested theme could not be used. */
  error?: string;
  /** The file the theme came from (null for the in-code monochrome theme). */
  path: string | null;
}

/**
 * Loads theme `name` from the first directory that has `<name>.json`. A
 * broken file is reported, not skipped: the user should learn their override
 * is wrong rather than silently get the built-in. Never throws; on any
 * problem returns the default dark theme (or monochrome if even that is
 * unusable) with a one-line error.
 */
export function loadTheme(name: string, dirs: readonly string[]): ThemeLoad {
  const found = readTheme(name, dirs);
  if ('theme' in found) return found;
  const fallback = fallbackTheme(dirs);
  return { ...fallback, error: `${found.error}; using ${fallback.theme.name}` };
}

export interface ThemeInUse extends ThemeLoad {
  /** The theme the settings ask for. */
  requested: string;
  /** The theme actually drawn with: `requested`, or the fallback when it would not load, or monochrome under NO_COLOR. */
  name: string;
}

/**
 * What a header or status line should name: the theme in use, which is not
 * the requested one when that is broken or missing (the fallback) or when
 * NO_COLOR is set (monochrome). Never throws, like loadTheme.
 */
export function themeInUse(requested: string, dirs: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): ThemeInUse {
  const load = loadTheme(requested, dirs);
  const theme = effectiveTheme(load.theme, env);
  return { ...load, theme, path: theme === load.theme ? load.path : null, requested, name: theme.name };
}

export interface ThemeInfo {
  name: string;
  /** null for the in-code monochrome theme. */
  path: string | null;
  description: string;
  /** Set when the file would not load; the picker can show it greyed out. */
  error?: string;
}

/** Every theme a user can pick, by name; a name in an earlier dir hides later ones. */
export function listThemes(dirs: readonly string[]): ThemeInfo[] {
  const byName = new Map<string, ThemeInfo>();
  for (const dir of dirs) {
    for (const file of readDirJson(dir)) {
      const name = file.slice(0, -'.json'.length);
      if (byName.has(name) || !isThemeName(name)) continue;
      const r = readFile(path.join(dir, file));
      byName.set(name, 'theme' in r ? { name, path: r.path, description: r.theme.description } : { name, path: path.join(dir, file), description: '', error: r.error });
    }
  }
  if (!byName.has(MONOCHROME_THEME.name)) {
    byName.set(MONOCHROME_THEME.name, { name: MONOCHROME_THEME.name, path: null, description: MONOCHROME_THEME.description });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

type Found = { theme: Theme; path: string | null } | { error: string };

function readTheme(name: string, dirs: readonly string[]): Found {
  if (!isThemeName(name)) {
    return { error: `theme ${JSON.stringify(name)} is not a theme name: use letters, digits, '.', '_' or '-' (e.g. ${DEFAULT_THEME_NAME})` };
  }
  const tried: string[] = [];
  for (const dir of dirs) {
    const file = path.join(dir, `${name}.json`);
    if (fs.existsSync(file)) return readFile(file);
    tried.push(file);
  }
  // monochrome lives in code; a file of that name (above) still wins
  if (name === MONOCHROME_THEME.name) return { theme: MONOCHROME_THEME, path: null };
  const names = listThemes(dirs).filter((t) => !t.error).map((t) => t.name);
  return { error: `theme "${name}" not found (tried ${tried.join(', ')}): use one of ${names.join(', ')}` };
}

function readFile(file: string): Found {
  const base = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return { error: `theme ${base}: cannot read ${file} (${code}): check that it is a readable file` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { error: oneLine(`theme ${base}: not valid JSON (${(e as Error).message}): fix the syntax in ${file}`) };
  }
  const check = validateTheme(raw, base);
  return check.ok ? { theme: check.theme, path: file } : { error: check.error };
}

/** The first dark.json in `dirs` that validates (a broken user override falls through to the built-in), else monochrome. */
function fallbackTheme(dirs: readonly string[]): { theme: Theme; path: string | null } {
  for (const dir of [...dirs, builtinThemesDir()]) {
    const file = path.join(dir, `${DEFAULT_THEME_NAME}.json`);
    if (!fs.existsSync(file)) continue;
    const r = readFile(file);
    if ('theme' in r) return r;
  }
  return { theme: MONOCHROME_THEME, path: null };
}

function readDirJson(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return []; // a missing user themes/ dir is normal
  }
}
