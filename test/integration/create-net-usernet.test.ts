import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroy, hostUnavailable, lxcdeck, ROOT, run, TEST_USER, uniqueName, USER } from './host.js';

/**
 * `lxcdeck create NAME --net BRIDGE` as the unprivileged test user checks
 * /etc/lxc/lxc-usernet as `net join` does: a bridge it does not give the
 * user is refused in one line with the line to add, and no container is made.
 */
const skip = hostUnavailable();
const tag = `u${process.pid}`.slice(0, 8);
const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-nets-'));
process.env.LXCDECK_NET_DIR = netDir;

describe.skipIf(skip)(`create --net as unprivileged ${TEST_USER}: the lxc-usernet check`, () => {
  const c = uniqueName('cnet');
  const bridge = `ldk-${tag}`;
  let lxcpath = '';

  beforeAll(async () => {
    await destroy(USER, [c]);
    // a bridge of root's that lxc-usernet does not give the test user
    expect((await lxcdeck(ROOT, ['net', 'create', tag, '--kind', 'bridge'])).code).toBe(0);
    lxcpath = (await run(USER, ['lxc-config', 'lxc.lxcpath'])).stdout.trim();
    expect(lxcpath).not.toBe('');
  }, 60_000);

  afterAll(async () => {
    await destroy(USER, [c]);
    await lxcdeck(ROOT, ['net', 'rm', tag]);
    fs.rmSync(netDir, { recursive: true, force: true });
  }, 60_000);

  it('a bridge lxc-usernet does not allow: one line with the fix, and no container', async () => {
    const line = `${TEST_USER} veth ${bridge} 10`;
    for (const extra of [['--dry-run'], []]) {
      const r = await lxcdeck(USER, ['create', c, '--net', bridge, ...extra]);
      expect(r.code).toBe(5);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toBe(`lxcdeck: bridge ${bridge} is not allowed for ${TEST_USER} in /etc/lxc/lxc-usernet (allowed: lxcbr0): as root, add the line '${line}' to /etc/lxc/lxc-usernet (echo '${line}' | sudo tee -a /etc/lxc/lxc-usernet)`);
      expect(fs.existsSync(path.join(lxcpath, c))).toBe(false);
      expect((await run(USER, ['lxc-info', '-n', c])).code).not.toBe(0);
    }
  }, 60_000);

  it('the bridge lxc-usernet gives the user is taken (the plan joins lxcbr0)', async () => {
    const r = await lxcdeck(USER, ['create', c, '--net', 'lxcbr0', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('lxc.net.0.link');
    expect(r.stdout).toContain('lxcbr0');
    expect(fs.existsSync(path.join(lxcpath, c))).toBe(false);
  }, 60_000);
});
