import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, hostUnavailable, lxcdeck, ROOT, TEST_USER, uniqueName, USER } from './host.js';
import { dropNetKeys, makePeer, removePeer, sh, snapshot, within } from './netPeers.js';

const skip = hostUnavailable();
const tag = `k${process.pid}`.slice(0, 8);
const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-nets-'));
process.env.LXCDECK_NET_DIR = netDir;
const mineRe = new RegExp(`^(ldks?-)?${tag}`);
const x = (process.pid % 200) + 20;
afterAll(() => fs.rmSync(netDir, { recursive: true, force: true }));

function lxcbr0LeaseFile(): string {
  for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let argv: string[] = [];
    try {
      argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith('dnsmasq') || !argv.includes('--interface=lxcbr0')) continue;
    const f = argv.find((a) => a.startsWith('--dhcp-leasefile='));
    if (f) return f.slice('--dhcp-leasefile='.length);
  }
  throw new Error('no dnsmasq serves lxcbr0');
}

async function configOf(r: typeof ROOT, name: string): Promise<string> {
  return (JSON.parse((await lxcdeck(r, ['info', name, '--json'])).stdout) as { configFile: string }).configFile;
}

describe.skipIf(skip)('network failure injection: a step that fails leaves the host exactly as before', () => {
  const net = `${tag}f`;
  afterAll(() => fs.rmSync(`/run/lxcdeck/${net}`, { recursive: true, force: true }));

  it('dnsmasq that cannot open its lease file: every step before it is undone', async () => {
    // a directory where dnsmasq's lease file goes: dnsmasq refuses to start (step 9)
    fs.mkdirSync(`/run/lxcdeck/${net}/leases`, { recursive: true });
    const before = await snapshot(mineRe);
    const r = await lxcdeck(ROOT, ['net', 'create', net, '--kind', 'nat', '--forward', '18081:web:80']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^lxcdeck: step 9 \(start dnsmasq on ldk-\w+ only .*\) failed: dnsmasq .*lease.*; the steps before it are undone/);
    expect(r.stdout).toContain('undo 7/9 load nftables table');
    expect(await snapshot(mineRe)).toEqual(before);
    expect(fs.readdirSync(netDir)).toEqual([]);
  });
});

describe.skipIf(skip)('macvlan on a veth parent: a lan namespace reaches the container; the host only through the shim', () => {
  const net = tag;
  const shimNet = `${tag}s`;
  const LAN_NS = `ldt-${process.pid}-lan`;
  const parent = `${tag}p`;
  const c = uniqueName('mv');
  const ip = `192.168.${x}.10`;
  // the host has its own address on the parent (like a LAN port): without a shim its packets leave
  // through the parent to the lan peer and never reach the macvlan child (the classic trap)
  const hostPing = async () => (await sh(['busybox', 'ping', '-c1', '-W1', ip])).code === 0;

  beforeAll(async () => {
    await destroy(ROOT, [c]);
    await makePeer(LAN_NS, parent, 'lan0', `192.168.${x}.2/24`, `192.168.${x}.1/24`);
    await createBusybox(ROOT, c);
    const file = await configOf(ROOT, c);
    dropNetKeys(file);
    // a container with a static address (lxc.net.0.ipv4.address): udhcpc's deconfig would flush it
    const rcS = path.join(path.dirname(file), 'rootfs/etc/init.d/rcS');
    fs.writeFileSync(rcS, fs.readFileSync(rcS, 'utf8').replace(/^\/bin\/udhcpc$/m, ''));
  }, 120_000);

  afterAll(async () => {
    await destroy(ROOT, [c]);
    for (const n of [shimNet, net]) await lxcdeck(ROOT, ['net', 'rm', n]);
    await removePeer(LAN_NS, parent);
  }, 60_000);

  it('bridge mode: the lan peer pings the container, the host cannot; with the shim it can; removing the shim takes it back', async () => {
    const made = await lxcdeck(ROOT, ['net', 'create', net, '--kind', 'macvlan', '--parent', parent, '--mode', 'bridge']);
    expect(made.stderr).toBe('');
    const j = await lxcdeck(ROOT, ['net', 'join', c, net, '--ip', ip]);
    expect(j.stderr).toBe('');
    const config = fs.readFileSync(await configOf(ROOT, c), 'utf8');
    expect(config).toContain('lxc.net.0.type = macvlan');
    expect(config).toContain(`lxc.net.0.link = ${parent}`);
    expect(config).toContain(`lxc.net.0.ipv4.address = ${ip}/24`);
    expect((await lxcdeck(ROOT, ['start', c])).code).toBe(0);
    expect(await within(20, 250, async () => (await sh(['ip', 'netns', 'exec', LAN_NS, 'busybox', 'ping', '-c1', '-W1', ip])).code === 0)).toBe(true);
    expect((await sh(['ip', 'route', 'get', ip])).stdout).toContain(`dev ${parent}`);
    expect(await hostPing()).toBe(false);
    const shim = await lxcdeck(ROOT, ['net', 'create', shimNet, '--kind', 'macvlan', '--parent', parent, '--subnet', `192.168.${x}.8/29`, '--shim', `192.168.${x}.250`]);
    expect(shim.stderr).toBe('');
    expect(shim.stdout).toContain(`5/5 route 192.168.${x}.8/29 through ldks-${shimNet}: done`);
    expect((await sh(['ip', 'route', 'get', ip])).stdout).toContain(`dev ldks-${shimNet}`);
    expect(await within(20, 250, hostPing)).toBe(true);
    expect((await lxcdeck(ROOT, ['net', 'rm', shimNet])).code).toBe(0);
    expect(fs.existsSync(`/sys/class/net/ldks-${shimNet}`)).toBe(false);
    expect(await hostPing()).toBe(false);
  }, 120_000);
});

describe.skipIf(skip)(`unprivileged ${TEST_USER}: joins only lxc-usernet bridges`, () => {
  const c = uniqueName('unet');
  const bridgeNet = `${tag}b`;

  beforeAll(async () => {
    await destroy(USER, [c]);
    await createBusybox(USER, c);
    dropNetKeys(await configOf(USER, c));
    expect((await lxcdeck(ROOT, ['net', 'create', bridgeNet, '--kind', 'bridge'])).code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await destroy(USER, [c]);
    await lxcdeck(ROOT, ['net', 'rm', bridgeNet]);
  }, 60_000);

  it('a bridge lxc-usernet does not allow is refused with the line to add, and nothing changes', async () => {
    const file = await configOf(USER, c);
    const before = fs.readFileSync(file, 'utf8');
    const r = await lxcdeck(USER, ['net', 'join', c, `ldk-${bridgeNet}`]);
    expect(r.code).toBe(5);
    expect(r.stderr.trim()).toBe(`lxcdeck: bridge ldk-${bridgeNet} is not allowed for ${TEST_USER} in /etc/lxc/lxc-usernet (allowed: lxcbr0): as root, add the line '${TEST_USER} veth ldk-${bridgeNet} 10' to /etc/lxc/lxc-usernet (echo '${TEST_USER} veth ldk-${bridgeNet} 10' | sudo tee -a /etc/lxc/lxc-usernet)`);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    const mv = await lxcdeck(USER, ['net', 'create', 'zz', '--kind', 'nat']);
    expect(mv.stderr.trim()).toMatch(/^lxcdeck: creating a nat network needs root: /);
  });

  it('joins lxcbr0 through lxc-user-nic and gets a lease', async () => {
    const j = await lxcdeck(USER, ['net', 'join', c, 'lxcbr0']);
    expect(j.stderr).toBe('');
    expect(j.stdout).toMatch(/veths left on lxcbr0: \d+ of 10/);
    const config = fs.readFileSync(await configOf(USER, c), 'utf8');
    expect(config).toContain('lxc.net.0.link = lxcbr0');
    expect(config).not.toContain('veth.pair');
    expect((await lxcdeck(USER, ['start', c])).code).toBe(0);
    // the lease in the lease file of lxc-net's dnsmasq (the one serving lxcbr0)
    const mac = /\((02:1d:[0-9a-f:]+)/.exec(j.stdout)?.[1] ?? 'no mac';
    const leaseFile = lxcbr0LeaseFile();
    expect(await within(60, 250, async () => new RegExp(`${mac} 10\\.0\\.3\\.\\d+ `).test(fs.readFileSync(leaseFile, 'utf8')))).toBe(true);
  }, 90_000);
});
