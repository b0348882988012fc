import { describe, expect, it } from 'vitest';
import { delegationOf } from '../../src/host/cgroups.js';
import { aclAllowsSearch, diagnose, readLxcConf, traversalCheck, type DoctorInput } from '../../src/host/doctor.js';
import type { HostFs } from '../../src/host/hostfs.js';
import { recordedHost } from './fixtures.js';

/** A recorded host with some files added or replaced. */
function overlay(base: HostFs, files: Record<string, string>, stats: Record<string, { uid: number; mode: number }> = {}): HostFs {
  return {
    read: (p) => files[p] ?? base.read(p),
    exists: (p) => p in files || p in stats || base.exists(p),
    isDir: (p) => base.isDir(p),
    list: (p) => base.list(p),
    stat: (p) => (stats[p] ? { ...stats[p], gid: 0 } : base.stat(p)),
  };
}

const ALICE_FILES = {
  '/etc/subuid': 'alice:100000:65536\n',
  '/etc/subgid': 'alice:100000:65536\n',
  '/etc/lxc/lxc-usernet': 'alice veth lxcbr0 10\n',
  '/etc/lxc/default.conf': 'lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\n',
  '/home/alice/.config/lxc/default.conf': 'lxc.include = /etc/lxc/default.conf\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n',
};
const SETUID = { uid: 0, mode: 0o104755 };
const DIR = (uid: number, mode: number) => ({ uid, mode: 0o040000 | mode });

function input(hostName: string, uid: number, user: string, files: Record<string, string>, extra: Partial<DoctorInput> = {}): DoctorInput {
  const h = recordedHost(hostName);
  const fs = overlay(h.fs, files, {
    '/usr/bin/newuidmap': SETUID,
    '/usr/bin/newgidmap': SETUID,
    '/sys/class/net/lxcbr0': DIR(0, 0o755),
    '/': DIR(0, 0o755),
    '/home': DIR(0, 0o755),
    [`/home/${user}`]: DIR(uid, 0o750),
    [`/home/${user}/.local`]: DIR(uid, 0o755),
    [`/home/${user}/.local/share`]: DIR(uid, 0o755),
    [`/home/${user}/.local/share/lxc`]: DIR(uid, 0o755),
  });
  return {
    fs,
    identity: { uid, gid: uid, user, home: `/home/${user}`, groups: [user] },
    cgroups: h.cgroups,
    delegations: delegationOf(fs, h.cgroups, fs.read('/proc/self/cgroup') ?? '', uid),
    lxcVersion: '5.0.2',
    lxcpath: `/home/${user}/.local/share/lxc`,
    defaultConf: `/home/${user}/.config/lxc/default.conf`,
    systemdUserManager: true,
    running: [],
    aclOf: (d) => (d === `/home/${user}` ? `user::rwx\nuser:100000:--x\ngroup::r-x\nmask::r-x\nother::---\n` : null),
    ...extra,
  };
}

const status = (r: ReturnType<typeof diagnose>, id: string) => r.checks.find((c) => c.id === id)?.status;

describe('doctor over recorded hosts', () => {
  it('v2 + systemd, alice outside a scope: warns that starts go through systemd-run, nothing fails', () => {
    const r = diagnose(input('v2-systemd-alice-plain', 1000, 'alice', ALICE_FILES));
    expect(r.layout).toBe('v2');
    expect(status(r, 'cgroup:unified')).toBe('warn');
    expect(r.checks.find((c) => c.id === 'cgroup:unified')?.detail).toContain('systemd-run --user --scope -p Delegate=yes');
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('v2 without a user manager fails with the linger fix', () => {
    const r = diagnose(input('v2-systemd-alice-plain', 1000, 'alice', ALICE_FILES, { systemdUserManager: false }));
    const c = r.checks.find((x) => x.id === 'cgroup:unified');
    expect(c?.status).toBe('fail');
    expect(c?.fix).toBe('sudo loginctl enable-linger alice, then log in again');
  });

  it('flags a running v2 container that has no cgroup of its own', () => {
    const h = recordedHost('v2-systemd-alice-container-nodelegation');
    const r = diagnose(input('v2-systemd-alice-container-nodelegation', 1000, 'alice', ALICE_FILES, { running: [{ name: 'c2', pid: h.meta.initPid as number }] }));
    const c = r.checks.find((x) => x.id === 'own-cgroup:c2');
    expect(c?.status).toBe('fail');
    expect(c?.fix).toBe('lxcdeck stop c2 && lxcdeck start c2');
  });

  it('reports a half-done freeze (liblxc and the freezer cgroup disagree) with the thaw that repairs it', () => {
    const r = diagnose(input('v2-systemd-alice-plain', 1000, 'alice', ALICE_FILES, { running: [{ name: 'c1', pid: 1 }, { name: 'c2', pid: 2, disagreement: { liblxc: 'RUNNING', cgroup: 'FROZEN' } }] }));
    expect(r.checks.filter((c) => c.id.startsWith('freezer:'))).toEqual([
      {
        id: 'freezer:c2',
        title: 'freezer of c2',
        status: 'fail',
        detail: 'liblxc says RUNNING but the freezer cgroup says FROZEN (a freeze or thaw was interrupted): attach and stop may hang',
        fix: 'lxcdeck thaw c2',
      },
    ]);
  });

  it('hybrid user outside its delegated cgroup: one failed line per v1 hierarchy, with the fix', () => {
    const h = recordedHost('hybrid-user-plain');
    const uid = h.meta.uid as number;
    const r = diagnose(input('hybrid-user-plain', uid, 'lxcdeck-test', { ...ALICE_FILES, '/etc/subuid': 'lxcdeck-test:100000:65536\n', '/etc/subgid': 'lxcdeck-test:100000:65536\n', '/etc/lxc/lxc-usernet': 'lxcdeck-test veth lxcbr0 10\n', '/home/lxcdeck-test/.config/lxc/default.conf': ALICE_FILES['/home/alice/.config/lxc/default.conf'] }));
    const failed = r.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toEqual(expect.arrayContaining(['cgroup:freezer', 'cgroup:memory']));
    for (const c of failed) expect(c.fix).toBe('sudo scripts/prepare-host --user lxcdeck-test && exec scripts/enter-cgroup');
    // the empty v2 of a hybrid host is only a warning
    expect(status(r, 'cgroup:unified')).toBe('warn');
  });

  it('hybrid user inside its delegated cgroups: no problems', () => {
    const h = recordedHost('hybrid-user-delegated');
    const uid = h.meta.uid as number;
    const u = 'lxcdeck-test';
    const r = diagnose(input('hybrid-user-delegated', uid, u, { '/etc/subuid': `${u}:100000:65536\n`, '/etc/subgid': `${u}:100000:65536\n`, '/etc/lxc/lxc-usernet': `${u} veth lxcbr0 10\n`, '/etc/lxc/default.conf': ALICE_FILES['/etc/lxc/default.conf'], [`/home/${u}/.config/lxc/default.conf`]: ALICE_FILES['/home/alice/.config/lxc/default.conf'] }));
    expect(r.checks.filter((c) => c.status !== 'ok')).toEqual([]);
  });

  it('reports missing ranges, usernet, idmap outside the ranges and a missing bridge', () => {
    const r = diagnose(
      input('v2-systemd-alice-scope', 1000, 'alice', {
        '/etc/subuid': '',
        '/etc/subgid': 'alice:100000:65536\n',
        '/etc/lxc/lxc-usernet': '',
        '/etc/lxc/default.conf': 'lxc.net.0.type = veth\nlxc.net.0.link = br9\n',
        '/home/alice/.config/lxc/default.conf': 'lxc.include = /etc/lxc/default.conf\nlxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 200000 65536\n',
      }),
    );
    expect(r.checks.find((c) => c.id === 'subuid')?.fix).toBe('sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice');
    expect(r.checks.find((c) => c.id === 'lxc-usernet')?.fix).toBe("echo 'alice veth lxcbr0 10' | sudo tee -a /etc/lxc/lxc-usernet");
    expect(status(r, 'idmap')).toBe('fail');
    expect(r.checks.find((c) => c.id === 'net-link')?.fix).toBe('sudo ip link add br9 type bridge && sudo ip link set br9 up');
    for (const c of r.checks) expect(`${c.detail} ${c.fix ?? ''}`).not.toContain('\n');
  });
});

describe('lxcpath traversal', () => {
  const fs = overlay({ read: () => null, exists: () => false, isDir: () => false, list: () => [], stat: () => null }, {}, {
    '/': DIR(0, 0o755),
    '/home': DIR(0, 0o755),
    '/home/bob': DIR(1001, 0o700),
    '/home/bob/lxc': DIR(1001, 0o755),
  });
  it('fails with the setfacl fix when a directory blocks the container root', () => {
    const c = traversalCheck(fs, '/home/bob/lxc', 100000);
    expect(c.status).toBe('fail');
    expect(c.fix).toBe('sudo setfacl -m u:100000:x /home/bob');
  });
  it('passes when an ACL grants search', () => {
    const acl = (d: string) => (d === '/home/bob' ? 'user::rwx\nuser:100000:--x\nmask::--x\nother::---\n' : null);
    expect(traversalCheck(fs, '/home/bob/lxc', 100000, acl).status).toBe('ok');
  });
  it('honours the ACL mask', () => {
    expect(aclAllowsSearch('user:100000:--x\nmask::r--\n', 100000)).toBe(false);
    expect(aclAllowsSearch('user:100000:r-x\n', 100000)).toBe(true);
    expect(aclAllowsSearch(null, 100000)).toBe(false);
  });
});

describe('lxc config files', () => {
  it('follows lxc.include', () => {
    const fs = overlay({ read: () => null, exists: () => false, isDir: () => false, list: () => [], stat: () => null }, {
      '/a': 'lxc.include = /b\nlxc.idmap = u 0 1 1\n# c\n',
      '/b': 'lxc.net.0.link = br0\nlxc.include = /a\n',
    });
    const conf = readLxcConf(fs, '/a');
    expect(conf.get('lxc.net.0.link')).toEqual(['br0']);
    expect(conf.get('lxc.idmap')).toEqual(['u 0 1 1']);
  });
});

describe('AppArmor', () => {
  const base = { read: () => null, exists: () => false, isDir: () => false, list: () => [], stat: () => null };
  it('fails when generated profiles need a missing apparmor_parser', async () => {
    const { apparmorCheck } = await import('../../src/host/doctor.js');
    const fs = overlay(base, { '/sys/module/apparmor/parameters/enabled': 'Y\n' });
    const c = apparmorCheck(fs, new Map([['lxc.apparmor.profile', ['generated']]]), '/etc/lxc/default.conf');
    expect(c.status).toBe('fail');
    expect(c.fix).toBe('sudo apt-get install apparmor');
    expect(apparmorCheck(fs, new Map([['lxc.apparmor.profile', ['unconfined']]]), '/x').status).toBe('ok');
    expect(apparmorCheck(overlay(base, {}), new Map(), '/x').status).toBe('ok');
  });
});
