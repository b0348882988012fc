import { describe, expect, it } from 'vitest';
import { defineNetwork } from '../../src/net/define.js';
import { reserveMember } from '../../src/net/definition.js';
import { ipv6Hex, linkLocal, slaacAddress, ulaFromSeed } from '../../src/net/ipv6.js';
import { antiSpoofBody, natTableBody } from '../../src/net/nftRules.js';
import { dnsmasqArgv } from '../../src/net/services.js';
import { forwardStep, IPV4_FORWARD, type NetHost } from '../../src/net/steps.js';
import { errorLine } from './errorLine.js';
import { ulaHostFacts } from './netFacts.js';

const facts = ulaHostFacts;

describe('IPv6 ULA of a NAT network', () => {
  it('derives a ULA /64 from the seed, the host ::1 and each member\'s SLAAC (EUI-64) address', () => {
    expect(ulaFromSeed('0123456789')).toBe('fd01:2345:6789::/64');
    const d = defineNetwork({ name: 'lab', kind: 'nat', subnet: '10.30.0.0/24', ipv6: true }, facts());
    expect(d).toMatchObject({ ipv6: 'fd01:2345:6789::/64', address6: 'fd01:2345:6789::1/64' });
    expect(slaacAddress('fd01:2345:6789::/64', '02:1d:ff:dd:d6:55')).toBe('fd01:2345:6789:0:1d:ffff:fedd:d655');
    expect(linkLocal('00:16:3e:00:00:01')).toBe('fe80::216:3eff:fe00:1');
    expect(ipv6Hex('fe80::1')).toBe('0xfe800000000000000000000000000001');
  });

  it('refuses a prefix that is not a ULA /64, overlaps the host or another network, or is on a non-NAT kind', () => {
    const def = (ipv6: string, f = facts()) => () => defineNetwork({ name: 'lab', kind: 'nat', subnet: '10.30.0.0/24', ipv6 }, f);
    expect(errorLine(def('2001:db8::/64'))).toMatch(/not a unique local address/);
    expect(errorLine(def('fd00::/48'))).toMatch(/is not a \/64/);
    expect(errorLine(def('fd99::/64'))).toBe('IPv6 prefix fd99::/64 overlaps fd99::5/64 on eth0: pick another ULA /64, or --ipv6 alone for a random one');
    const other = defineNetwork({ name: 'one', kind: 'nat', subnet: '10.31.0.0/24', ipv6: 'fd42::/64' }, facts());
    expect(errorLine(def('fd42::/64', facts({ networks: [other] })))).toMatch(/overlaps network one/);
    expect(errorLine(() => defineNetwork({ name: 'br', kind: 'bridge', ipv6: true }, facts()))).toMatch(/--ipv6 works on nat networks/);
  });

  it('masquerades the ULA (NAT66), announces it from dnsmasq, and pins ND targets and link-layer options', () => {
    const d = defineNetwork({ name: 'lab', kind: 'nat', subnet: '10.30.0.0/24', ipv6: 'fd42::/64', antiSpoof: true }, facts());
    const m = reserveMember(d, 'web');
    expect(natTableBody(d)).toContain('  ip6 saddr fd42::/64 oifname != "ldk-lab" masquerade');
    expect(dnsmasqArgv(d)).toEqual(expect.arrayContaining(['--enable-ra', '--dhcp-range=fd42::,ra-stateless,64,1h', '--listen-address=fd42::1']));
    const own = [slaacAddress('fd42::/64', m.mac), linkLocal(m.mac)];
    const rules = antiSpoofBody(d).join('\n');
    expect(rules).toContain(`ip6 saddr != { ::, ${own.join(', ')} } drop`);
    expect(rules).toContain(`icmpv6 type nd-neighbor-advert @th,64,128 != { ${own.map(ipv6Hex).join(', ')} } drop`);
    expect(rules).toContain(`ip6 saddr :: icmpv6 type nd-neighbor-solicit @th,64,128 != { ${own.map(ipv6Hex).join(', ')} } drop`);
    expect(rules).toContain(`@th,208,48 != 0x${m.mac.replace(/:/g, '')} drop`);
    expect(rules).toContain('icmpv6 type { nd-router-advert, nd-redirect } drop');
  });
});

describe('forwarding holds', () => {
  function host(initial: string) {
    const files = new Map<string, string>([[IPV4_FORWARD.file, initial]]);
    const h = {
      read: async (p: string) => files.get(p) ?? null,
      write: async (p: string, t: string) => void files.set(p, t),
      put: async (p: string, t: string) => void files.set(p, t),
      remove: async (p: string) => void files.delete(p),
      list: async (d: string) => [...new Set([...files.keys()].filter((k) => k.startsWith(`${d}/`)).map((k) => k.slice(d.length + 1).split('/')[0] ?? ''))],
    } as unknown as NetHost;
    return { h, files };
  }
  const fwd = () => files.get(IPV4_FORWARD.file)?.trim();
  let files = new Map<string, string>();

  it('the last holder down puts back the value before lxcdeck; an earlier one leaves forwarding on', async () => {
    const t = host('0\n');
    files = t.files;
    const [a, b] = ['a', 'b'].map((n) => forwardStep(t.h, '/run/x', n, IPV4_FORWARD));
    await a?.apply(() => undefined);
    await b?.apply(() => undefined);
    expect(fwd()).toBe('1');
    expect(files.get('/run/x/b/ip_forward')).toBe('0\n');
    await a?.undo();
    expect(fwd()).toBe('1');
    expect(await a?.gone()).toBe(true);
    await b?.undo();
    expect(fwd()).toBe('0');
  });

  it('a host that forwarded before keeps forwarding', async () => {
    const t = host('1\n');
    files = t.files;
    const a = forwardStep(t.h, '/run/x', 'a', IPV4_FORWARD);
    await a.apply(() => undefined);
    await a.undo();
    expect(fwd()).toBe('1');
  });
});
