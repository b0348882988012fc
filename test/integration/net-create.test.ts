import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destroy, hostUnavailable, lxcdeck, ROOT, uniqueName } from './host.js';
import { snapshot, within } from './netPeers.js';

/** `lxcdeck create NAME --net NETWORK`: the network's keys instead of the default link, the member stored, its fixed lease at start. */
const skip = hostUnavailable();
const tag = `c${process.pid}`.slice(0, 8);
const mineRe = new RegExp(`^(ldk-)?${tag}`);
const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-netscr-'));
process.env.LXCDECK_NET_DIR = netDir;

interface Shown {
  members: { container: string; ip: string; mac: string; veth: string }[];
  leases: { ip: string; mac: string }[];
}
const show = async () => JSON.parse((await lxcdeck(ROOT, ['net', 'show', tag, '--json'])).stdout) as Shown;

describe.skipIf(skip)('create --net', () => {
  const c = uniqueName('cnet');
  const c2 = uniqueName('cnet2');
  let base: Awaited<ReturnType<typeof snapshot>>;
  afterAll(async () => {
    await destroy(ROOT, [c, c2]);
    await lxcdeck(ROOT, ['net', 'rm', tag]);
    fs.rmSync(netDir, { recursive: true, force: true });
  }, 120_000);

  it('refuses an unknown network before anything is made', async () => {
    const r = await lxcdeck(ROOT, ['create', c, '--net', `${tag}x`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`lxcdeck: no network ${tag}x: see 'lxcdeck net ls', or create it: lxcdeck net create`);
    expect((await lxcdeck(ROOT, ['info', c, '--json'])).code).not.toBe(0);
  });

  it('joins the new container as a step of the create plan; it starts with its fixed lease', async () => {
    expect((await lxcdeck(ROOT, ['net', 'create', tag, '--kind', 'nat', '--anti-spoof'])).stderr).toBe('');
    base = await snapshot(mineRe);
    const dry = await lxcdeck(ROOT, ['create', c, '--net', tag, '--dry-run']);
    expect(dry.stdout).toMatch(new RegExp(`1\\. add ${c} to network ${tag} \\(02:1d:[0-9a-f:]+, fixed lease 10\\.\\d+\\.\\d+\\.2\\)`));
    expect(dry.stdout).toContain(`lxc.net.0.link = ldk-${tag}`);
    expect((await show()).members).toEqual([]);
    expect(await snapshot(mineRe)).toEqual(base);

    const r = await lxcdeck(ROOT, ['create', c, '--net', tag, '--start'], { timeoutMs: 180_000 });
    expect(r.stderr).toBe('');
    const m = (await show()).members.find((x) => x.container === c);
    expect(m?.veth).toBe(`${tag}v0`);
    const info = JSON.parse((await lxcdeck(ROOT, ['info', c, '--json'])).stdout) as { configFile: string };
    const config = fs.readFileSync(info.configFile, 'utf8');
    expect(config).toContain(`lxc.net.0.link = ldk-${tag}`);
    expect(config).toContain(`lxc.net.0.hwaddr = ${m?.mac}`);
    expect(config).not.toContain('lxcbr0');
    expect(fs.readFileSync(`/run/lxcdeck/${tag}/hosts`, 'utf8')).toContain(`${m?.mac},${m?.ip},${c}`);
    // the anti-spoofing table names its port
    expect(fs.existsSync(`/sys/class/net/${tag}v0`)).toBe(true);
    expect(await within(60, 250, async () => (await show()).leases.some((l) => l.ip === m?.ip && l.mac === m?.mac))).toBe(true);
  }, 240_000);

  it('a create that fails later (its network is down: no bridge to start on) takes the member back out', async () => {
    expect((await lxcdeck(ROOT, ['stop', c, '-t', '0'])).code).toBe(0);
    expect((await lxcdeck(ROOT, ['net', 'down', tag])).stderr).toBe('');
    const before = (await show()).members;
    const r = await lxcdeck(ROOT, ['create', c2, '--net', tag, '--start'], { timeoutMs: 180_000 });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(new RegExp(`undo 1/\\d+ add ${c2} to network ${tag}`));
    expect((await show()).members).toEqual(before);
    expect((await lxcdeck(ROOT, ['info', c2, '--json'])).code).not.toBe(0);
  }, 240_000);
});
