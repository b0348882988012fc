import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostUnavailable } from './host.js';
import { inPrivateNet } from './netPeers.js';

/**
 * `net import`: lxcdeck takes over Debian's lxc-net bridge. All of it runs in
 * a private network and mount namespace: a copy of /etc/default (so lxc-net
 * and lxcdeck read and write a defaults file of the test's own), empty
 * /run/lxc, /run/lxcdeck and /var/lib/misc, and an lxcbr0 of that namespace
 * only; the host's real lxcbr0 is never touched.
 */
const skip = hostUnavailable();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-import-'));
const netDir = path.join(work, 'nets');
fs.mkdirSync(netDir);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const PRELUDE = [
  `D=${work}/default; mkdir -p $D; cp -a /etc/default/. $D/`,
  `printf 'USE_LXC_BRIDGE="true"\\nLXC_DOMAIN="lxc"\\nLXC_BRIDGE_MAC="02:1d:ee:00:00:42"\\n' > $D/lxc-net`,
  'mount --bind $D /etc/default',
  'mount -t tmpfs misc /var/lib/misc',
  '/usr/libexec/lxc/lxc-net start >/dev/null',
  'set +e',
  'say() { echo "== $1"; }',
  'lxcnetDnsmasq() { p=$(cat /run/lxc/dnsmasq.pid 2>/dev/null) && grep -qv "^Z" /proc/$p/stat 2>/dev/null && echo running || echo gone; }',
  // a DHCP client on lxcbr0 in a namespace of its own: prints the lease it gets (bounded: 5 tries, 1 s apart)
  'lease() { unshare -n sleep 20 & sp=$!; sleep 0.2; ip link add ldti0 type veth peer name ldti1; ip link set ldti0 master lxcbr0 up; ip link set ldti1 netns $sp;',
  '  nsenter -t $sp -n sh -c "ip link set ldti1 up; busybox udhcpc -i ldti1 -n -q -t 5 -T 1 -s /bin/true 2>&1" | grep -o "lease of [0-9.]* obtained"; kill $sp; ip link del ldti0 2>/dev/null; true; }',
].join('\n');

const section = (out: string, name: string) => out.split(`== ${name}\n`)[1]?.split('\n== ')[0] ?? `(no section ${name})`;

describe.skipIf(skip)('net import of Debian\'s lxc-net bridge', () => {
  it('shows lxc-net read-only, imports it with the same subnet, range and domain, and serves DHCP on lxcbr0', async () => {
    const r = await inPrivateNet(
      [
        PRELUDE,
        'say ls; $LXCDECK net ls --json',
        'say dry; $LXCDECK net import --dry-run; test -f /run/lxc/network_up && echo lxc-net-still-up; grep USE_LXC_BRIDGE /etc/default/lxc-net',
        'say import; $LXCDECK net import 2>&1 | tail -1',
        'say after; test -f /run/lxc/network_up || echo lxc-net-down; lxcnetDnsmasq; grep USE_LXC_BRIDGE /etc/default/lxc-net; ip -j addr show dev lxcbr0 | grep -o "10.0.3.1\\"[^}]*prefixlen\\":24" | head -1',
        'say mac; cat /sys/class/net/lxcbr0/address',
        'say show; $LXCDECK net show lxcnet --json',
        'say lease; lease',
        'say again; $LXCDECK net up lxcnet | grep -c "already done"',
        'say rm; $LXCDECK net rm lxcnet >/dev/null; ls /sys/class/net | grep -c lxcbr0; ls ' + netDir,
      ].join('\n'),
      { LXCDECK_NET_DIR: netDir },
      120_000,
    );
    expect(r.stderr).toBe('');
    const o = r.stdout;
    const listed = (JSON.parse(section(o, 'ls')) as { name: string; state: string; bridge: string; readOnly?: boolean }[]).find((n) => n.name === 'lxcnet');
    expect(listed).toMatchObject({ state: 'lxc-net', bridge: 'lxcbr0', readOnly: true });
    expect(section(o, 'dry')).toContain('$ /usr/libexec/lxc/lxc-net stop');
    expect(section(o, 'dry')).toContain('lxc-net-still-up\nUSE_LXC_BRIDGE="true"');
    expect(section(o, 'import')).toContain("lxc-net's lxcbr0 is now lxcdeck network lxcnet");
    expect(section(o, 'after').split('\n').slice(0, 4)).toEqual(['lxc-net-down', 'gone', 'USE_LXC_BRIDGE="false"', '10.0.3.1","prefixlen":24']);
    const shown = JSON.parse(section(o, 'show')) as Record<string, unknown>;
    expect(shown).toMatchObject({ kind: 'nat', state: 'up', bridge: 'lxcbr0', subnet: '10.0.3.0/24', address: '10.0.3.1/24', dhcp: { start: '10.0.3.2', end: '10.0.3.254' }, domain: 'lxc' });
    expect(shown.readOnly).toBeUndefined();
    // lxc-net's LXC_BRIDGE_MAC: the bridge lxcdeck brought up (lxc-net stop deleted lxc-net's) has it
    expect(shown.mac).toBe('02:1d:ee:00:00:42');
    expect(section(o, 'mac').trim()).toBe('02:1d:ee:00:00:42');
    expect(section(o, 'lease')).toMatch(/^lease of 10\.0\.3\.\d+ obtained/);
    expect(Number(section(o, 'again').trim())).toBeGreaterThan(5);
    expect(section(o, 'rm').trim()).toBe('0');
  }, 150_000);

  it('a failed import starts lxc-net again with its old defaults and stores nothing', async () => {
    const r = await inPrivateNet(
      [
        PRELUDE,
        // a directory where dnsmasq's lease file goes: lxcdeck's dnsmasq cannot start (the last step)
        'mkdir -p /run/lxcdeck/lxcnet/leases',
        'say import; $LXCDECK net import >/dev/null 2>&1; echo "exit $?"',
        'say after; test -f /run/lxc/network_up && echo lxc-net-up; lxcnetDnsmasq; grep USE_LXC_BRIDGE /etc/default/lxc-net; ls ' + netDir + ' | wc -l',
        'say lease; lease',
        '/usr/libexec/lxc/lxc-net stop >/dev/null',
      ].join('\n'),
      { LXCDECK_NET_DIR: netDir },
      120_000,
    );
    expect(r.stderr).toBe('');
    expect(section(r.stdout, 'import').trim()).not.toBe('exit 0');
    expect(section(r.stdout, 'after').trim().split('\n')).toEqual(['lxc-net-up', 'running', 'USE_LXC_BRIDGE="true"', '0']);
    expect(section(r.stdout, 'lease')).toMatch(/^lease of 10\.0\.3\.\d+ obtained/);
  }, 150_000);
});
