import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress, formatCidr, parseCidr, parseIPv6, type Cidr } from '../../src/core/cidr.js';
import { choiceField, cidrField, defineForm, listField, numberField, optional, sizeField, textField, validate, validateForm } from '../../src/core/fields.js';
import { formatSize, parseSize } from '../../src/core/size.js';

/** One line, `what is wrong: how to fix it`. */
const oneLine = (e: string | null) => {
  expect(e).not.toBeNull();
  expect(e).not.toContain('\n');
  expect(e).toMatch(/^[^:]+.*: \S/);
  return e as string;
};

describe('size', () => {
  it('reads binary units the way cgroups and liblxc do', () => {
    const bytes = (s: string) => {
      const r = parseSize(s);
      return r.ok ? r.bytes : r.error;
    };
    expect(bytes('4096')).toBe(4096);
    expect(bytes('512M')).toBe(512 * 2 ** 20);
    expect(bytes('2G')).toBe(2 * 2 ** 30);
    expect(bytes('128kB')).toBe(128 * 1024);
    expect(bytes('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(bytes(' 7 b ')).toBe(7);
    expect(bytes('1T')).toBe(2 ** 40);
  });

  it('says what is wrong with a bad size in one line', () => {
    for (const s of ['', 'abc', '12X', '5iB', '-1M', '1e3', 'M', '1..5G']) {
      const r = parseSize(s);
      expect(r.ok, s).toBe(false);
      if (!r.ok) expect(oneLine(r.error)).toContain('e.g. 512M');
    }
    const huge = parseSize('99999999P');
    expect(huge.ok ? huge.bytes : huge.error).toMatch(/too large: use at most/);
  });

  it('never throws, whatever is typed', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const r = parseSize(s);
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 2000 });
  });

  it('round-trips: formatSize prints what parseSize reads back exactly', () => {
    const units = fc.constantFrom(1, 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4);
    const sizes = fc.oneof(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.tuple(fc.nat({ max: 1_000_000 }), units).map(([n, u]) => n * u).filter(Number.isSafeInteger));
    fc.assert(fc.property(sizes, (n) => {
      const text = formatSize(n);
      const r = parseSize(text);
      expect(r).toEqual({ ok: true, bytes: n });
    }), { numRuns: 2000 });
    expect(formatSize(512 * 2 ** 20)).toBe('512M');
    expect(formatSize(1536 * 1024)).toBe('1536K');
    expect(formatSize(100)).toBe('100');
  });
});

describe('CIDR', () => {
  it('accepts IPv4 and IPv6 subnets and prints them canonically', () => {
    const ok = (s: string) => {
      const r = parseCidr(s);
      return r.ok ? formatCidr(r.cidr) : r.error;
    };
    expect(ok('10.20.0.0/24')).toBe('10.20.0.0/24');
    expect(ok(' 0.0.0.0/0 ')).toBe('0.0.0.0/0');
    expect(ok('FD42:0:0:0::/64')).toBe('fd42::/64');
    expect(ok('2001:db8:0:0:1:0:0:0/128')).toBe('2001:db8:0:0:1::/128'); // the longer zero run wins
    expect(ok('::ffff:10.0.0.0/104')).toBe('::ffff:10.0.0.0/104');
    expect(ok('::/0')).toBe('::/0');
  });

  it('names what is wrong and the fix', () => {
    const err = (s: string, o = {}) => {
      const r = parseCidr(s, o);
      return r.ok ? 'accepted' : oneLine(r.error);
    };
    expect(err('10.20.0.1/24')).toBe('"10.20.0.1/24" has host bits set: use the network 10.20.0.0/24');
    expect(err('10.20.0.1/24', { form: 'address' })).toBe('accepted');
    expect(err('10.20.0.0')).toBe('"10.20.0.0" has no prefix length: add one, e.g. 10.20.0.0/24');
    expect(err('10.20.0.0/33')).toMatch(/not valid for IPv4: use 0 to 32$/);
    expect(err('fd42::/129')).toMatch(/not valid for IPv6: use 0 to 128$/);
    expect(err('10.20.0.300/24')).toMatch(/^"10.20.0.300\/24" is not an IPv4 address/);
    expect(err('010.1.1.0/24')).toMatch(/is not an IPv4 address/);
    expect(err('fd42::/64', { family: 4 })).toBe('"fd42::/64" is IPv6: give an IPv4 prefix, e.g. 10.20.0.0/24');
    for (const bad of ['1:2:3:4:5:6:7:8:9/64', '1::2::3/64', ':1::/64', 'fe80::1%eth0/64', 'g::/64', '1:2:3:4:5:6:7::8/64x', 'hello', '10.0.0.0/ 8', '10.0.0.0/08'])
      expect(parseCidr(bad).ok, bad).toBe(false);
  });

  it('never throws, whatever is typed', () => {
    const chars = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:./% x-'.split('')), maxLength: 48 });
    fc.assert(fc.property(fc.oneof(chars, fc.string({ unit: 'binary' })), (s) => {
      const r = parseCidr(s);
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 3000 });
  });

  it('reads every address form fast-check knows (RFC 4291 / 3986) and round-trips the canonical form', () => {
    const prefixed = (addr: fc.Arbitrary<string>, max: number) => fc.tuple(addr, fc.integer({ min: 0, max }));
    fc.assert(fc.property(fc.oneof(prefixed(fc.ipV4(), 32), prefixed(fc.ipV6(), 128)), ([addr, prefix]) => {
      const r = parseCidr(`${addr}/${prefix}`, { form: 'address' });
      expect(r.ok, `${addr}/${prefix}`).toBe(true);
      if (!r.ok) return;
      const again = parseCidr(formatCidr(r.cidr), { form: 'address' });
      expect(again).toEqual(r);
    }), { numRuns: 3000 });
  });

  it('prints the RFC 5952 form and reads it back to the same bytes', () => {
    const v6 = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }).map((g) => g.flatMap((x) => [x >> 8, x & 0xff]));
    fc.assert(fc.property(v6, (bytes) => {
      const text = formatAddress(6, bytes);
      expect(parseIPv6(text)).toEqual(bytes);
      expect(text).toBe(text.toLowerCase());
      expect(text.split('::').length).toBeLessThanOrEqual(2);
      expect(text).not.toMatch(/(^|:)0+[0-9a-f]/); // no leading zeros in a group
    }), { numRuns: 2000 });
    expect(formatAddress(6, parseIPv6('1:0:0:2:0:0:0:3') as number[])).toBe('1:0:0:2::3');
    expect(formatAddress(6, parseIPv6('1:0:2:3:4:5:6:7') as number[])).toBe('1:0:2:3:4:5:6:7');
  });

  it('network prefixes stay valid networks after a round trip', () => {
    const v4: fc.Arbitrary<Cidr> = fc.tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 })).map(([bytes, prefix]) => ({ family: 4 as const, bytes, prefix }));
    fc.assert(fc.property(v4, (c) => {
      const r = parseCidr(formatCidr(c), { form: 'address' });
      expect(r.ok && r.cidr).toEqual(c);
    }));
  });
});

describe('fields', () => {
  it('number: range, whole numbers, one-line errors', () => {
    const f = numberField({ key: 'n', label: 'count', min: 1, max: 10, integer: true });
    expect(f.parse('7')).toEqual({ ok: true, value: 7 });
    expect(oneLine(validate(f, '0'))).toBe('0 is out of range: type a whole number from 1 to 10');
    expect(oneLine(validate(f, '2.5'))).toBe('"2.5" is not a whole number: type a whole number from 1 to 10');
    expect(oneLine(validate(f, ''))).toBe('count is empty: type a whole number from 1 to 10');
    expect(numberField({ key: 'x', label: 'x' }).parse('-3.25')).toEqual({ ok: true, value: -3.25 });
  });

  it('size: bytes with limits', () => {
    const f = sizeField({ key: 'mem', label: 'memory', min: 4096 });
    expect(f.parse('512M')).toEqual({ ok: true, value: 512 * 2 ** 20 });
    expect(oneLine(validate(f, '1K'))).toBe('1K is too small: use at least 4K');
    expect(validate(f, '2Q')).toMatch(/^"2Q" is not a size: /);
  });

  it('choice: only listed values, case-insensitive reading', () => {
    const f = choiceField({ key: 'proto', label: 'protocol', choices: ['tcp', 'udp'] });
    expect(f.parse('UDP')).toEqual({ ok: true, value: 'udp' });
    expect(oneLine(validate(f, 'icmp'))).toBe('"icmp" is not a choice: use one of tcp, udp');
    expect(f.choices).toEqual(['tcp', 'udp']);
  });

  it('list: each entry checked by the inner field, the bad entry named', () => {
    const f = listField({ key: 'nets', label: 'subnets', item: cidrField({ key: 'i', label: 'subnet', family: 4 }), min: 1, unique: true });
    const r = f.parse('10.0.0.0/8, 192.168.1.0/24');
    expect(r.ok && r.value.map(formatCidr)).toEqual(['10.0.0.0/8', '192.168.1.0/24']);
    expect(oneLine(validate(f, '10.0.0.0/8, 10.0.0.1/8'))).toBe('entry 2: "10.0.0.1/8" has host bits set: use the network 10.0.0.0/8');
    expect(validate(f, '10.0.0.0/8,,')).toBe('entry 2 of subnets is empty: remove the extra comma');
    expect(validate(f, '10.0.0.0/8,10.0.0.0/8')).toBe('entry 2 repeats "10.0.0.0/8": give each value once');
    expect(validate(f, '')).toBe('subnets needs at least 1 entry: separate entries with commas');
  });

  it('text and optional fields', () => {
    const name = textField({ key: 'name', label: 'name', required: true, check: (s) => (/^[a-z]+$/.test(s) ? null : `${JSON.stringify(s)} is not a name: use letters a-z`) });
    expect(name.parse(' web ')).toEqual({ ok: true, value: 'web' });
    expect(validate(name, '')).toBe('name is empty: type a value');
    expect(validate(name, 'W1')).toBe('"W1" is not a name: use letters a-z');
    const mem = optional(sizeField({ key: 'mem', label: 'memory' }));
    expect(mem.parse('')).toEqual({ ok: true, value: undefined });
    expect(mem.parse('1G')).toEqual({ ok: true, value: 2 ** 30 });
    expect(mem.hint).toMatch(/\(optional\)$/);
  });

  it('a form checks fields first, then cross-field rules, issues in field order', () => {
    const spec = defineForm([numberField({ key: 'high', label: 'high' }), numberField({ key: 'low', label: 'low' })], (v) => (v.low < v.high ? [] : [{ key: 'low', error: `low ${v.low} is not below high ${v.high}: lower it` }]));
    expect(validateForm(spec, { high: '93', low: '89' })).toEqual({ ok: true, values: { high: 93, low: 89 } });
    expect(validateForm(spec, { high: '50', low: '60' })).toEqual({ ok: false, issues: [{ key: 'low', error: 'low 60 is not below high 50: lower it' }] });
    const r = validateForm(spec, { high: 'x', low: '' });
    expect(r.ok ? [] : r.issues.map((i) => i.key)).toEqual(['high', 'low']);
    expect(() => defineForm([textField({ key: 'a', label: 'a' }), textField({ key: 'a', label: 'b' })])).toThrow(/unique keys/);
  });
});
