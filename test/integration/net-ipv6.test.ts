import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, hostUnavailable, lxcdeck, ROOT, uniqueName } from './host.js';
import { attach, dropNetKeys, forgeNeighbourAdvert, makePeer, must, removePeer, sh, snapshot, within } from './netPeers.js';

/**
 * IPv6 on a NAT network: a ULA /64 announced by lxcdeck's dnsmasq (SLAAC),
 * NAT66 towards a wan namespace that has no route back to the ULA, and
 * anti-spoofing of neighbour discovery (a forged advertisement that claims
 * another member's address never reaches the host's neighbour table).
 */
const skip = hostUnavailable();
const tag = `s${process.pid}`.slice(0, 8);
const WAN_NS = `ldt-${process.pid}-wan6`;
const WAN_HOST = `${tag}w`;
const hex = (process.pid % 0xffff).toString(16);
// a ULA of the test's own for the wan link (RFC 4193 space, never routed)
const WAN_HOST6 = `fd7e:5d1:${hex}::1`;
const WAN_PEER6 = `fd7e:5d1:${hex}::2`;
const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-nets6-'));
process.env.LXCDECK_NET_DIR = netDir;
const mineRe = new RegExp(`^(ldk-)?${tag}`);

interface Shown {
  bridge: string;
  ipv6: string;
  address6: string;
  members: { container: string; mac: string; ip6: string; veth: string }[];
  state: string;
}
const show = async (net: string) => JSON.parse((await lxcdeck(ROOT, ['net', 'show', net, '--json'])).stdout) as Shown;
const linkLocal = (mac: string) => {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const g = [((b[0] ?? 0) ^ 2) << 8 | (b[1] ?? 0), (b[2] ?? 0) << 8 | 0xff, 0xfe00 | (b[3] ?? 0), (b[4] ?? 0) << 8 | (b[5] ?? 0)];
  return `fe80::${g.map((x) => x.toString(16)).join(':')}`;
};

describe.skipIf(skip)('NAT network with an IPv6 ULA: SLAAC, NAT66 to a wan namespace, ND anti-spoofing', () => {
  const net = tag;
  const c1 = uniqueName('v6a');
  const c2 = uniqueName('v6b');
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    await destroy(ROOT, [c1, c2]);
    before = await snapshot(mineRe);
    await makePeer(WAN_NS, WAN_HOST, 'wan0', null, null);
    // nodad: usable at once; the wan peer has no route to the container ULA, so only NAT66 brings replies back
    await must(['ip', 'addr', 'add', `${WAN_HOST6}/64`, 'dev', WAN_HOST, 'nodad']);
    await must(['ip', 'netns', 'exec', WAN_NS, 'ip', 'addr', 'add', `${WAN_PEER6}/64`, 'dev', 'wan0', 'nodad']);
    for (const c of [c1, c2]) {
      await createBusybox(ROOT, c);
      const info = JSON.parse((await lxcdeck(ROOT, ['info', c, '--json'])).stdout) as { configFile: string };
      dropNetKeys(info.configFile);
    }
  }, 240_000);

  afterAll(async () => {
    await destroy(ROOT, [c1, c2]);
    await lxcdeck(ROOT, ['net', 'rm', net]);
    await removePeer(WAN_NS, WAN_HOST);
    fs.rmSync(netDir, { recursive: true, force: true });
  }, 120_000);

  it('refuses an IPv6 prefix that is not a ULA /64, changing nothing', async () => {
    for (const [prefix, err] of [
      ['2001:db8::/64', /is not a unique local address \(fc00::\/7\)/],
      ['fd00:1::/56', /is not a \/64/],
      [`fd7e:5d1:${hex}::/64`, new RegExp(`overlaps ${WAN_HOST6}/64 on ${WAN_HOST}`)],
    ] as const) {
      const r = await lxcdeck(ROOT, ['net', 'create', net, '--kind', 'nat', '--ipv6', prefix]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(err);
    }
    expect(fs.readdirSync(netDir)).toEqual([]);
  });

  it('a member autoconfigures its ULA from the router advertisements and reaches the wan peer through NAT66', async () => {
    const r = await lxcdeck(ROOT, ['net', 'create', net, '--kind', 'nat', '--ipv6', '--anti-spoof']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/enable net\.ipv6\.conf\.all\.forwarding .*: done/);
    expect(fs.readFileSync('/proc/sys/net/ipv6/conf/all/forwarding', 'utf8').trim()).toBe('1');
    for (const c of [c1, c2]) expect((await lxcdeck(ROOT, ['net', 'join', c, net])).stderr).toBe('');
    const s = await show(net);
    expect(s.ipv6).toMatch(/^fd[0-9a-f]{2}:[0-9a-f:]+\/64$/);
    const m1 = s.members.find((m) => m.container === c1);
    for (const c of [c1, c2]) expect((await lxcdeck(ROOT, ['start', c])).code).toBe(0);
    // SLAAC: the EUI-64 of the fixed MAC, out of DAD
    const configured = async () => {
      const a = await attach(c1, ['ip', '-6', 'addr', 'show', 'dev', 'eth0']);
      return a.stdout.includes(`${m1?.ip6}/64`) && !/tentative/.test(a.stdout.split(m1?.ip6 ?? '?')[1]?.split('\n')[0] ?? 'tentative');
    };
    expect(await within(80, 250, configured)).toBe(true);
    expect(await within(20, 300, async () => (await attach(c1, ['ping6', '-c1', '-W1', WAN_PEER6])).code === 0)).toBe(true);
    // the wan peer sees the host's wan address: the masquerade, not the ULA
    const listener = sh(['ip', 'netns', 'exec', WAN_NS, 'python3', '-c', 'import socket;s=socket.socket(socket.AF_INET6);s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);s.bind(("::",9019));s.listen(1);s.settimeout(20);c,a=s.accept();print(a[0])'], 25_000);
    await within(20, 200, async () => (await attach(c1, ['sh', '-c', `echo hi | nc ${WAN_PEER6} 9019`])).code === 0);
    expect((await listener).stdout.trim()).toBe(WAN_HOST6);
  }, 180_000);

  it('anti-spoofing: a forged neighbour advertisement for another member\'s address is dropped (and gets through without the table)', async () => {
    const s = await show(net);
    const [m1, m2] = [c1, c2].map((c) => s.members.find((m) => m.container === c));
    if (!m1 || !m2) throw new Error('members missing');
    const neigh = async () => (await sh(['ip', '-6', 'neigh', 'show', m1.ip6, 'dev', s.bridge])).stdout;
    // the host learns c1's MAC for its ULA
    expect(await within(20, 250, async () => (await sh(['busybox', 'ping6', '-c1', '-W1', m1.ip6])).code === 0)).toBe(true);
    expect(await neigh()).toContain(`lladdr ${m1.mac}`);
    const poisoned = async () => (await neigh()).includes(`lladdr ${m2.mac}`);
    const forge = () => forgeNeighbourAdvert(c2, 'eth0', m2.mac, linkLocal(m2.mac), m1.ip6);
    await forge();
    expect(await within(4, 150, poisoned)).toBe(false);
    // c2 itself still talks IPv6 with its own addresses
    expect(await within(20, 300, async () => (await attach(c2, ['ping6', '-c1', '-W1', s.address6.split('/')[0] ?? ''])).code === 0)).toBe(true);
    // control: without lxcdeck's bridge table the same frame poisons the host's neighbour table
    await must(['nft', 'delete', 'table', 'bridge', `lxcdeck-${net}`]);
    try {
      await forge();
      expect(await within(10, 150, poisoned)).toBe(true);
    } finally {
      const up = await lxcdeck(ROOT, ['net', 'up', net]);
      expect(up.stdout).toMatch(/load nftables tables .*: done/);
      await sh(['ip', '-6', 'neigh', 'del', m1.ip6, 'dev', s.bridge]);
    }
    expect((await show(net)).state).toBe('up');
  }, 90_000);

  it('net down puts IPv6 forwarding back and leaves nothing behind', async () => {
    for (const c of [c1, c2]) expect((await lxcdeck(ROOT, ['stop', c, '-t', '0'])).code).toBe(0);
    expect((await lxcdeck(ROOT, ['net', 'down', net])).stderr).toBe('');
    const after = await snapshot(mineRe);
    expect(after.links.map((l) => (l as { ifname: string }).ifname)).toEqual([WAN_HOST]);
    expect(after.nft).toEqual(before.nft);
    expect(after.ip6Forward).toBe(before.ip6Forward);
    expect(after.ipForward).toBe(before.ipForward);
    expect(after.dnsmasq).toEqual(before.dnsmasq);
    expect(after.runDirs).toEqual(before.runDirs);
  }, 90_000);
});
