import { describe, expect, it } from 'vitest';
import { defineNetwork } from '../../src/net/define.js';
import { ulaError } from '../../src/net/ipv6.js';
import { FormState } from '../../src/state/formState.js';
import { netForm, netRequest } from '../../src/ui/netForm.js';
import { errorLine } from './errorLine.js';
import { ulaHostFacts } from './netFacts.js';

const facts = ulaHostFacts();
const ULA = 'fd01:2345:6789::/64';

function wizardForm() {
  const s = new FormState(netForm(ULA, (p) => ulaError(p, facts, '')), { kind: 'nat', subnet: '10.30.0.0/24', ipv6: 'off', antiSpoof: 'no' });
  s.focusKey('name');
  s.type('lab');
  return s;
}
const at = (s: FormState<ReturnType<typeof netForm>['fields']>, key: string) => s.errorAt(s.fields.findIndex((f) => f.key === key));
/** What `net create lab --kind nat --ipv6 PREFIX` prints for the prefix. */
const cliLine = (prefix: string) => errorLine(() => defineNetwork({ name: 'lab', kind: 'nat', subnet: '10.30.0.0/24', ipv6: prefix }, facts));

describe('the N wizard\'s IPv6 field', () => {
  it('checks a typed prefix on every key with the CLI\'s one-line errors', () => {
    const s = wizardForm();
    s.focusKey('ipv6');
    s.moveCaret('right');
    s.moveCaret('right');
    expect(s.rawValues().ipv6).toBe('typed');
    // typed with nothing typed: the form cannot be submitted
    expect(s.submit().ok).toBe(false);
    expect(at(s, 'prefix6')).toMatch(/^IPv6 prefix is empty: type a ULA \/64/);
    s.focusKey('prefix6');
    const seen: string[] = [];
    for (const ch of '2001:db8::/64') {
      s.type(ch);
      seen.push(at(s, 'prefix6') ?? '');
    }
    expect(seen.every((e) => e !== '')).toBe(true);
    expect(seen.at(-1)).toBe(cliLine('2001:db8::/64'));
    s.clear();
    for (const ch of 'fd99::/64') s.type(ch);
    expect(at(s, 'prefix6')).toBe(cliLine('fd99::/64'));
    expect(at(s, 'prefix6')).toBe('IPv6 prefix fd99::/64 overlaps fd99::5/64 on eth0: pick another ULA /64, or --ipv6 alone for a random one');
    s.backspace();
    s.backspace();
    expect(at(s, 'prefix6')).toBe(cliLine('fd99::/'));
    s.type('56');
    expect(at(s, 'prefix6')).toBe(cliLine('fd99::/56'));
    s.clear();
    for (const ch of 'fd42:1::/64') s.type(ch);
    expect(at(s, 'prefix6')).toBeNull();
    expect(s.submit().ok).toBe(true);
    expect(netRequest(s.rawValues(), ULA)).toMatchObject({ name: 'lab', kind: 'nat', ipv6: 'fd42:1::/64' });
    // a prefix left typed while IPv6 is random (or off) is not dropped silently
    s.focusKey('ipv6');
    s.moveCaret('left');
    expect(s.submit().ok).toBe(false);
    expect(at(s, 'prefix6')).toBe('IPv6 is random, so this prefix would be ignored: pick IPv6 typed, or clear the prefix');
  });

  it('off asks for no IPv6, random for the very prefix the form proposed', () => {
    const s = wizardForm();
    expect(netRequest(s.rawValues(), ULA)).not.toHaveProperty('ipv6');
    s.focusKey('ipv6');
    s.moveCaret('right');
    expect(s.rawValues().ipv6).toBe('random');
    expect(s.focused().hint).toContain(`random: ${ULA} (proposed)`);
    const req = netRequest(s.rawValues(), ULA);
    expect(req).toMatchObject({ ipv6: ULA, subnet: '10.30.0.0/24', forwards: [], antiSpoof: false });
    expect(defineNetwork(req, facts)).toMatchObject({ ipv6: ULA, address6: 'fd01:2345:6789::1/64' });
  });
});
