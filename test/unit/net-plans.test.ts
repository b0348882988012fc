import { describe, expect, it } from 'vitest';
import { cidrOverlaps, parseCidr } from '../../src/core/cidr.js';
import { addForward, defineNetwork, removeForward, type NetRequest } from '../../src/net/define.js';
import { memberMac, parseForward, proposeSubnet, reserveMember, type HostFacts } from '../../src/net/definition.js';
import { antiSpoofBody, natTableBody, networkTables, rulesetText } from '../../src/net/nftRules.js';
import { joinEdits, leaveEdits, netDownPlan, netUpPlan, nextNetIndex } from '../../src/net/plans.js';
import { dnsmasqArgv } from '../../src/net/services.js';
import type { NetHost } from '../../src/net/steps.js';
import { PlanExecutor } from '../../src/plan/executor.js';
import { errorLine } from './errorLine.js';

const facts = (over: Partial<HostFacts> = {}): HostFacts => ({
  links: [
    { name: 'lo', kind: null, master: null, addresses: ['127.0.0.1/8'] },
    { name: 'eth0', kind: null, master: null, addresses: ['10.20.0.5/16'] },
    { name: 'lxcbr0', kind: 'bridge', master: null, addresses: ['10.0.3.1/24'] },
  ],
  routes: [{ dst: 'default', dev: 'eth0' }, { dst: '10.21.0.0/24', dev: 'eth0' }],
  networks: [],
  root: true,
  tools: { nft: true, dnsmasq: true },
  ...over,
});

const nat = (over: Partial<NetRequest> = {}) => defineNetwork({ name: 'lab', kind: 'nat', subnet: '10.30.0.0/24', ...over }, facts());


/** A host where every command succeeds except those `failOn` matches; records what ran. */
function fakeHost(failOn: (argv: readonly string[]) => boolean = () => false) {
  const ran: string[] = [];
  const files = new Map<string, string>();
  const run = async (argv: readonly string[]) => {
    ran.push(argv.join(' '));
    if (argv[0] === 'ip' && argv[1] === '-j') return { code: 0, stdout: '[]', stderr: '' };
    if (argv[0] === 'nft' && argv[1] === 'list') return { code: 1, stdout: '', stderr: 'no table' };
    if (argv[0] === 'test') return { code: 1, stdout: '', stderr: '' };
    if (failOn(argv)) return { code: 1, stdout: '', stderr: 'injected failure' };
    // the few kernel objects the steps look at in /sys
    const dev = argv[argv.includes('dev') ? argv.indexOf('dev') + 1 : argv.indexOf('name') + 1] ?? '';
    const sys = `/sys/class/net/${dev}`;
    if (argv[1] === 'link' && argv[2] === 'add') files.set(`${sys}/ifindex`, '9').set(`${sys}/bridge/bridge_id`, 'x').set(`${sys}/flags`, '0x1002');
    if (argv[1] === 'link' && argv[2] === 'del') for (const k of [...files.keys()]) if (k.startsWith(`${sys}/`)) files.delete(k);
    if (argv[1] === 'link' && argv[2] === 'set') files.set(`${sys}/flags`, argv.at(-1) === 'up' ? '0x1003' : '0x1002');
    return { code: 0, stdout: '', stderr: '' };
  };
  const host: NetHost = {
    run,
    runAside: run,
    read: async (p) => files.get(p) ?? (p === '/proc/sys/net/ipv4/ip_forward' ? '0\n' : null),
    write: async (p, t) => void files.set(p, t),
    isDir: async () => false,
    list: async (d) => [...new Set([...files.keys()].filter((k) => k.startsWith(`${d}/`)).map((k) => k.slice(d.length + 1).split('/')[0] ?? ''))],
    put: async (p, t) => {
      ran.push(`put ${p} ${t.trim()}`);
      files.set(p, t);
    },
    remove: async (p) => void files.delete(p),
    mkdir: async () => undefined,
    rmdir: async () => undefined,
    kill: () => false,
    sleep: async () => undefined,
  };
  return { host, ran, files };
}

describe('network definitions', () => {
  it('fills the defaults of a NAT network: bridge, host address, DHCP range, domain', () => {
    const d = nat();
    expect(d).toMatchObject({ bridge: 'ldk-lab', subnet: '10.30.0.0/24', address: '10.30.0.1/24', dhcp: { start: '10.30.0.128', end: '10.30.0.254' }, domain: 'lab' });
  });

  it('refuses bad input with a one-line error and the fix', () => {
    expect(errorLine(() => nat({ subnet: '10.30.0.0/33' }))).toMatch(/invalid subnet: .*use 0 to 32/);
    expect(errorLine(() => nat({ subnet: '10.20.0.0/24' }))).toBe('subnet 10.20.0.0/24 overlaps 10.20.0.5/16 on eth0: pick a free subnet (lxcdeck proposes one when --subnet is left out)');
    expect(errorLine(() => nat({ subnet: '10.21.0.0/25' }))).toMatch(/overlaps the route to 10.21.0.0\/24 via eth0/);
    expect(errorLine(() => nat({ dhcpRange: '10.31.0.2,10.31.0.9' }))).toMatch(/DHCP range .* is outside 10.30.0.0\/24/);
    expect(errorLine(() => nat({ name: 'Bad-Name' }))).toMatch(/invalid network name/);
    expect(errorLine(() => nat({ bridge: 'lxcbr0' }))).toMatch(/interface lxcbr0 exists already/);
    expect(errorLine(() => defineNetwork({ name: 'm', kind: 'macvlan', parent: 'eth9' }, facts()))).toMatch(/parent interface eth9 does not exist/);
    expect(errorLine(() => defineNetwork({ name: 'm', kind: 'macvlan', parent: 'lxcbr0' }, facts()))).toMatch(/parent lxcbr0 is a bridge/);
    expect(errorLine(() => defineNetwork({ name: 'lab', kind: 'nat' }, facts({ root: false })))).toMatch(/^creating a nat network needs root: run it as root/);
    expect(errorLine(() => defineNetwork({ name: 'lab', kind: 'nat' }, facts({ tools: { nft: false, dnsmasq: true } })))).toBe('nft is missing: install nftables: apt-get install nftables');
    expect(errorLine(() => defineNetwork({ name: 'lab', kind: 'nat' }, facts({ networks: [nat()] })))).toMatch(/network lab exists already/);
    expect(errorLine(() => defineNetwork({ name: 'b', kind: 'bridge', uplink: 'eth0' }, facts()))).toMatch(/eth0 carries the default route: .*--i-know/);
    const listening = facts({ listening: [{ proto: 'tcp', port: 2222 }] });
    expect(errorLine(() => defineNetwork({ name: 'lab', kind: 'nat', subnet: '10.30.0.0/24', forwards: ['2222:web:22'] }, listening))).toBe(
      'host port 2222/tcp is in use on this host: pick another host port (see ss -lntu), or stop what listens on 2222',
    );
    expect(defineNetwork({ name: 'lab', kind: 'nat', subnet: '10.30.0.0/24', forwards: ['2222/udp:web:22'] }, listening).forwards).toHaveLength(1);
  });

  it('proposes a free /24 that overlaps no address, route or network', () => {
    const f = facts({ networks: [nat()] });
    const s = proposeSubnet(f);
    for (const taken of ['10.20.0.0/16', '10.21.0.0/24', '10.30.0.0/24']) {
      const a = parseCidr(s).ok ? (parseCidr(s) as { cidr: never }).cidr : null;
      const b = (parseCidr(taken) as { cidr: never }).cidr;
      expect(a && cidrOverlaps(a, b)).toBe(false);
    }
  });

  it('parses forwards, refuses a host port forwarded twice, and reserves the container', () => {
    expect(parseForward('8080:web:80')).toEqual({ proto: 'tcp', hostPort: 8080, container: 'web', port: 80 });
    expect(parseForward('53/udp:dns:53').proto).toBe('udp');
    expect(() => parseForward('99999:web:80')).toThrow(/invalid port forward/);
    const d = nat({ forwards: ['8080:web:80'] });
    expect(d.members).toEqual([{ container: 'web', slot: 0, mac: memberMac('lab', 'web'), ip: '10.30.0.2', veth: 'labv0' }]);
    expect(errorLine(() => addForward(d, parseForward('8080:db:5432')))).toMatch(/host port 8080\/tcp is already forwarded \(8080\/tcp -> web:80\)/);
    removeForward(d, '8080');
    expect(d.forwards).toEqual([]);
  });

  it('keeps a member\'s address and refuses one taken by another', () => {
    const d = nat();
    reserveMember(d, 'a', { ip: '10.30.0.10' });
    expect(errorLine(() => reserveMember(d, 'b', { ip: '10.30.0.10' }))).toMatch(/address 10.30.0.10 is taken in network lab by a/);
    expect(errorLine(() => reserveMember(d, 'b', { ip: '10.99.0.1' }))).toMatch(/is not in 10.30.0.0\/24/);
    expect(reserveMember(d, 'b').ip).toBe('10.30.0.2');
  });
});

describe('nft rulesets', () => {
  it('masquerades the subnet out of any other interface, DNATs forwards with hairpin', () => {
    const d = nat({ forwards: ['8080:web:80'] });
    const body = natTableBody(d).join('\n');
    expect(body).toContain('ip saddr 10.30.0.0/24 oifname != "ldk-lab" masquerade');
    expect(body).toContain('fib daddr type local tcp dport 8080 dnat ip to 10.30.0.2:80');
    expect(body).toContain('oifname "ldk-lab" ip saddr 10.30.0.0/24 ct status dnat masquerade');
    const text = rulesetText(networkTables(d));
    expect(text.startsWith('table inet lxcdeck-lab\ndelete table inet lxcdeck-lab\ntable inet lxcdeck-lab {\n  comment "lxcdeck lab ')).toBe(true);
  });

  it('pins each member port to its MAC and addresses when anti-spoofing is on', () => {
    const d = nat({ antiSpoof: true });
    reserveMember(d, 'a');
    const body = antiSpoofBody(d).join('\n');
    expect(body).toContain(`iifname "labv0" ether saddr != ${memberMac('lab', 'a')} drop`);
    expect(body).toContain('iifname "labv0" ip saddr != { 10.30.0.2, 0.0.0.0 } drop');
    expect(networkTables(d).map((t) => t.family)).toEqual(['inet', 'bridge']);
    expect(antiSpoofBody(nat())).toEqual([]);
  });

  it('changes the table comment when the body changes (check() tells old from new)', () => {
    const a = networkTables(nat())[0]?.comment;
    const b = networkTables(nat({ forwards: ['1:x:1'] }))[0]?.comment;
    expect(a).not.toBe(b);
  });
});

describe('network plans', () => {
  it('brings a NAT network up in order and shows every command', () => {
    const { host } = fakeHost();
    const plan = netUpPlan(host, nat());
    expect(plan.steps.map((s) => s.description.split(' (')[0])).toEqual([
      'create directory /run/lxcdeck/lab',
      'create bridge ldk-lab',
      'add address 10.30.0.1/24 to ldk-lab',
      'bring ldk-lab up',
      'enable net.ipv4.ip_forward',
      'load nftables table inet lxcdeck-lab',
      "write dnsmasq's fixed leases",
      'start dnsmasq on ldk-lab only',
    ]);
    expect(plan.steps[1]?.shows).toEqual([{ kind: 'command', argv: ['ip', 'link', 'add', 'name', 'ldk-lab', 'type', 'bridge'] }]);
    expect(dnsmasqArgv(nat())).toEqual(expect.arrayContaining(['--bind-interfaces', '--interface=ldk-lab', '--pid-file=/run/lxcdeck/lab/dnsmasq.pid', '--dhcp-leasefile=/run/lxcdeck/lab/leases']));
    expect(netDownPlan(host, nat()).steps.map((s) => s.description)[0]).toMatch(/^undo: start dnsmasq/);
  });

  it('rolls back every step before a failing one, newest first', async () => {
    const { host, ran, files } = fakeHost((argv) => argv[0] === 'nft' && argv[1] === '-f');
    const result = await new PlanExecutor({ journals: null }).run(netUpPlan(host, nat()));
    expect(result.outcome).toBe('rolled-back');
    expect(result.failed?.index).toBe(5);
    expect(result.undone).toEqual([4, 3, 2, 1, 0]);
    expect(ran).toContain('nft -c -f -');
    expect(ran).toContain('put /proc/sys/net/ipv4/ip_forward 0');
    expect(ran.indexOf('ip link set dev ldk-lab down')).toBeGreaterThan(0);
    expect(ran.indexOf('ip link set dev ldk-lab down')).toBeLessThan(ran.indexOf('ip link del dev ldk-lab'));
    expect([...files.keys()]).toEqual(['/proc/sys/net/ipv4/ip_forward']);
    expect(files.get('/proc/sys/net/ipv4/ip_forward')).toBe('0\n');
  });

  it("a network with a bridge MAC (lxc-net's LXC_BRIDGE_MAC) sets it on every bring-up, after the bridge and before its address", () => {
    const { host } = fakeHost();
    const steps = netUpPlan(host, { ...nat(), mac: '02:1d:ee:00:00:42' }).steps.map((s) => s.description);
    const at = steps.indexOf('set the MAC of ldk-lab to 02:1d:ee:00:00:42');
    expect(at).toBeGreaterThan(steps.indexOf('create bridge ldk-lab'));
    expect(at).toBeLessThan(steps.findIndex((d) => d.startsWith('add address')));
    expect(netUpPlan(host, nat()).steps.map((s) => s.description)).not.toContain('set the MAC of ldk-lab to 02:1d:ee:00:00:42');
  });

  it('nft -c starts before the first step, so its wait on the kernel overlaps them; it is not run twice', async () => {
    const { host, ran } = fakeHost();
    const result = await new PlanExecutor({ journals: null }).run(netUpPlan(host, nat()));
    expect(result.outcome).toBe('applied');
    expect(ran[0]).toBe('nft -c -f -');
    expect(ran.filter((c) => c === 'nft -c -f -')).toHaveLength(1);
    expect(ran.indexOf('nft -f -')).toBeGreaterThan(ran.indexOf('ip link add name ldk-lab type bridge'));
  });

  it('a ruleset nft -c rejects is never loaded: nothing of the table is applied, the steps before are undone', async () => {
    const { host, ran } = fakeHost((argv) => argv[0] === 'nft' && argv[1] === '-c');
    const result = await new PlanExecutor({ journals: null }).run(netUpPlan(host, nat()));
    expect(result.failed?.message).toMatch(/^nft rejects the ruleset of network lab: injected failure/);
    expect(ran).not.toContain('nft -f -');
    expect(result.undone).toEqual([4, 3, 2, 1, 0]);
  });

  it('macvlan: no host step without a shim; with one, shim, address, up, route', () => {
    const f = facts({ links: [...facts().links, { name: 'vp0', kind: 'veth', master: null, addresses: [] }] });
    const { host } = fakeHost();
    expect(netUpPlan(host, defineNetwork({ name: 'mv', kind: 'macvlan', parent: 'vp0' }, f)).steps).toEqual([]);
    const d = defineNetwork({ name: 'mv', kind: 'macvlan', parent: 'vp0', subnet: '192.168.77.0/24', shim: '192.168.77.250' }, f);
    expect(netUpPlan(host, d).steps.map((s) => s.shows[0])).toEqual([
      { kind: 'command', argv: ['ip', 'link', 'add', 'link', 'vp0', 'name', 'ldks-mv', 'type', 'macvlan', 'mode', 'bridge'] },
      { kind: 'command', argv: ['ip', 'addr', 'add', '192.168.77.250/32', 'dev', 'ldks-mv'] },
      { kind: 'command', argv: ['ip', 'link', 'set', 'dev', 'ldks-mv', 'up'] },
      { kind: 'command', argv: ['ip', 'route', 'add', '192.168.77.0/24', 'dev', 'ldks-mv'] },
    ]);
  });

  it('writes the lxc.net.N keys of a member, and removes exactly those on leave', () => {
    const d = nat();
    const m = reserveMember(d, 'web');
    expect(nextNetIndex(['lxc.net.0.type', 'lxc.net.0.link', 'lxc.net.2.type', 'lxc.uts.name'])).toBe(3);
    const edits = joinEdits(d, m, 1, false);
    expect(edits.filter((e) => e.values.length)).toEqual([
      { key: 'lxc.net.1.type', values: ['veth'] },
      { key: 'lxc.net.1.link', values: ['ldk-lab'] },
      { key: 'lxc.net.1.flags', values: ['up'] },
      { key: 'lxc.net.1.hwaddr', values: [m.mac] },
      { key: 'lxc.net.1.name', values: ['eth1'] },
      { key: 'lxc.net.1.veth.pair', values: ['labv0'] },
    ]);
    expect(joinEdits(d, m, 1, true).find((e) => e.key === 'lxc.net.1.veth.pair')?.values).toEqual([]);
    expect(leaveEdits(['lxc.net.0.type', 'lxc.net.1.type', 'lxc.net.1.link', 'lxc.net.10.type'], [1])).toEqual([
      { key: 'lxc.net.1.type', values: [] },
      { key: 'lxc.net.1.link', values: [] },
    ]);
  });
});
