import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostUnavailable, lxcdeck, ROOT, TEST_USER, USER } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();
const net = `w${process.pid}`.slice(0, 8);
const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-nets-'));
const configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-e2e-net-'));
process.env.LXCDECK_NET_DIR = netDir;

describe.skipIf(skip)('TUI network wizard (N), end to end, as root', () => {
  let tui: Tui | null = null;
  afterAll(async () => {
    tui?.kill();
    await lxcdeck(ROOT, ['net', 'rm', net]);
    fs.rmSync(netDir, { recursive: true, force: true });
    fs.rmSync(configHome, { recursive: true, force: true });
    fs.rmSync(`/tmp/lxcdeck-e2e-net-user-${process.pid}`, { recursive: true, force: true });
  }, 60_000);

  it('from N to a working NAT network: bad input in the form, the plan preview, apply, result', async () => {
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
    t.type(KEY.enter);
    await t.waitFor((s) => s.includes('Enter applies') && s.includes(`store the definition of network ${net}`) && s.includes(`$ ip link add name ldk-${net} type bridge`), 20_000);
    expect(fs.readdirSync(netDir)).toEqual([]);
    t.type(KEY.enter);
    await t.waitFor('done — Enter or Esc closes', 30_000);
    expect(t.text()).toMatch(new RegExp(`✓ 9\\. start dnsmasq on ldk-${net} only`));
    t.type(KEY.escape);
    const shown = JSON.parse((await lxcdeck(ROOT, ['net', 'show', net, '--json'])).stdout) as { state: string; kind: string };
    expect(shown).toMatchObject({ state: 'up', kind: 'nat' });
    expect(fs.existsSync(`/sys/class/net/ldk-${net}`)).toBe(true);
    // the networks view lists it with its state and bridge
    t.type('w');
    await t.waitFor(new RegExp(`${net}  nat  up  ldk-${net}  10\\.\\d+\\.0\\.0/24`));
    t.type(KEY.escape);
  }, 90_000);

  it(`as unprivileged ${TEST_USER}: N says root is needed and which lxc-usernet bridges (and quota) are there to join`, async () => {
    tui?.kill();
    const t = (tui = new Tui(USER, [], { cols: 220, rows: 40, env: { XDG_CONFIG_HOME: `/tmp/lxcdeck-e2e-net-user-${process.pid}` } }));
    await t.waitFor(/lxcdeck\s+\d+ containers?, \d+ running/);
    t.type('N');
    await t.waitFor(/lxc-usernet gives you lxcbr0 \(\d+ of 10 veths left\): lxcdeck net join CONTAINER lxcbr0/);
    expect(t.text()).not.toContain('new network —');
  }, 60_000);
});
