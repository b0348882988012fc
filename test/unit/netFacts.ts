import type { HostFacts } from '../../src/net/definition.js';

/** A host for IPv6 network tests: eth0 holds 10.20.0.5/16 and the ULA fd99::5/64; the random-ULA seed is fixed. */
export const ulaHostFacts = (over: Partial<HostFacts> = {}): HostFacts => ({
  links: [{ name: 'eth0', kind: null, master: null, addresses: ['10.20.0.5/16', 'fd99::5/64'] }],
  routes: [],
  networks: [],
  root: true,
  tools: { nft: true, dnsmasq: true },
  ulaSeed: '0123456789',
  ...over,
});
