import { describe, expect, it } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';
import { hostIdForRoot, isMappedInside, parseIdMapEntry } from '../../src/core/idmap.js';
import { validateContainerName } from '../../src/core/names.js';
import { isActive, parseState } from '../../src/core/state.js';
import { compressIpv6, parseFibTrieLocal, parseIfInet6Global, readAddresses } from '../../src/host/addresses.js';
import { parseKeyedValue } from '../../src/metrics/readers.js';
import { parseFreezerState } from '../../src/host/freezer.js';
import { groupsOf } from '../../src/host/identity.js';
import { parseSubIds } from '../../src/host/subid.js';
import { parseUsernet, usernetFor } from '../../src/host/usernet.js';
import { helperErrorToLxcdeck, parseHelperError } from '../../src/lxc/helper.js';
import { formatBytes, formatTable, sanitize } from '../../src/presentation/format.js';
import { recordedHost } from './fixtures.js';

describe('state mapping', () => {
  it('maps every liblxc state and treats unknown text as STOPPED', () => {
    for (const s of ['STOPPED', 'STARTING', 'RUNNING', 'STOPPING', 'ABORTING', 'FREEZING', 'FROZEN']) expect(parseState(s)).toBe(s);
    expect(parseState('THAWED')).toBe('RUNNING');
    expect(parseState('running\n')).toBe('RUNNING');
    expect(parseState('bogus')).toBe('STOPPED');
    expect(parseState(null)).toBe('STOPPED');
  });
  it('knows which states have a live init', () => {
    expect(isActive('FROZEN')).toBe(true);
    expect(isActive('STOPPED')).toBe(false);
  });
});

describe('names', () => {
  it('accepts hostname-like names', () => {
    expect(validateContainerName('web-1.prod_a')).toBe('web-1.prod_a');
  });
  it.each(['', '-x', 'a/b', '..', 'a..b', 'x'.repeat(64), 'sp ace', 'tab\t'])('rejects %j with a one-line fix', (n) => {
    expect(() => validateContainerName(n)).toThrow(LxcdeckError);
    try {
      validateContainerName(n);
    } catch (e) {
      expect((e as LxcdeckError).line).not.toContain('\n');
      expect((e as LxcdeckError).code).toBe('invalid-name');
    }
  });
});

describe('subuid/subgid, lxc-usernet, groups', () => {
  const subuid = '# comment\nalice:100000:65536\n1000:300000:10\nbob:165536:65536\nbroken:x:1\n';
  it('matches by name and by uid', () => {
    expect(parseSubIds(subuid, 'alice', 1000)).toEqual([{ start: 100000, count: 65536 }, { start: 300000, count: 10 }]);
    expect(parseSubIds(subuid, 'carol', 1002)).toEqual([]);
    expect(parseSubIds(subuid, 'broken', 5)).toEqual([]);
  });
  it('checks idmaps against the ranges', () => {
    const ranges = parseSubIds(subuid, 'alice', 1000);
    expect(isMappedInside(parseIdMapEntry('u 0 100000 65536'), ranges)).toBe(true);
    expect(isMappedInside(parseIdMapEntry('u 0 100001 65536'), ranges)).toBe(false);
    expect(hostIdForRoot([parseIdMapEntry('g 0 5 1'), parseIdMapEntry('u 0 100000 10')], 'u')).toBe(100000);
  });
  it('rejects malformed idmaps', () => {
    for (const bad of ['x 0 1 1', 'u 0 1', 'u a b c', 'u 0 1 0']) expect(() => parseIdMapEntry(bad)).toThrow(/idmap/);
  });
  it('reads lxc-usernet for the user and its groups', () => {
    const e = parseUsernet('alice veth lxcbr0 10\n@lxc veth br1 2 # group\nbob veth lxcbr0 1\nbad line\n');
    expect(usernetFor(e, 'alice', ['lxc']).map((x) => x.link)).toEqual(['lxcbr0', 'br1']);
  });
  it('lists group memberships from /etc/group', () => {
    expect(groupsOf('root:x:0:\nlxc:x:120:alice,bob\nalice:x:1000:\n', 'alice', 1000)).toEqual(['lxc', 'alice']);
  });
});

describe('addresses from /proc/<pid>/net', () => {
  it('reads the recorded hybrid container (matches lxc-info -i)', () => {
    const h = recordedHost('hybrid-root-container');
    const pid = h.meta.initPid as number;
    const ips = h.fs.read('/meta-ips.txt')?.trim().split('\n').filter(Boolean) ?? [];
    expect(readAddresses(h.fs, pid).ipv4).toEqual(ips.filter((x) => x.includes('.')));
  });
  it('reads the recorded v2 container', () => {
    const h = recordedHost('v2-systemd-alice-container');
    expect(readAddresses(h.fs, h.meta.initPid as number)).toEqual({ ipv4: ['10.0.3.119'], ipv6: [] });
  });
  it('skips loopback and keeps each local address once', () => {
    const trie = 'Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 10.0.3.5\n        /32 host LOCAL\n     |-- 127.0.0.1\n        /32 host LOCAL\nLocal:\n     |-- 10.0.3.5\n        /32 host LOCAL\n     |-- 10.0.3.255\n        /32 link BROADCAST\n';
    expect(parseFibTrieLocal(trie)).toEqual(['10.0.3.5']);
  });
  it('keeps only global IPv6 and compresses it', () => {
    const text = [
      '00000000000000000000000000000001 01 80 10 80       lo',
      'fe80000000000000a8c1abfffe123456 02 40 20 80     eth0',
      'fd420000000000000000000000000005 02 40 00 80     eth0',
    ].join('\n');
    expect(parseIfInet6Global(text)).toEqual(['fd42::5']);
    expect(compressIpv6('20010db8000000000001000000000001')).toBe('2001:db8::1:0:0:1');
    expect(compressIpv6('20010db8000100020003000400050006')).toBe('2001:db8:1:2:3:4:5:6');
  });
});

describe('cgroup files', () => {
  it('reads flat-keyed files', () => {
    expect(parseKeyedValue('usage_usec 123\nuser_usec 100\n', 'usage_usec')).toBe(123);
    expect(parseKeyedValue('usage_usec 123\n', 'missing')).toBeNull();
  });
  it('reads freezer state on v1 and v2', () => {
    const v1 = { version: 1 as const, dir: '/x', state: '/x/freezer.state' };
    const v2 = { version: 2 as const, dir: '/x', freeze: '/x/cgroup.freeze', events: '/x/cgroup.events' };
    expect(parseFreezerState(v1, 'FREEZING\n')).toBe('FREEZING');
    expect(parseFreezerState(v1, 'THAWED\n')).toBe('THAWED');
    const h = recordedHost('v2-systemd-alice-container');
    const dir = `/sys/fs/cgroup${h.meta.containerCgroup as string}`;
    expect(parseFreezerState(v2, h.fs.read(`${dir}/cgroup.events.frozen`) ?? '', '1')).toBe('FROZEN');
    expect(parseFreezerState(v2, h.fs.read(`${dir}/cgroup.events`) ?? '', '1')).toBe('FREEZING');
    expect(parseFreezerState(v2, h.fs.read(`${dir}/cgroup.events`) ?? '', '0')).toBe('THAWED');
  });
});

describe('helper errors', () => {
  it('parses the structured line and maps it to one-line errors', () => {
    const e = parseHelperError('noise\n{"error":"not_defined","message":"container x is not defined"}\n');
    expect(e).toEqual({ error: 'not_defined', message: 'container x is not defined' });
    const err = helperErrorToLxcdeck({ error: 'failed', message: 'liblxc failed to start x' }, 'No such file');
    expect(err.code).toBe('liblxc-failed');
    expect(err.line).toBe('liblxc failed to start x (lxc: No such file): see the liblxc log for details');
    expect(parseHelperError('plain text')).toBeNull();
  });
});

describe('presentation', () => {
  it('formats bytes and tables', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(null)).toBe('-');
    expect(formatTable(['A', 'BB'], [['xyz', '1']])).toBe('A    BB\nxyz  1');
  });
  it('strips control characters from container-controlled strings', () => {
    expect(sanitize('web\u001b]0;pwned\u0007\u009b1m')).toBe('web]0;pwned1m');
  });
});

describe('native loader', () => {
  it('names every path it tried and the package to install', async () => {
    const { findNativeFile } = await import('../../src/lxc/native.js');
    try {
      findNativeFile('no-such-lib.so');
      expect.unreachable();
    } catch (e) {
      const err = e as LxcdeckError;
      expect(err.code).toBe('liblxc-missing');
      expect(err.line).toMatch(/native no-such-lib\.so not found \(tried .*native\/build\/no-such-lib\.so, .*\/usr\/lib\/lxcdeck\/no-such-lib\.so\): install the Debian package lxc-dev/);
    }
  });
});
