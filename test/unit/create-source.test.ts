import { describe, expect, it } from 'vitest';
import { parseCreateSource, templateSource } from '../../src/core/createSource.js';
import { cgroupSettings } from '../../src/core/limits.js';
import { mirrorsFromList, mirrorsFromSources } from '../../src/host/aptMirror.js';
import { compressionOf, parseTarListing, unescapeTarName, unsafeMembers } from '../../src/host/tarScan.js';
import { errorLine } from './errorLine.js';

describe('create --from', () => {
  it('reads every source kind', () => {
    expect(parseCreateSource('busybox')).toEqual({ kind: 'template', template: 'busybox', args: [] });
    expect(parseCreateSource('debian')).toEqual({ kind: 'debian', release: 'bookworm' });
    expect(parseCreateSource('debian:trixie')).toEqual({ kind: 'debian', release: 'trixie' });
    expect(parseCreateSource('dir:/srv/rootfs')).toEqual({ kind: 'dir', path: '/srv/rootfs' });
    expect(parseCreateSource('tar:./r.tar.zst')).toEqual({ kind: 'tar', path: './r.tar.zst' });
    expect(parseCreateSource('download:debian/bookworm/amd64')).toEqual({ kind: 'download', dist: 'debian', release: 'bookworm', arch: 'amd64' });
    expect(parseCreateSource('clone:web')).toEqual({ kind: 'clone', from: 'web' });
    expect(templateSource('alpine')).toEqual({ kind: 'template', template: 'alpine', args: [] });
  });
  it('refuses bad specs with the fix', () => {
    expect(errorLine(() => parseCreateSource('floppy'))).toMatch(/unknown source "floppy".*use --from busybox/);
    expect(errorLine(() => parseCreateSource('debian:hamm'))).toMatch(/unknown Debian release "hamm": use one of bullseye/);
    expect(errorLine(() => parseCreateSource('tar:rel.tar'))).toMatch(/needs a path/);
    expect(errorLine(() => parseCreateSource('download:debian/bookworm'))).toMatch(/DIST\/RELEASE\/ARCH/);
    expect(errorLine(() => parseCreateSource('clone:../x'))).toMatch(/invalid container name/);
    expect(errorLine(() => templateSource('../busybox'))).toMatch(/invalid template name/);
  });
});

describe('limits -> cgroup keys', () => {
  it('uses the v1 names on a hybrid host and the v2 names on v2', () => {
    const req = { memoryMax: '512M', cpuMax: '150', pidsMax: '100', cpus: '0-1', ioWeight: '500' };
    expect(cgroupSettings(req, 1).map((s) => `${s.key}=${s.value}`)).toEqual([
      'lxc.cgroup.memory.limit_in_bytes=536870912',
      'lxc.cgroup.cpu.cfs_period_us=100000',
      'lxc.cgroup.cpu.cfs_quota_us=150000',
      'lxc.cgroup.cpuset.cpus=0-1',
      'lxc.cgroup.pids.max=100',
      'lxc.cgroup.blkio.weight=500',
    ]);
    expect(cgroupSettings(req, 2).map((s) => `${s.key}=${s.value}`)).toEqual([
      'lxc.cgroup2.memory.max=536870912',
      'lxc.cgroup2.cpu.max=150000 100000',
      'lxc.cgroup2.cpuset.cpus=0-1',
      'lxc.cgroup2.pids.max=100',
      'lxc.cgroup2.io.weight=500',
    ]);
  });
  it('v1 memsw counts memory and swap together', () => {
    expect(cgroupSettings({ memoryMax: '1G', memorySwapMax: '1G' }, 1).at(-1)).toMatchObject({ file: 'memory.memsw.limit_in_bytes', value: String(2 * 1024 ** 3) });
  });
  it('refuses bad values with the fix', () => {
    expect(errorLine(() => cgroupSettings({ memoryMax: '12parsecs' }, 1))).toMatch(/invalid --memory-max "12parsecs": use a whole number of bytes/);
    expect(errorLine(() => cgroupSettings({ memoryMax: '100k' }, 1))).toMatch(/below 1M/);
    expect(errorLine(() => cgroupSettings({ cpuMax: '0' }, 2))).toMatch(/from 1 to/);
    expect(errorLine(() => cgroupSettings({ cpus: 'all' }, 2))).toMatch(/CPU list/);
    expect(errorLine(() => cgroupSettings({ ioWeight: '5' }, 1))).toMatch(/from 10 to 1000/);
  });
});

describe('the host apt mirror', () => {
  it('reads one-line and deb822 sources, skipping security and disabled ones', () => {
    expect(mirrorsFromList('# deb http://old/ x main\ndeb http://security.debian.org/ bookworm-security main\ndeb [arch=amd64] http://ftp.de.debian.org/debian bookworm main\n', 'f')).toEqual([{ uri: 'http://ftp.de.debian.org/debian', file: 'f' }]);
    const deb822 = 'Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n\nTypes: deb\nEnabled: no\nURIs: http://off/\nSuites: bookworm\n\nTypes: deb deb-src\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n';
    expect(mirrorsFromSources(deb822, 's')).toEqual([{ uri: 'http://mirror.example/debian', file: 's' }]);
  });
});

describe('the tarball pre-scan', () => {
  it('finds the compression from the magic bytes', () => {
    expect(compressionOf(Uint8Array.from([0x1f, 0x8b, 8]))).toBe('gzip');
    expect(compressionOf(Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a]))).toBe('xz');
    expect(compressionOf(Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    const ustar = new Uint8Array(512);
    ustar.set([...'ustar'].map((c) => c.charCodeAt(0)), 257);
    expect(compressionOf(ustar)).toBe('none');
    expect(compressionOf(Uint8Array.from([1, 2, 3]))).toBeNull();
  });
  it('names traversal, absolute members and (unprivileged) device nodes', () => {
    const listing = [
      'drwxr-xr-x root/root         0 2026-12-01 08:27 ./',
      '-rw-r--r-- 0/0               5 1970-01-01 00:00 ../evil',
      'crw-r--r-- 0/0             1,3 1970-01-01 00:00 ./dev/evilnull',
      '-rw-r--r-- 0/0               2 1970-01-01 00:00 /abs-evil',
      'lrwxrwxrwx 0/0               0 1970-01-01 00:00 ./bin/sh -> /bin/busybox',
      'hrw-r--r-- 0/0               0 1970-01-01 00:00 ./a\\040b link to ./x',
      '-rw-r--r-- 0/0               2 1970-01-01 00:00 ./x/../../up',
    ].join('\n');
    const members = parseTarListing(listing);
    expect(members.map((m) => m.name)).toEqual(['./', '../evil', './dev/evilnull', '/abs-evil', './bin/sh', './a b', './x/../../up']);
    expect(unsafeMembers(members, true).map((m) => m.name)).toEqual(['../evil', './dev/evilnull', '/abs-evil', './x/../../up']);
    expect(unsafeMembers(members, false).map((m) => m.name)).toEqual(['../evil', '/abs-evil', './x/../../up']);
    expect(unescapeTarName('a\\\\b\\nc')).toBe('a\\b\nc');
  });
});
