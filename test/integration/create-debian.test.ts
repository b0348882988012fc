import { afterAll, describe, expect, it } from 'vitest';
import { destroy, eventually, hostUnavailable, lxcdeck, lxcInfoState, run, ROOT, uniqueName } from './host.js';

const skip = hostUnavailable();

/** Slow (debootstrap from the host's apt mirror): one container, as root, once. */
describe.skipIf(skip)('lxcdeck create --from debian as root', () => {
  const name = uniqueName('deb');
  afterAll(() => destroy(ROOT, [name]));

  it('creates a minimal Debian through the host apt mirror, starts it and runs cat /etc/debian_version inside', async () => {
    await destroy(ROOT, [name]);
    const plan = await lxcdeck(ROOT, ['create', name, '--from', 'debian:bookworm', '--dry-run']);
    expect(plan.code).toBe(0);
    // the mirror comes from /etc/apt (this host: deb.debian.org in debian.sources)
    expect(plan.stdout).toMatch(/lxc-create -n \S+ -P \S+ -f \S+ -t debian -- -r bookworm --mirror http\S+/);
    const r = await lxcdeck(ROOT, ['create', name, '--from', 'debian:bookworm', '--start', '--json'], { timeoutMs: 1_500_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"type":"progress"');
    expect(await lxcInfoState(ROOT, name)).toBe('RUNNING');
    const version = await eventually(async () => {
      const v = await run(ROOT, ['lxc-attach', '-n', name, '--', 'cat', '/etc/debian_version']);
      return v.code === 0 ? v.stdout.trim() : '';
    });
    expect(version).toMatch(/^12\.\d+$/);
  }, 1_600_000);
});
