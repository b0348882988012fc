import { describe, expect, it } from 'vitest';
import { iptablesForwardDrops, netDoctorChecks, nftForwardDrops, type NetDoctorInput } from '../../src/net/doctorChecks.js';
import { defineNetwork } from '../../src/net/define.js';
import { reserveMember } from '../../src/net/definition.js';

const def = defineNetwork({ name: 'lab', kind: 'nat', subnet: '10.30.0.0/24' }, { links: [], routes: [], networks: [], root: true, tools: { nft: true, dnsmasq: true } });
reserveMember(def, 'web');
const input = (over: Partial<NetDoctorInput> = {}): NetDoctorInput => ({
  networks: [{ def, up: true, dnsmasqRunning: true }],
  ipForward: true,
  forwardDrops: [],
  routes: [{ dst: '10.30.0.0/24', dev: 'ldk-lab' }],
  links: ['lo', 'eth0', 'ldk-lab'],
  containers: [{ name: 'web', running: true, links: ['ldk-lab'] }],
  ...over,
});

describe('network doctor checks', () => {
  it('IPv6 forwarding off while a network with a ULA is up is named with its fix', () => {
    const v6 = { ...def, ipv6: 'fd42::/64', address6: 'fd42::1/64' };
    const found = netDoctorChecks(input({ networks: [{ def: v6, up: true, dnsmasqRunning: true }], ip6Forward: false }));
    expect(found.find((c) => c.id === 'net-ip6-forward')).toMatchObject({ status: 'fail', fix: 'sysctl -w net.ipv6.conf.all.forwarding=1' });
    expect(netDoctorChecks(input({ ip6Forward: false })).map((c) => c.id)).not.toContain('net-ip6-forward');
  });

  it('a healthy network gives one ok line', () => {
    expect(netDoctorChecks(input()).map((c) => c.status)).toEqual(['ok']);
  });

  it('names the rule to add for another firewall\'s forward drop (nft and iptables-legacy)', () => {
    const drops = nftForwardDrops(JSON.stringify({ nftables: [{ chain: { family: 'inet', table: 'filter', name: 'forward', hook: 'forward', policy: 'drop' } }, { chain: { family: 'inet', table: 'lxcdeck-x', name: 'forward', hook: 'forward', policy: 'drop' } }] }));
    expect(drops).toEqual([{ tool: 'nft', family: 'inet', table: 'filter', chain: 'forward' }]);
    const [c] = netDoctorChecks(input({ forwardDrops: drops }));
    expect(c).toMatchObject({ id: 'net-forward-drop', status: 'fail', fix: 'nft insert rule inet filter forward iifname "ldk-lab" accept; nft insert rule inet filter forward oifname "ldk-lab" accept' });
    expect(iptablesForwardDrops('-P FORWARD DROP\n-A FORWARD -j X')).toHaveLength(1);
    expect(iptablesForwardDrops('-P FORWARD ACCEPT')).toEqual([]);
  });

  it('ip_forward off, dnsmasq gone, a shadowing route, a missing bridge, a veth left behind', () => {
    const ids = (i: NetDoctorInput) => netDoctorChecks(i).map((c) => `${c.id}:${c.status}`);
    expect(ids(input({ ipForward: false }))).toEqual(['net-ip-forward:fail']);
    expect(ids(input({ networks: [{ def, up: true, dnsmasqRunning: false }] }))).toEqual(['net-dnsmasq:fail']);
    expect(ids(input({ routes: [{ dst: '10.30.0.0/16', dev: 'eth0' }] }))).toEqual(['net-subnet-route:warn']);
    expect(ids(input({ links: ['lo'], containers: [{ name: 'web', running: false, links: ['ldk-lab'] }], networks: [{ def, up: false, dnsmasqRunning: false }] }))).toEqual(['net-missing-link:warn']);
    expect(ids(input({ links: ['ldk-lab', 'labv0'], containers: [{ name: 'web', running: false, links: ['ldk-lab'] }] }))).toEqual(['net-leftover-veth:warn']);
  });
});

describe('boot unit', async () => {
  const { bootUnitText } = await import('../../src/net/bootUnit.js');
  it('runs lxcdeck net up --all once at boot, before LXC autostart, with paths quoted for systemd', () => {
    const t = bootUnitText('/usr/bin/node', '/opt/lxc deck/bin/lxcdeck.js');
    expect(t).toContain('ExecStart=/usr/bin/node "/opt/lxc deck/bin/lxcdeck.js" net up --all');
    expect(t).toContain('Type=oneshot');
    expect(t).toContain('Before=network.target lxc.service');
    expect(t).toContain('WantedBy=multi-user.target');
  });
});
