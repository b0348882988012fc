import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EscapeFilter, filterEscapes } from '../../src/presentation/escapeFilter.js';

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const bin = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (u: Uint8Array) => Buffer.from(u).toString('utf8');
const filter = (s: string) => text(filterEscapes(enc(s)));

/** Feeds `data` cut at `cuts` (sorted positions) and joins the output. */
function chunked(data: Uint8Array, cuts: number[], onReply?: (s: string) => void): Uint8Array {
  const f = new EscapeFilter({ onReply });
  const out: Uint8Array[] = [];
  let last = 0;
  for (const c of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (c <= last || c >= data.length) continue;
    out.push(f.push(data.subarray(last, c)));
    last = c;
  }
  out.push(f.push(data.subarray(last)));
  out.push(f.end());
  return new Uint8Array(Buffer.concat(out));
}

const ALLOWED = [
  '\x1b[0m',
  '\x1b[1;31m',
  '\x1b[38;5;196m',
  '\x1b[38;2;10;20;30m',
  '\x1b[48:2::1:2:3m',
  '\x1b[H',
  '\x1b[12;40H',
  '\x1b[3A',
  '\x1b[B',
  '\x1b[10C',
  '\x1b[D',
  '\x1b[2J',
  '\x1b[K',
  '\x1b[1;24r',
  '\x1b[?1049h',
  '\x1b[?1049l',
  '\x1b[?25l',
  '\x1b[?2004h',
  '\x1b[?1000;1006h',
  '\x1b[?1l',
  '\x1b[4h',
  '\x1b[2 q',
  '\x1b[!p',
  '\x1b[22;0t',
  '\x1b[23;0t',
  '\x1b[>4;2m',
  '\x1b[>1u',
  '\x1b[<u',
  '\x1b7',
  '\x1b8',
  '\x1bM',
  '\x1b=',
  '\x1b>',
  '\x1b(B',
  '\x1b(0',
  '\x1b)0',
  '\x1b#8',
  '\x1bc',
  '\x1b[5S',
  '\x1b[3L',
  '\x1b[2P',
  '\x1b[4@',
  '\x1b[10X',
  '\x1b[5d',
  '\x1b[20G',
];

const FORBIDDEN = [
  '\x1b]0;PWNED\x07',
  '\x1b]1;icon\x1b\\',
  '\x1b]2;title\x07',
  '\x1b]52;c;cHduZWQ=\x07',
  '\x1b]8;;http://evil/\x07',
  '\x1b]8;;\x1b\\',
  '\x1b]4;1;rgb:ff/00/00\x07',
  '\x1b]10;?\x07',
  '\x1b]1337;File=x\x07',
  '\x1bP+q544e\x1b\\',
  '\x1bP$qm\x1b\\',
  '\x1bPq#0;2;0;0;0#0~~@@\x1b\\',
  '\x1b_Gf=24;AAAA\x1b\\',
  '\x1b^privacy\x1b\\',
  '\x1bXsos\x1b\\',
  '\x1b[c',
  '\x1b[0c',
  '\x1b[>c',
  '\x1b[>0c',
  '\x1b[=c',
  '\x1b[5n',
  '\x1b[6n',
  '\x1b[?6n',
  '\x1b[?15n',
  '\x1b[?2004$p',
  '\x1b[4$p',
  '\x1b[14t',
  '\x1b[18t',
  '\x1b[21t',
  '\x1b[8;100;100t',
  '\x1b[3;0;0t',
  '\x1b[>q',
  '\x1b[?u',
  '\x1b[?1;1S',
  '\x1b[x',
  '\x1b[5i',
  '\x1b[1;1;1;1;1*y',
  '\x1b[?2l',
  '\x1b[2h',
  '\x1b[12l',
  '\x1b[62;2"p',
  '\x1bZ',
  '\x1b%@',
  '\x1b G',
  '\x05',
];

describe('escape filter: what passes and what does not', () => {
  it.each(ALLOWED)('passes %j whole', (seq) => {
    expect(filter(`a${seq}b`)).toBe(`a${seq}b`);
  });

  it.each(FORBIDDEN)('drops %j whole and keeps the text around it', (seq) => {
    expect(filter(`before${seq}after`)).toBe('beforeafter');
  });

  it('keeps text, UTF-8, tabs and line ends as they are, and returns the chunk itself when nothing is dropped', () => {
    const s = enc('héllo wörld ✓ 日本語 🐧\tend\r\n\x07');
    const f = new EscapeFilter();
    expect(f.push(s)).toBe(s);
  });

  it('drops C1 controls, in UTF-8 and as raw bytes, but not the characters near them', () => {
    expect(text(filterEscapes(bin('a\x9b6nb')))).toBe('a6nb');
    expect(filter('a\u009b6n\u00a0\u00e9b')).toBe('a6n\u00a0\u00e9b');
    // € has 0x82 inside: a continuation byte, not a control
    expect(filter('€ 5')).toBe('€ 5');
    // a C1 introducer goes; what followed it is shown as text, never read as a sequence
    expect(filter('a\u009d0;t\x07b')).toBe('a0;t\x07b');
    expect(filter('a\u0090q\x1b\\b')).toBe('aqb');
  });

  it('answers DA1, DA2 and DSR 5 like the pane emulator; not the cursor position (DSR 6)', () => {
    const replies: string[] = [];
    const out = new EscapeFilter({ onReply: (r) => replies.push(r) }).push(enc('\x1b[c\x1b[>c\x1b[5n\x1b[6n\x1b[?6n'));
    expect(out.length).toBe(0);
    expect(replies).toEqual(['\x1b[?1;2c', '\x1b[>0;276;0c', '\x1b[0n']);
  });

  it('a sequence split at every position gives the same output as whole', () => {
    const s = enc(`x${ALLOWED.join('y')}${FORBIDDEN.join('z')}é日🐧w`);
    const whole = filterEscapes(s);
    for (let cut = 1; cut < s.length; cut++) expect(Buffer.from(chunked(s, [cut])).equals(Buffer.from(whole))).toBe(true);
    // one byte at a time
    expect(Buffer.from(chunked(s, Array.from({ length: s.length }, (_, i) => i))).equals(Buffer.from(whole))).toBe(true);
  });

  it('an unterminated OSC is dropped as it streams, without buffering it; BEL or ESC ends it', () => {
    const f = new EscapeFilter();
    expect(f.push(enc('\x1b]52;c;')).length).toBe(0);
    const payload = enc('A'.repeat(1 << 20));
    for (let i = 0; i < 32; i++) expect(f.push(payload).length).toBe(0);
    expect(text(f.push(enc('\x07visible')))).toBe('visible');
    // an ESC ends a string too and starts a sequence of its own (here: colours)
    expect(text(f.push(enc('\x1bPjunk\x1b[31mred')))).toBe('\x1b[31mred');
  });

  it('an overlong CSI is dropped and does not swallow the text after its final byte', () => {
    const f = new EscapeFilter();
    const params = '1;'.repeat(100_000);
    expect(text(f.push(enc(`\x1b[${params}m`)))).toBe('');
    expect(text(f.push(enc('after')))).toBe('after');
  });

  it('a control inside a sequence is carried out and the sequence still passes', () => {
    expect(filter('\x1b[1\n;31mX')).toBe('\n\x1b[1;31mX');
    expect(filter('\x1b[6\rn')).toBe('\r');
  });

  it('CAN and SUB cancel a sequence', () => {
    expect(filter('\x1b[31\x18mX')).toBe('mX');
    expect(filter('\x1b]0;t\x1aX')).toBe('X');
  });
});

/** Every escape sequence in `out` is complete and allowed; no C1, no ENQ. */
function violations(out: Uint8Array): string[] {
  const bad: string[] = [];
  const s = Buffer.from(out).toString('latin1');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x05) bad.push(`ENQ at ${i}`);
    if (c === 0xc2 && i + 1 < s.length && s.charCodeAt(i + 1) >= 0x80 && s.charCodeAt(i + 1) <= 0x9f) bad.push(`C1 U+00${s.charCodeAt(i + 1).toString(16)} at ${i}`);
    if (c !== 0x1b) continue;
    const rest = s.slice(i, i + 300);
    const csi = /^\x1b\[([<=>?]?)([0-9;:]*)([ -/]*)([@-~])/.exec(rest);
    if (rest[1] === '[') {
      if (!csi) {
        bad.push(`incomplete CSI at ${i}: ${JSON.stringify(rest.slice(0, 20))}`);
        continue;
      }
      const [, prefix, params, inter, final] = csi as unknown as string[];
      const seq = JSON.stringify(csi[0]);
      if (inter && !['  q', ' q', '!p', '"q'].includes(`${inter}${final}`)) bad.push(`CSI with intermediate ${seq}`);
      if (!prefix && 'cnixy'.includes(final as string)) bad.push(`query or report ${seq}`);
      if (!prefix && final === 't' && !/^2[23](;|$)/.test(params as string)) bad.push(`window op ${seq}`);
      if (prefix === '?' && !'hlJKrs'.includes(final as string)) bad.push(`DEC query ${seq}`);
      if ((prefix === '>' || prefix === '=') && final === 'c') bad.push(`DA ${seq}`);
      if (prefix === '>' && !'mu'.includes(final as string)) bad.push(`XT query ${seq}`);
      if ((prefix === '?' && /^(\d+;)*2(;|$)/.test(params as string) && 'hl'.includes(final as string)) || (!prefix && /(^|;)(2|12)(;|$)/.test(params as string) && 'hl'.includes(final as string))) bad.push(`mode ${seq}`);
      continue;
    }
    const next = rest[1];
    if (next === undefined) bad.push(`lone ESC at the end`);
    else if (']P_^XZ\\% '.includes(next)) bad.push(`ESC ${JSON.stringify(next)} at ${i}`);
  }
  return bad;
}

/** Random bytes, biased towards the pieces escape sequences are made of. */
const hostileBytes = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
      { weight: 4, arbitrary: fc.constantFrom(0x1b, 0x5b, 0x5d, 0x50, 0x5f, 0x5e, 0x58, 0x5c, 0x07, 0x18, 0x1a, 0x05, 0x3f, 0x3e, 0x3d, 0x3b, 0x24, 0x20, 0x22, 0x21, 0x23, 0x25, 0x28) },
      { weight: 3, arbitrary: fc.constantFrom(...'0123456789cnmhltqpuSZ'.split('').map((c) => c.charCodeAt(0))) },
      { weight: 1, arbitrary: fc.constantFrom(0xc2, 0x9b, 0x9c, 0x9d, 0x90, 0x85, 0xe2, 0x82, 0xac, 0xf0, 0x9f) },
    ),
    { maxLength: 400 },
  )
  .map((a) => new Uint8Array(a));

const cuts = (max: number) => fc.array(fc.integer({ min: 1, max: Math.max(1, max) }), { maxLength: 12 });

const printable = fc
  .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constantFrom(0x09, 0x0a, 0x0d), fc.integer({ min: 0xa0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff })), { maxLength: 30 })
  .map((cps) => String.fromCodePoint(...cps));

const sgr = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }).map((ps) => `\x1b[${ps.join(';')}m`);
const osc = fc.tuple(fc.constantFrom('0', '1', '2', '8;;', '52;c', '777', '1337'), printable, fc.constantFrom('\x07', '\x1b\\')).map(([n, p, t]) => `\x1b]${n};${p.replace(/[\x07\x1b\x18\x1a\u009c]/g, '')}${t}`);
const dcs = fc.tuple(fc.constantFrom('P', '_', '^', 'X'), printable).map(([k, p]) => `\x1b${k}${p.replace(/[\x1b\x18\x1a\u009c]/g, '')}\x1b\\`);

type Token = { kind: 'text' | 'pass' | 'drop'; s: string };
const token: fc.Arbitrary<Token> = fc.oneof(
  printable.map((s) => ({ kind: 'text' as const, s })),
  fc.oneof(sgr, fc.constantFrom(...ALLOWED)).map((s) => ({ kind: 'pass' as const, s })),
  fc.oneof(osc, dcs, fc.constantFrom(...FORBIDDEN)).map((s) => ({ kind: 'drop' as const, s })),
);

describe('escape filter: properties (fast-check)', () => {
  it('random byte streams: no forbidden or partial sequence gets through, whatever the chunking', () => {
    fc.assert(
      fc.property(hostileBytes, cuts(400), (data, at) => {
        const out = chunked(data, at);
        expect(violations(out)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('random byte streams: the same output whatever the chunking, and filtering the output again changes nothing', () => {
    fc.assert(
      fc.property(hostileBytes, cuts(400), (data, at) => {
        const whole = filterEscapes(data);
        expect(Buffer.from(chunked(data, at)).equals(Buffer.from(whole))).toBe(true);
        expect(Buffer.from(filterEscapes(whole)).equals(Buffer.from(whole))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('text between sequences is never lost: the output is exactly the text and the allowed sequences', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), cuts(2000), (tokens, at) => {
        const input = enc(tokens.map((t) => t.s).join(''));
        const expected = tokens
          .filter((t) => t.kind !== 'drop')
          .map((t) => t.s)
          .join('');
        expect(text(chunked(input, at))).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
