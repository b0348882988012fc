import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyConfigEdits, configValues, lineKey, setConfigValues } from '../../src/core/configText.js';
import { consoleBufferTook, parseConsoleBufferSize } from '../../src/core/consoleBuffer.js';
import { errorLine } from './errorLine.js';

const K = 'lxc.console.buffer.size';

/** Config-ish lines: comments, blanks, other keys, the key K in odd spacings, CRLF endings, junk. */
const lineArb = fc.oneof(
  fc.constantFrom('', '   ', '# a comment', '#lxc.console.buffer.size = 1MB', '  # indented comment', 'not a key line', '\t'),
  fc.tuple(fc.constantFrom('lxc.net.0.type', 'lxc.idmap', 'lxc.console.buffer.sizes', 'lxc.console.buffer', 'lxc.tty.max'), fc.constantFrom(' = ', '=', '  =  ', ' =\t'), fc.string({ maxLength: 12 }).filter((s) => !/[\n]/.test(s))).map(([k, eq, v]) => `${k}${eq}${v}`),
  fc.tuple(fc.constantFrom('', '  ', '\t'), fc.constantFrom(' = ', '=', '   = '), fc.constantFrom('128k', '4096', '', '1MB'), fc.constantFrom('', '\r')).map(([ind, eq, v, cr]) => `${ind}${K}${eq}${v}${cr}`),
  fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n')),
);
const textArb = fc.tuple(fc.array(lineArb, { maxLength: 25 }), fc.boolean()).map(([lines, nl]) => (lines.length ? lines.join('\n') + (nl ? '\n' : '') : ''));
const valuesArb = fc.array(fc.constantFrom('128kB', '1MB', 'auto', '', '4096', 'a b c'), { maxLength: 3 });

/** Lines other than K's, with the last unterminated line and a terminated one compared alike. */
function otherLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.filter((l) => lineKey(l) !== K);
}

describe('setConfigValues (editing one key of a config file as text)', () => {
  it('property: every line that does not set the key stays byte-identical and in order', () => {
    fc.assert(
      fc.property(textArb, valuesArb, (text, values) => {
        expect(otherLines(setConfigValues(text, { key: K, values }))).toEqual(otherLines(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: applying an edit twice gives the same text as once', () => {
    fc.assert(
      fc.property(textArb, valuesArb, (text, values) => {
        const once = setConfigValues(text, { key: K, values });
        expect(setConfigValues(once, { key: K, values })).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: afterwards the key has exactly the values asked for, in order', () => {
    fc.assert(
      fc.property(textArb, valuesArb, (text, values) => {
        expect(configValues(setConfigValues(text, { key: K, values }), K)).toEqual(values);
      }),
      { numRuns: 2000 },
    );
  });

  it('replaces the existing line in place, keeping its spacing, the comments and the blank lines', () => {
    const text = '# mine\n\nlxc.tty.max = 5\nlxc.console.buffer.size=128k\n\n# end\n';
    expect(setConfigValues(text, { key: K, values: ['128kB'] })).toBe('# mine\n\nlxc.tty.max = 5\nlxc.console.buffer.size=128kB\n\n# end\n');
  });

  it('three copies (what the old B left) become one, at the first one\'s place', () => {
    const text = 'a.x = 1\nlxc.console.buffer.size = 128k\n\nlxc.console.buffer.size = 128k\n# c\nlxc.console.buffer.size = 128k\n';
    expect(setConfigValues(text, { key: K, values: ['128kB'] })).toBe('a.x = 1\nlxc.console.buffer.size = 128kB\n\n# c\n');
  });

  it('appends a missing key at the end, ending an unterminated last line first', () => {
    expect(setConfigValues('lxc.tty.max = 5', { key: K, values: ['128kB'] })).toBe('lxc.tty.max = 5\nlxc.console.buffer.size = 128kB\n');
    expect(setConfigValues('', { key: K, values: ['128kB'] })).toBe('lxc.console.buffer.size = 128kB\n');
    expect(setConfigValues('x\n\n', { key: K, values: ['1MB'] })).toBe('x\n\nlxc.console.buffer.size = 1MB\n');
  });

  it('adds further values of a repeated key after its last line, and removes a key with []', () => {
    const text = 'lxc.idmap = u 0 100000 65536\n# between\nlxc.tty.max = 5\n';
    expect(setConfigValues(text, { key: 'lxc.idmap', values: ['u 0 200000 65536', 'g 0 200000 65536'] })).toBe(
      'lxc.idmap = u 0 200000 65536\nlxc.idmap = g 0 200000 65536\n# between\nlxc.tty.max = 5\n',
    );
    expect(setConfigValues(text, { key: 'lxc.idmap', values: [] })).toBe('# between\nlxc.tty.max = 5\n');
    expect(applyConfigEdits(text, [{ key: 'lxc.idmap', values: [] }, { key: K, values: ['auto'] }])).toBe('# between\nlxc.tty.max = 5\nlxc.console.buffer.size = auto\n');
  });

  it('a commented-out key is a comment, not the key', () => {
    expect(setConfigValues('#lxc.console.buffer.size = 1MB\n', { key: K, values: ['128kB'] })).toBe('#lxc.console.buffer.size = 1MB\nlxc.console.buffer.size = 128kB\n');
  });

  it('refuses values that would break out of their line, and keys that are not liblxc keys', () => {
    expect(errorLine(() => setConfigValues('', { key: K, values: ['1\nlxc.hook.pre-start = /tmp/evil'] }))).toBe(
      `invalid value for ${K}: it contains a line break or NUL: give a value on one line`,
    );
    expect(errorLine(() => setConfigValues('', { key: K, values: [' 1MB'] }))).toMatch(/starts or ends with blanks/);
    expect(errorLine(() => setConfigValues('', { key: 'lxc.x = y', values: ['1'] }))).toMatch(/^invalid config key "lxc.x = y": use a liblxc key/);
    expect(errorLine(() => setConfigValues('', { key: 'net.0', values: ['1'] }))).toMatch(/^invalid config key/);
  });
});

describe('console buffer sizes', () => {
  it('takes digits with kB/MB/GB (any case) or auto, written the way liblxc reads them', () => {
    expect(parseConsoleBufferSize('128kB')).toEqual({ value: '128kB', bytes: 131072 });
    expect(parseConsoleBufferSize('128KB')).toEqual({ value: '128kB', bytes: 131072 });
    expect(parseConsoleBufferSize('1mb')).toEqual({ value: '1MB', bytes: 1048576 });
    expect(parseConsoleBufferSize('4096')).toEqual({ value: '4096', bytes: 4096 });
    expect(parseConsoleBufferSize('auto')).toEqual({ value: 'auto', bytes: null });
  });

  it('refuses 128k (liblxc reads it as 128 bytes) with the spelling that works, and other junk, in one line', () => {
    expect(errorLine(() => parseConsoleBufferSize('128k'))).toBe('invalid console buffer size "128k": write 128kB (liblxc reads 128k as 128 bytes)');
    expect(errorLine(() => parseConsoleBufferSize('2m'))).toBe('invalid console buffer size "2m": write 2MB (liblxc reads 2m as 2 bytes)');
    expect(errorLine(() => parseConsoleBufferSize('12q'))).toBe('invalid console buffer size "12q": use a size such as 128kB, 1MB or auto');
    expect(errorLine(() => parseConsoleBufferSize('0'))).toMatch(/keeps no buffer: use --off/);
    expect(errorLine(() => parseConsoleBufferSize('1GB'))).toMatch(/too large.*: use at most 64MB$/);
    for (const bad of ['', '-5', '1.5MB', '1TB', '0x10', 'kB']) expect(() => parseConsoleBufferSize(bad)).toThrow(/invalid console buffer size/);
  });

  it('judges liblxc\'s read-back (bytes, rounded up to a power of two of at least a page)', () => {
    const kb128 = parseConsoleBufferSize('128kB');
    expect(consoleBufferTook(kb128, '131072')).toBe(true);
    expect(consoleBufferTook(kb128, '4096')).toBe(false); // what "128k" gave
    expect(consoleBufferTook(parseConsoleBufferSize('100kB'), '131072')).toBe(true);
    expect(consoleBufferTook(parseConsoleBufferSize('100'), '4096')).toBe(true);
    expect(consoleBufferTook(parseConsoleBufferSize('100kB'), '262144')).toBe(false);
    expect(consoleBufferTook(parseConsoleBufferSize('auto'), '131072')).toBe(true);
    expect(consoleBufferTook(parseConsoleBufferSize('auto'), '0')).toBe(false);
    expect(consoleBufferTook(null, '0')).toBe(true);
    expect(consoleBufferTook(null, '4096')).toBe(false);
  });
});
