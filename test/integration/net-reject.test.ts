import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostUnavailable, lxcdeck, ROOT } from './host.js';
import { must, snapshot, within } from './netPeers.js';

/**
 * A ruleset the kernel refuses: another process owns a table of the
 * network's name (nft's `flags owner`: only its netlink socket may change
 * it), so the kernel answers EPERM to lxcdeck's transaction. The plan stops
 * at the nft step, undoes every step before it, and the host is as before.
 */
const skip = hostUnavailable();
const tag = `r${process.pid}`.slice(0, 8);
const mineRe = new RegExp(`^(ldk-)?${tag}`);
const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-netsrj-'));
process.env.LXCDECK_NET_DIR = netDir;

describe.skipIf(skip)('a ruleset the kernel rejects', () => {
  let owner: ChildProcess | null = null;
  afterAll(() => {
    owner?.kill('SIGKILL');
    fs.rmSync(netDir, { recursive: true, force: true });
  });

  it('rolls the whole plan back: links, addresses, nft, forwarding, dnsmasq and run dirs as before', async () => {
    const table = `lxcdeck-${tag}`;
    // nft -i keeps its netlink socket open: the table lives (owned) while it runs
    owner = spawn('nft', ['-i'], { stdio: ['pipe', 'ignore', 'ignore'] });
    owner.stdin?.write(`add table inet ${table} { flags owner; }\n`);
    expect(await within(40, 50, async () => (await must(['nft', 'list', 'tables'])).includes(`table inet ${table}`))).toBe(true);
    const before = await snapshot(mineRe);
    const r = await lxcdeck(ROOT, ['net', 'create', tag, '--kind', 'nat', '--ipv6']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^lxcdeck: step \d+ \(load nftables table inet lxcdeck-\w+ .*\) failed: nft rejects the ruleset of network \w+: .*Operation not permitted/);
    // every step before the nft step was applied, then undone
    expect(r.stdout).toMatch(/undo \d+\/\d+ create bridge ldk-\w+/);
    expect(r.stdout).toMatch(/undo \d+\/\d+ enable net\.ipv6\.conf\.all\.forwarding/);
    expect(await snapshot(mineRe)).toEqual(before);
    expect(fs.readdirSync(netDir)).toEqual([]);
    expect(fs.existsSync(`/sys/class/net/ldk-${tag}`)).toBe(false);
    // nothing was left to resume: the plan is not pending
    expect((await lxcdeck(ROOT, ['plan', 'ls', '--json'])).stdout).not.toContain(`Network ${tag} `);
    owner.kill('SIGKILL');
    expect(await within(40, 50, async () => !(await must(['nft', 'list', 'tables'])).includes(`table inet ${table}`))).toBe(true);
  }, 60_000);
});
