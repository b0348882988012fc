import { describe, expect, it } from 'vitest';
import { renameInConfig, renameInPairs } from '../../src/lxc/rename.js';

describe('rename: the paths that name the container', () => {
  const text = [
    '# keep /var/lib/lxc/web comment? it names the path too',
    'lxc.rootfs.path = dir:/var/lib/lxc/web/rootfs',
    'lxc.uts.name = "web"',
    'lxc.mount.entry = /var/lib/lxc/web/shared srv none bind 0 0',
    'lxc.mount.entry = /var/lib/lxc/webserver/data mnt none bind 0 0',
    'lxc.log.file = /var/lib/lxc/web',
    '',
  ].join('\n');

  it('rewrites <lxcpath>/<old> only as a whole path component, and lxc.uts.name when it was the name', () => {
    const out = renameInConfig(text, '/var/lib/lxc', 'web', 'www');
    expect(out.split('\n')).toEqual([
      '# keep /var/lib/lxc/www comment? it names the path too',
      'lxc.rootfs.path = dir:/var/lib/lxc/www/rootfs',
      'lxc.uts.name = "www"',
      'lxc.mount.entry = /var/lib/lxc/www/shared srv none bind 0 0',
      'lxc.mount.entry = /var/lib/lxc/webserver/data mnt none bind 0 0',
      'lxc.log.file = /var/lib/lxc/www',
      '',
    ]);
    expect(renameInConfig('lxc.uts.name = myhost\n', '/var/lib/lxc', 'web', 'www')).toBe('lxc.uts.name = myhost\n');
    expect(renameInConfig('lxc.rootfs.path = overlay:/var/lib/lxc/web/rootfs:/var/lib/lxc/c1/overlay/delta\n', '/var/lib/lxc', 'web', 'www')).toBe('lxc.rootfs.path = overlay:/var/lib/lxc/www/rootfs:/var/lib/lxc/c1/overlay/delta\n');
  });

  it("rewrites liblxc's dependents lists by pairs", () => {
    expect(renameInPairs('/var/lib/lxc\nweb\n/other\nweb\n', '/var/lib/lxc', 'web', 'www')).toBe('/var/lib/lxc\nwww\n/other\nweb\n');
  });
});
