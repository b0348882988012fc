import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../src/core/container.js';
import { createBusybox, destroy, hostUnavailable, lxcdeck, lxcInfoState, ROOT, uniqueName, USER } from './host.js';

const skip = hostUnavailable();

describe.skipIf(skip)('one-line errors of the real lxcdeck (issue 10 §5)', () => {
  const c = uniqueName('rperm');

  beforeAll(async () => {
    await destroy(ROOT, [c]);
    await createBusybox(ROOT, c);
    expect((await lxcdeck(ROOT, ['start', c])).code).toBe(0);
  });

  afterAll(async () => {
    await destroy(ROOT, [c]);
  });

  it("root's container seen by the test user: ls lists it, info and freeze say no permission (exit 5), not 'not defined'", async () => {
    const ls = await lxcdeck(USER, ['-P', '/var/lib/lxc', 'ls', '--json']);
    expect((JSON.parse(ls.stdout) as ContainerSummary[]).map((x) => x.name)).toContain(c);
    for (const verb of [['info', c], ['info', c, '--json'], ['freeze', c], ['thaw', c]]) {
      const r = await lxcdeck(USER, ['-P', '/var/lib/lxc', ...verb]);
      expect(r.code, verb.join(' ')).toBe(5);
      expect(r.stderr.split('\n').filter(Boolean), verb.join(' ')).toEqual([
        `lxcdeck: no permission to read container ${c} in /var/lib/lxc (/var/lib/lxc/${c}/config: EACCES): run lxcdeck as the user who owns /var/lib/lxc, or pass your own --lxcpath`,
      ]);
    }
    expect(await lxcInfoState(ROOT, c)).toBe('RUNNING');
    // a name that is not there at all is still "not defined"
    const none = await lxcdeck(USER, ['-P', '/var/lib/lxc', 'info', 'ldt-no-such-container']);
    expect(none.code).toBe(3);
  });

  it('an unknown option is one lxcdeck line and exit 2', async () => {
    const r = await lxcdeck(ROOT, ['info', '-n', c]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("lxcdeck: unknown option '-n': see 'lxcdeck info --help'\n");
    expect(r.stdout).toBe('');
  });
});
