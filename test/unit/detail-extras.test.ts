import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerExtras } from '../../src/cli/extras.js';
import type { HostFs } from '../../src/host/hostfs.js';
import { NetStore } from '../../src/host/netStore.js';
import type { NetworkDef } from '../../src/net/definition.js';

/** cli/extras.ts on a temporary lxcpath and network store: what the detail view is given. */
describe('container extras (snapshots, networks, idmap) read from disk', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-extras-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lxcpath = () => path.join(dir, 'lxc');
  const files: Record<string, string> = { '/etc/subuid': 'alice:100000:65536\n', '/etc/subgid': 'alice:100000:65536\n' };
  const hostFs: HostFs = { read: (p) => files[p] ?? null, exists: (p) => p in files, isDir: () => false, list: () => [], stat: () => null };
  const ctx = () => ({ backend: { lxcpath: lxcpath() }, fs: hostFs, identity: { uid: 1000, gid: 1000, user: 'alice', home: '/home/alice', groups: [] } }) as never;
  const container = (name: string, config: string) => {
    fs.mkdirSync(path.join(lxcpath(), name), { recursive: true });
    fs.writeFileSync(path.join(lxcpath(), name, 'config'), config);
  };
  const snapshot = (name: string, snap: string, ts: string, comment?: string) => {
    const d = path.join(lxcpath(), name, 'snaps', snap);
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'ts'), `${ts}\n`);
    if (comment !== undefined) fs.writeFileSync(path.join(d, 'comment'), `${comment}\n`);
  };
  const net = (over: Partial<NetworkDef>): NetworkDef => ({
    version: 1, name: 'lan', kind: 'nat', bridge: 'lxdt0', existingBridge: false, subnet: '10.77.0.0/24', address: '10.77.0.1/24', dhcp: { start: '10.77.0.100', end: '10.77.0.200' },
    domain: null, antiSpoof: false, uplink: null, moveAddresses: [], parent: null, mode: null, shim: null, forwards: [], members: [], ...over,
  });

  it('lists snapshots in order with time and comment; none when there is no snaps dir', async () => {
    container('web', 'lxc.uts.name = web\n');
    container('db', 'lxc.uts.name = db\n');
    snapshot('web', 'snap10', '2026:12:01 09:00:00');
    snapshot('web', 'snap2', '2026:12:01 08:00:00', 'before upgrade');
    fs.mkdirSync(path.join(lxcpath(), 'web', 'snaps', 'notasnap'));
    const x = containerExtras(ctx(), new NetStore(path.join(dir, 'nets')), (n) => path.join(dir, 'run', n, 'leases'));
    const web = await x.read('web');
    expect(web.snapshots).toEqual([
      { name: 'snap2', time: '2026:12:01 08:00:00', comment: 'before upgrade' },
      { name: 'snap10', time: '2026:12:01 09:00:00', comment: '' },
    ]);
    expect((await x.read('db')).snapshots).toEqual([]);
    // a container that is gone: empty parts, no throw
    expect(await x.read('gone')).toEqual({ snapshots: [], networks: [], idmap: { map: [], error: null, warnings: 0 } });
  });

  it('matches lxc.net.N with lxcdeck networks: a member slot with its static address, a bridge with its DHCP lease', async () => {
    const store = new NetStore(path.join(dir, 'nets'));
    expect(store.create(net({ members: [{ container: 'web', slot: 1, mac: '00:16:3e:00:00:01', ip: '10.77.0.5', veth: null }] }))).toBe(true);
    expect(store.create(net({ name: 'dmz', bridge: 'lxdt1', subnet: '10.78.0.0/24' }))).toBe(true);
    fs.mkdirSync(path.join(dir, 'run', 'dmz'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'run', 'dmz', 'leases'), '1999999999 00:16:3e:aa:bb:cc 10.78.0.150 web *\n');
    container('web', ['lxc.net.0.type = veth', 'lxc.net.0.link = lxdt1', 'lxc.net.1.type = veth', 'lxc.net.1.link = lxdt0', 'lxc.net.2.type = veth', 'lxc.net.2.link = brx', 'lxc.net.2.ipv4.address = 192.168.9.9/24', ''].join('\n'));
    const x = containerExtras(ctx(), store, (n) => path.join(dir, 'run', n, 'leases'));
    const nets = (await x.read('web')).networks;
    expect(nets).toEqual([
      { index: 0, type: 'veth', link: 'lxdt1', network: 'dmz', address: '10.78.0.150' },
      { index: 1, type: 'veth', link: 'lxdt0', network: 'lan', address: '10.77.0.5' },
      { index: 2, type: 'veth', link: 'brx', network: null, address: '192.168.9.9' },
    ]);
  });

  it('checks the idmap: a map inside the user ranges validates, one outside is an error with its fix, a shared one a warning', async () => {
    container('good', 'lxc.idmap = u 0 100000 65536\nlxc.idmap = g 0 100000 65536\n');
    container('bad', 'lxc.idmap = u 0 500000 65536\nlxc.idmap = g 0 100000 65536\n');
    container('priv', 'lxc.uts.name = priv\n');
    const x = containerExtras(ctx(), new NetStore(path.join(dir, 'nets')), (n) => path.join(dir, 'run', n, 'leases'));
    const good = (await x.read('good')).idmap;
    expect(good.map).toEqual(['u 0 100000 65536', 'g 0 100000 65536']);
    expect(good.error).toBeNull();
    const bad = (await x.read('bad')).idmap;
    expect(bad.error).toMatch(/500000.*: /);
    expect((await x.read('priv')).idmap).toEqual({ map: [], error: null, warnings: 0 });
    // good and bad share host gids 100000-165535: not isolated
    expect(good.warnings).toBeGreaterThan(0);
  });
});
