import { COLOR_HINT, parseColor, type ColorValue } from './colorValue.js';

/** Every colour a theme must define; the UI asks for these and nothing else. */
export const THEME_KEYS = [
  'fg',
  'bg',
  'border',
  'borderFocus',
  'header',
  'selectedFg',
  'selectedBg',
  'marked',
  'dim',
  'title',
  'statusBar',
  'statusBarFg',
  'stateRunning',
  'stateStopped',
  'stateFrozen',
  'stateTransition',
  'logInfo',
  'logWarn',
  'logError',
  'chartCpu',
  'chartMemory',
  'chartPids',
  'chartIoRead',
  'chartIoWrite',
  'chartNetRx',
  'chartNetTx',
  'chartPressure',
  'sparkline',
  'filterMatch',
  'helpKey',
] as const;

export type ThemeKey = (typeof THEME_KEYS)[number];
export type ThemeColors = Readonly<Record<ThemeKey, ColorValue>>;

/**
 * Text attributes a theme may add to a key (blessed style flags). They carry
 * meaning where colour cannot: the monochrome theme selects by inverse, and
 * high-contrast marks running/errors in bold so hue is never the only cue.
 * For fg/bg pairs (selectedFg/selectedBg, statusBarFg/statusBar) put them on
 * the fg key.
 */
export const THEME_ATTRS = ['bold', 'underline', 'inverse'] as const;
export type ThemeAttr = (typeof THEME_ATTRS)[number];
export type ThemeAttrs = Readonly<Partial<Record<ThemeKey, readonly ThemeAttr[]>>>;

export interface Theme {
  /** Equals the file's base name: what `settings.theme` refers to. */
  readonly name: string;
  readonly description: string;
  readonly colors: ThemeColors;
  readonly attrs: ThemeAttrs;
}

export type ThemeCheck = { ok: true; theme: Theme } | { ok: false; error: string };

// Theme names become file names: no separators, no leading dot, so a
// hand-edited settings file cannot point outside the theme directories.
const THEME_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isThemeName(name: unknown): name is string {
  return typeof name === 'string' && THEME_NAME_RE.test(name);
}

const TOP_LEVEL = ['name', 'description', 'colors', 'attrs'];

/**
 * Checks parsed theme JSON against the schema. `file` names the theme in
 * messages (e.g. "light.json"); the theme's "name" must match it. Every
 * problem is found, the first is reported on one line with a count of the rest.
 */
export function validateTheme(raw: unknown, file: string): ThemeCheck {
  const expected = file.replace(/\.json$/, '');
  const problems: string[] = [];
  if (!isPlainObject(raw)) {
    return fail(file, [`not a JSON object: write { "name": "${expected}", "description": "...", "colors": { ... } }`]);
  }

  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL.includes(key)) problems.push(`unknown field ${JSON.stringify(key)}: use ${TOP_LEVEL.join(', ')}`);
  }

  if (raw.name === undefined) problems.push(`"name" is missing: add "name": "${expected}"`);
  else if (raw.name !== expected) {
    problems.push(`name ${show(raw.name)} does not match the file name: set "name": "${expected}" or rename the file`);
  }
  if (raw.description !== undefined && typeof raw.description !== 'string') {
    problems.push(`description ${show(raw.description)} is not a string: write a short sentence in quotes`);
  }

  const colors: Partial<Record<ThemeKey, ColorValue>> = {};
  if (!isPlainObject(raw.colors)) {
    problems.push(`"colors" is ${raw.colors === undefined ? 'missing' : 'not an object'}: add "colors": { "fg": ..., "bg": ..., ... }`);
  } else {
    for (const key of Object.keys(raw.colors)) {
      if (!isThemeKey(key)) problems.push(`${field('colors', key)} is not a theme colour: ${suggestKey(key)}`);
    }
    for (const key of THEME_KEYS) {
      const value = raw.colors[key];
      if (value === undefined) {
        problems.push(`colors.${key} is missing: add it (${COLOR_HINT.replace(/^use /, '')})`);
        continue;
      }
      const color = parseColor(value);
      if (color === null) problems.push(`colors.${key} ${show(value)} is not a colour: ${COLOR_HINT}`);
      else colors[key] = color;
    }
  }

  const attrs: Partial<Record<ThemeKey, ThemeAttr[]>> = {};
  if (raw.attrs !== undefined) {
    if (!isPlainObject(raw.attrs)) {
      problems.push(`"attrs" is not an object: write e.g. "attrs": { "selectedFg": ["bold"] }`);
    } else {
      for (const [key, list] of Object.entries(raw.attrs)) {
        if (!isThemeKey(key)) {
          problems.push(`${field('attrs', key)} is not a theme colour: ${suggestKey(key)}`);
          continue;
        }
        if (!Array.isArray(list)) {
          problems.push(`attrs.${key} ${show(list)} is not a list: write e.g. ["bold"]`);
          continue;
        }
        const bad = list.find((a) => !(THEME_ATTRS as readonly unknown[]).includes(a));
        if (bad !== undefined) problems.push(`attrs.${key} ${show(bad)} is not an attribute: use ${THEME_ATTRS.join(', ')}`);
        else attrs[key] = [...new Set(list as ThemeAttr[])];
      }
    }
  }

  if (problems.length > 0) return fail(file, problems);
  return {
    ok: true,
    theme: freezeTheme({
      name: expected,
      description: typeof raw.description === 'string' ? raw.description : '',
      colors: colors as Record<ThemeKey, ColorValue>,
      attrs,
    }),
  };
}

/** Every key "default", selection and focus shown by attributes alone (no-color.org). */
export const MONOCHROME_THEME: Theme = freezeTheme({
  name: 'monochrome',
  description: 'No colours: terminal defaults, selection by inverse video (used when NO_COLOR is set)',
  colors: Object.fromEntries(THEME_KEYS.map((k) => [k, 'default'])) as Record<ThemeKey, ColorValue>,
  attrs: {
    selectedFg: ['inverse'],
    statusBarFg: ['inverse'],
    marked: ['bold', 'underline'],
    borderFocus: ['bold'],
    header: ['bold', 'underline'],
    title: ['bold'],
    stateRunning: ['bold'],
    stateTransition: ['underline'],
    logWarn: ['bold'],
    logError: ['bold', 'inverse'],
    filterMatch: ['underline'],
    helpKey: ['bold'],
  },
});

/** NO_COLOR set to anything non-empty (no-color.org) overrides the chosen theme. */
export function effectiveTheme(theme: Theme, env: Readonly<Record<string, string | undefined>>): Theme {
  return env.NO_COLOR ? MONOCHROME_THEME : theme;
}

/** A blessed-style object ({ fg, bg, bold, ... }) for one theme key, attrs taken from the fg key. */
export interface ThemeStyle {
  fg: ColorValue;
  bg?: ColorValue;
  bold?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export function themeStyle(theme: Theme, fgKey: ThemeKey, bgKey?: ThemeKey): ThemeStyle {
  const style: ThemeStyle = { fg: theme.colors[fgKey] };
  if (bgKey) style.bg = theme.colors[bgKey];
  for (const attr of theme.attrs[fgKey] ?? []) style[attr] = true;
  return style;
}

export function isThemeKey(key: string): key is ThemeKey {
  return (THEME_KEYS as readonly string[]).includes(key);
}

/** `colors.<key>` as a message names it; a key with odd characters (a line break, an escape) is quoted so the line stays one line. */
function field(group: string, key: string): string {
  return /^[\w.-]+$/.test(key) ? `${group}.${key}` : `${group}[${JSON.stringify(key)}]`;
}

function fail(file: string, problems: string[]): ThemeCheck {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return { ok: false, error: oneLine(`theme ${file}: ${problems[0]}${more}`) };
}

export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as it would appear in the file, kept short. */
function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function suggestKey(key: string): string {
  let best: ThemeKey | null = null;
  let bestDist = Infinity;
  for (const k of THEME_KEYS) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDist) [best, bestDist] = [k, d];
  }
  return best !== null && bestDist <= 3 ? `did you mean ${best}?` : 'remove it (see themes/dark.json for the keys)';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function freezeTheme(t: { name: string; description: string; colors: Record<ThemeKey, ColorValue>; attrs: ThemeAttrs }): Theme {
  for (const list of Object.values(t.attrs)) Object.freeze(list);
  return Object.freeze({ ...t, colors: Object.freeze({ ...t.colors }), attrs: Object.freeze({ ...t.attrs }) });
}
