import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, hostUnavailable, lxcdeck, lxcInfoState, USER, USER_UNDELEGATED } from './host.js';

const skip = hostUnavailable();
// the refusal under test is the v1/hybrid one; on v2 lxcdeck goes through systemd-run instead
const hybrid = (await import('node:fs')).existsSync('/sys/fs/cgroup/freezer');

describe.skipIf(skip)('delegated cgroups and doctor', () => {
  const name = `ldt-${process.pid}-dg`;

  beforeAll(async () => {
    await destroy(USER, [name]);
    await createBusybox(USER, name);
  });
  afterAll(async () => {
    await destroy(USER, [name]);
  });

  it('doctor finds no problem for the prepared test user in its delegated cgroup', async () => {
    const r = await lxcdeck(USER, ['doctor']);
    expect(r.stdout).toContain('no problems found');
    expect(r.code).toBe(0);
    const json = JSON.parse((await lxcdeck(USER, ['doctor', '--json'])).stdout) as { checks: { id: string; status: string }[] };
    expect(json.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['liblxc', 'cgroup-layout', 'subuid', 'subgid', 'newuidmap', 'lxc-usernet', 'idmap', 'lxcpath-traversal', 'net-link']));
  });

  it.skipIf(!hybrid)('outside its delegated cgroup: doctor fails with the fix, start is refused and changes nothing', async () => {
    const doc = await lxcdeck(USER_UNDELEGATED, ['doctor']);
    expect(doc.code).toBe(1);
    expect(doc.stdout).toMatch(/^FAIL cgroup freezer: .* — fix: sudo scripts\/prepare-host --user lxcdeck-test && exec scripts\/enter-cgroup$/m);
    const r = await lxcdeck(USER_UNDELEGATED, ['start', name]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^lxcdeck: cannot start .*: no delegated cgroup for lxcdeck-test in: .*freezer.*: run 'sudo scripts\/prepare-host --user lxcdeck-test' once, then start lxcdeck from 'scripts\/enter-cgroup'\n$/);
    expect(await lxcInfoState(USER, name)).toBe('STOPPED');
  });
});
