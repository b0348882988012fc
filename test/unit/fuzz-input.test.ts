import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEYED_COMMANDS } from '../../src/commands/keytable.js';
import { isValidKey, keySpace, resolveKeymap } from '../../src/commands/keymap.js';
import { configValues, lineKey, setConfigValues, validateConfigEdit } from '../../src/core/configText.js';
import { LxcdeckError } from '../../src/core/errors.js';
import { formatIdMapEntry, parseIdMapEntry } from '../../src/core/idmap.js';
import { validateContainerName } from '../../src/core/names.js';
import { parseMark, parseSource, parseTarget, validateRule } from '../../src/rules/rules.js';
import { parseNumber } from '../../src/rules/sources.js';

/**
 * Fuzzing what users type and containers write: rule sources, targets and
 * marks, source file contents, key names, container names, idmap values and
 * config values. Each API either returns or throws one LxcdeckError whose line
 * is "what: fix" on one line. (subuid files, idmap lines and config-text edits
 * have their own properties in idmap-parse.test.ts and config-text.test.ts.)
 */

/** Runs fn; if it throws, the error must be a one-line LxcdeckError in the `what: fix` shape. Returns whether it threw. */
function throwsOneLine(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    expect(e).toBeInstanceOf(LxcdeckError);
    const err = e as LxcdeckError;
    // one line, no control character (an escape would reach the terminal), "what: fix"
    expect(err.line).not.toMatch(/[\x00-\x1f]/);
    expect(err.message.trim()).not.toBe('');
    expect((err.fix ?? '').trim()).not.toBe('');
    return true;
  }
}

const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('a', '0', ':', '/', '.', '-', '_', '*', ' ', '\n', '\r', '"', '\\', '\0', '\x1b', '\u2028', 'é', '😀'), maxLength: 16 }),
);
const prefixed = (kinds: readonly string[]) => fc.tuple(fc.constantFrom(...kinds), nasty).map(([k, a]) => `${k}${a}`);
const sourceArb = fc.oneof(nasty, prefixed(['thermal:', 'file:', 'file:/', 'pressure:', 'cpu:', 'thermal:thermal_zone', 'pressure:memory']));
const targetArb = fc.oneof(nasty, prefixed(['job:', 'jobs:', 'container:', 'group:', 'jobs:*', ':']));
const nameArb = fc.oneof(nasty, fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,70}$/));

describe('fuzz: rule sources, targets and marks', () => {
  it('parseSource and parseTarget return a parsed value or throw one line', () => {
    fc.assert(
      fc.property(sourceArb, targetArb, (s, t) => {
        if (!throwsOneLine(() => parseSource(s))) {
          const src = parseSource(s);
          // what is accepted names only what it was given
          if (src.kind === 'file') expect(`file:${src.path}`).toBe(s);
          if (src.kind === 'cpu') expect(src.name).not.toMatch(/[\s/]/);
        }
        if (!throwsOneLine(() => parseTarget(t))) {
          const tgt = parseTarget(t);
          expect(tgt.kind === 'jobs' ? 'jobs:*' : `${tgt.kind}:${tgt.name}`).toBe(t);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parseMark accepts exactly finite numbers and decimal strings; printed marks read back', () => {
    const markArb = fc.oneof(fc.double(), fc.integer(), nasty, fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.constant(null), fc.boolean());
    fc.assert(
      fc.property(markArb, (v) => {
        if (!throwsOneLine(() => parseMark('high', v))) expect(Number.isFinite(parseMark('high', v))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.nat(999), (i, f) => {
        expect(parseMark('low', `${i}.${f}`)).toBe(Number(`${i}.${f}`));
      }),
      { numRuns: 500 },
    );
  });

  it('validateRule on random objects returns a clean rule or throws one line; a clean rule validates to itself', () => {
    const ruleArb = fc.record(
      { name: fc.oneof(nameArb, fc.integer(), fc.constant(null)), source: fc.oneof(sourceArb, fc.integer()), target: fc.oneof(targetArb, fc.constant(null)), high: fc.oneof(fc.double(), nasty), low: fc.oneof(fc.double(), nasty) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(ruleArb, fc.anything()), (raw) => {
        if (throwsOneLine(() => validateRule(raw))) return;
        const rule = validateRule(raw);
        expect(validateRule(JSON.parse(JSON.stringify(rule)))).toEqual(rule);
        expect(rule.low).toBeLessThan(rule.high);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseNumber reads the leading number of any text, and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(nasty, fc.constant(null)), (text) => {
        const n = parseNumber(text);
        if (n !== null) expect(Number.isNaN(n)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), fc.constantFrom('', '\n', ' millidegrees', '\t1 2'), (v, tail) => {
        expect(parseNumber(`${v}${tail}`)).toBe(v === 0 ? 0 : v);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fuzz: container names', () => {
  it('validateContainerName returns the name unchanged or throws one line; what it accepts is a hostname-safe file name', () => {
    fc.assert(
      fc.property(nameArb, (name) => {
        if (throwsOneLine(() => validateContainerName(name))) return;
        expect(validateContainerName(name)).toBe(name);
        expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/);
        expect(name).not.toContain('/');
        expect(name).not.toContain('..');
      }),
      { numRuns: 2000 },
    );
  });
});

const defaults = KEYED_COMMANDS.map((c) => ({ id: c.id, keys: c.keys, scope: c.scope }));
const ids = defaults.map((d) => d.id);
const keyArb = fc.oneof(
  nasty,
  fc.tuple(fc.constantFrom('', 'C-', 'M-', 'S-', 'C-M-', 'C-C-'), fc.oneof(fc.constantFrom('enter', 'tab', 'f5', 'f13', 'up', 'space'), fc.string({ minLength: 1, maxLength: 2 }))).map(([m, k]) => m + k),
  fc.constantFrom('C-b %', 'C-b  %', ' ', 'a b c', '\u007f', 'q'),
);

describe('fuzz: key names and keymap overrides', () => {
  it('isValidKey never throws; valid names are one token or a two-key chord without control characters', () => {
    fc.assert(
      fc.property(keyArb, (k) => {
        if (!isValidKey(k)) return;
        expect(k.split(' ').length).toBeLessThanOrEqual(2);
        expect(k).not.toMatch(/[\x00-\x1f\x7f]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('resolveKeymap with random overrides never throws, reports one line per problem, and never lets two commands share a key it accepted', () => {
    const overridesArb = fc.dictionary(fc.oneof(fc.constantFrom(...ids), nasty), fc.array(keyArb, { maxLength: 3 }), { maxKeys: 6 });
    fc.assert(
      fc.property(overridesArb, (overrides) => {
        const km = resolveKeymap(defaults, overrides);
        for (const p of km.problems) expect(p).not.toMatch(/[\x00-\x1f]/);
        for (const d of defaults) expect(km.byCommand.has(d.id)).toBe(true);
        for (const [id, keys] of Object.entries(overrides)) {
          const got = km.byCommand.get(id);
          if (got === undefined || JSON.stringify(got) !== JSON.stringify(keys) || JSON.stringify(keys) === JSON.stringify(defaults.find((d) => d.id === id)?.keys)) continue;
          // an accepted override: valid keys, none used by another command of the same key space
          expect(keys.every(isValidKey)).toBe(true);
          const space = keySpace(defaults.find((d) => d.id === id)?.scope);
          for (const other of defaults) {
            if (other.id === id || keySpace(other.scope) !== space) continue;
            for (const k of keys) expect(km.byCommand.get(other.id)).not.toContain(k);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('fuzz finds (fixed): a key override for an unknown command named with a line break or NUL', () => {
  it('is reported on one line, the id quoted', () => {
    const km = resolveKeymap(defaults, { 'a\nb': ['x'], '\0': ['y'] });
    expect(km.problems).toEqual([`key override for unknown command "a\\nb": use an id from 'lxcdeck keys'`, `key override for unknown command "\\u0000": use an id from 'lxcdeck keys'`]);
    expect(resolveKeymap(defaults, { nope: ['x'] }).problems[0]).toContain('unknown command nope:');
  });
});

describe('fuzz finds (fixed): an override accepted next to a refused one could share its key', () => {
  it('help -> q is refused when quit -> "C-b %" is refused and quit keeps q', () => {
    const km = resolveKeymap(defaults, { 'app.help': ['q'], 'app.quit': ['C-b %'] });
    expect(km.byCommand.get('app.quit')).toContain('q');
    expect(km.byCommand.get('app.help')).not.toContain('q');
    expect(km.byKey.get('q')).toBe('app.quit');
    expect(km.problems).toHaveLength(2);
    for (const p of km.problems) expect(p).toMatch(/^key override for app\.(help|quit): .* is already bound to .*; kept the default /);
  });
});

describe('fuzz: idmap values and config values', () => {
  it('parseIdMapEntry returns an entry that formats back to the same words, or throws one line', () => {
    const idArb = fc.oneof(
      nasty,
      fc.tuple(fc.constantFrom('u', 'g', 'b', ''), fc.integer({ min: -5, max: 2 ** 33 }), fc.integer({ min: -5, max: 2 ** 33 }), fc.integer({ min: -5, max: 2 ** 33 }), fc.constantFrom(' ', '  ', '\t')).map(
        ([k, a, b, c, sp]) => [k, a, b, c].join(sp),
      ),
    );
    fc.assert(
      fc.property(idArb, (v) => {
        if (throwsOneLine(() => parseIdMapEntry(v))) return;
        const e = parseIdMapEntry(v);
        expect(formatIdMapEntry(e)).toBe(v.trim().split(/\s+/).join(' '));
        expect(parseIdMapEntry(formatIdMapEntry(e))).toEqual(e);
      }),
      { numRuns: 2000 },
    );
  });

  it('config values: validateConfigEdit throws one line or the value reads back through the config text unchanged', () => {
    const keyArb2 = fc.oneof(fc.constantFrom('lxc.console.buffer.size', 'lxc.idmap', 'lxc.net.0.link'), nasty, prefixed(['lxc.']));
    const textArb = fc.array(fc.oneof(nasty, fc.constantFrom('lxc.tty.max = 4', '# c', '')), { maxLength: 8 }).map((l) => l.join('\n'));
    fc.assert(
      fc.property(keyArb2, fc.array(nasty, { maxLength: 3 }), textArb, (key, values, text) => {
        if (throwsOneLine(() => validateConfigEdit({ key, values }))) {
          expect(() => setConfigValues(text, { key, values })).toThrow(LxcdeckError);
          return;
        }
        const out = setConfigValues(text, { key, values });
        expect(configValues(out, key)).toEqual(values);
        for (const line of out.split('\n')) if (lineKey(line) === key) expect(line.trimStart().startsWith(key)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
