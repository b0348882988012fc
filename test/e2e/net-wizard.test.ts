import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostAddress6 } from '../../src/net/ipv6.js';
import { hostUnavailable, lxcdeck, ROOT, TEST_USER, USER } from '../integration/host.js';
import { sh } from '../integration/netPeers.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();
const net = `w${process.pid}`.slice(0, 8);
const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-nets-'));
const configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-e2e-net-'));
process.env.LXCDECK_NET_DIR = netDir;
const hex = (process.pid % 0xffff).toString(16);

/** The first words of the CLI's one-line error for `--ipv6 PREFIX` (what fits on the form's first error row), without `lxcdeck: `. */
async function cliError(prefix: string): Promise<string> {
  const r = await lxcdeck(ROOT, ['net', 'create', net, '--kind', 'nat', '--ipv6', prefix]);
  expect(r.code).toBe(2);
  const words = r.stderr.trim().replace(/^lxcdeck: /, '').split(' ');
  let head = words[0] ?? '';
  for (const w of words.slice(1)) if (`${head} ${w}`.length <= 80) head = `${head} ${w}`; else break;
  return head;
}

describe.skipIf(skip)('TUI network wizard (N), end to end, as root', () => {
  let tui: Tui | null = null;
  afterAll(async () => {
    tui?.kill();
    await lxcdeck(ROOT, ['net', 'rm', net]);
    fs.rmSync(netDir, { recursive: true, force: true });
    fs.rmSync(configHome, { recursive: true, force: true });
    fs.rmSync(`/tmp/lxcdeck-e2e-net-user-${process.pid}`, { recursive: true, force: true });
  }, 60_000);

  it('from N to a working NAT network with IPv6: bad input in the form (checked on each key, as the CLI checks it), the plan preview, apply, the host', async () => {
    const bad = { notUla: await cliError('2001:db8::/64'), open: await cliError(`fd7e:5d3:${hex}::`), wide: await cliError(`fd7e:5d3:${hex}::/56`) };
    const t = (tui = new Tui(ROOT, [], { cols: 140, rows: 44, env: { XDG_CONFIG_HOME: configHome, LXCDECK_NET_DIR: netDir } }));
    await t.waitFor(/lxcdeck\s+\d+ containers?, \d+ running/);
    t.type('N');
    await t.waitFor('new network');
    await t.waitFor(/subnet\s.*10\.\d+\.0\.0\/24/);
    t.type(KEY.down);
    t.type('Bad');
    t.type(KEY.enter);
    await t.waitFor('invalid network name "Bad"');
    t.type('\x15'); // Ctrl-u clears the field
    t.type(net);
    // IPv6: off -> random (the proposed ULA /64 in the hint) -> typed
    t.type(KEY.down + KEY.down);
    await t.waitFor(/▸ IPv6\s+◂ off ▸/);
    t.type(KEY.right);
    const ula = /random: (fd[0-9a-f:]+::\/64) \(proposed\)/.exec(await t.waitFor(/random: fd[0-9a-f:]+::\/64 \(proposed\)/))?.[1] ?? '';
    t.type(KEY.right);
    await t.waitFor(/▸ IPv6\s+◂ typed ▸/);
    t.type(KEY.down);
    t.type('2001:db8::/64');
    await t.waitFor(bad.notUla);
    t.type('\x15');
    t.type(`fd7e:5d3:${hex}::`);
    await t.waitFor(bad.open);
    t.type('/56');
    await t.waitFor((s) => s.includes(bad.wide) && !s.includes(bad.open));
    t.type('\x7f\x7f64');
    await t.waitFor((s) => s.includes(`IPv6 prefix  fd7e:5d3:${hex}::/64`) && !s.includes('✗'));
    // back to the proposal: the typed prefix goes, IPv6 random
    t.type('\x15' + KEY.up + KEY.left);
    await t.waitFor(/▸ IPv6\s+◂ random ▸/);
    t.type(KEY.enter);
    const host6 = hostAddress6(ula);
    const title = new RegExp(`New network ${net} \\(nat 10\\.\\d+\\.0\\.0/24, IPv6 ${ula.replace(/\//g, '\\/')}\\)`);
    await t.waitFor((s) => s.includes('Enter applies') && title.test(s) && s.includes(`store the definition of network ${net}`) && s.includes(`$ ip link add name ldk-${net} type bridge`), 20_000);
    // the preview, page by page: the host's ULA address and the NAT66 rule of the ruleset
    const wanted = [`$ ip addr add ${host6} dev ldk-${net} nodad`, `ip6 saddr ${ula} oifname != "ldk-${net}" masquerade`, 'enable net.ipv6.conf.all.forwarding'];
    const seen = new Set<string>();
    for (let page = 0; page < 8 && seen.size < wanted.length; page++) {
      const screen = t.text();
      for (const w of wanted) if (screen.includes(w)) seen.add(w);
      const at = /(\d+)-\d+ of (\d+) lines/.exec(screen);
      if (seen.size === wanted.length || !at || Number(at[1]) > Number(at[2])) break;
      t.type(KEY.pageDown);
      await t.waitFor((s) => !s.includes(`${at[0]},`) && /(\d+)-\d+ of \d+ lines/.exec(s)?.[1] !== at[1]);
    }
    expect([...seen].sort()).toEqual([...wanted].sort());
    expect(fs.readdirSync(netDir)).toEqual([]);
    t.type(KEY.enter);
    await t.waitFor('done — Enter or Esc closes', 30_000);
    expect(t.text()).toMatch(new RegExp(`✓ \\d+\\. start dnsmasq on ldk-${net} only`));
    t.type(KEY.escape);
    const shown = JSON.parse((await lxcdeck(ROOT, ['net', 'show', net, '--json'])).stdout) as { state: string; kind: string; ipv6: string };
    expect(shown).toMatchObject({ state: 'up', kind: 'nat', ipv6: ula });
    expect(fs.existsSync(`/sys/class/net/ldk-${net}`)).toBe(true);
    // on the host: the ULA host address on the bridge, the NAT66 masquerade in the network's table
    const addrs = JSON.parse((await sh(['ip', '-j', '-6', 'addr', 'show', 'dev', `ldk-${net}`])).stdout) as { addr_info: { local: string; prefixlen: number; scope: string }[] }[];
    expect(addrs[0]?.addr_info.filter((a) => a.scope === 'global')).toEqual([expect.objectContaining({ local: host6.split('/')[0], prefixlen: 64 })]);
    const table = await sh(['nft', 'list', 'table', 'inet', `lxcdeck-${net}`]);
    expect(table.stdout).toContain(`ip6 saddr ${ula} oifname != "ldk-${net}" masquerade`);
    expect(fs.readFileSync('/proc/sys/net/ipv6/conf/all/forwarding', 'utf8').trim()).toBe('1');
    expect((await sh(['pgrep', '-f', '--', `interface=ldk-${net} `])).stdout.trim()).toMatch(/^\d+$/);
    // the networks view lists it with its state and bridge
    t.type('w');
    await t.waitFor(new RegExp(`${net}  nat  up  ldk-${net}  10\\.\\d+\\.0\\.0/24`));
    t.type(KEY.escape);
  }, 90_000);

  it('net rm takes away everything the wizard made: bridge, addresses, table, dnsmasq, run directory, definition', async () => {
    expect((await lxcdeck(ROOT, ['net', 'rm', net])).code).toBe(0);
    expect(fs.existsSync(`/sys/class/net/ldk-${net}`)).toBe(false);
    expect((await sh(['nft', 'list', 'table', 'inet', `lxcdeck-${net}`])).code).not.toBe(0);
    expect((await sh(['pgrep', '-f', '--', `interface=ldk-${net} `])).stdout).toBe('');
    expect(fs.existsSync(`/run/lxcdeck/${net}`)).toBe(false);
    expect(fs.readdirSync(netDir)).toEqual([]);
  }, 60_000);

  it(`as unprivileged ${TEST_USER}: N says root is needed and which lxc-usernet bridges (and quota) are there to join`, async () => {
    tui?.kill();
    const t = (tui = new Tui(USER, [], { cols: 220, rows: 40, env: { XDG_CONFIG_HOME: `/tmp/lxcdeck-e2e-net-user-${process.pid}` } }));
    await t.waitFor(/lxcdeck\s+\d+ containers?, \d+ running/);
    t.type('N');
    await t.waitFor(/lxc-usernet gives you lxcbr0 \(\d+ of 10 veths left\): lxcdeck net join CONTAINER lxcbr0/);
    expect(t.text()).not.toContain('new network —');
  }, 60_000);
});
