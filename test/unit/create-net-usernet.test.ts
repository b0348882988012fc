import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostFs } from '../../src/host/hostfs.js';
import { NetStore } from '../../src/host/netStore.js';
import { createNetTarget } from '../../src/cli/createNet.js';
import { defineNetwork } from '../../src/net/define.js';
import { errorLine } from './errorLine.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-cnet-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const store = new NetStore(dir);
store.create(defineNetwork({ name: 'lab', kind: 'bridge' }, { links: [], routes: [], networks: [], root: true, tools: { nft: true, dnsmasq: true } }));

const ctx = (usernet: string, nics: string, uid = 1001) => {
  const files: Record<string, string> = { '/etc/lxc/lxc-usernet': usernet, '/run/lxc/nics': nics };
  const hostFs: HostFs = { read: (p) => files[p] ?? null, exists: (p) => p in files, isDir: () => false, list: () => [], stat: () => null };
  return { fs: hostFs, identity: { uid, gid: uid, user: 'ann', home: '/home/ann', groups: ['ann', 'lab'] } };
};

describe('create --net, unprivileged: the lxc-usernet check of net join, before anything is made', () => {
  it('refuses a bridge lxc-usernet does not give the user, with the line to add', () => {
    expect(errorLine(() => createNetTarget(ctx('ann veth lxcbr0 10\n', ''), 'web', 'lab', store))).toBe(
      "bridge ldk-lab is not allowed for ann in /etc/lxc/lxc-usernet (allowed: lxcbr0): as root, add the line 'ann veth ldk-lab 10' to /etc/lxc/lxc-usernet (echo 'ann veth ldk-lab 10' | sudo tee -a /etc/lxc/lxc-usernet)",
    );
  });

  it('refuses when the quota of the bridge is used up (/run/lxc/nics), counting group lines too', () => {
    const nics = 'ann veth ldk-lab veth1_a\nann veth ldk-lab veth1_b\nbob veth ldk-lab veth2_a\n';
    expect(errorLine(() => createNetTarget(ctx('ann veth ldk-lab 1\n@lab veth ldk-lab 1\n', nics), 'web', 'lab', store))).toBe(
      'ann uses all 2 veths allowed on ldk-lab (/run/lxc/nics): stop a container on ldk-lab, or as root raise the count in /etc/lxc/lxc-usernet',
    );
  });

  it('takes the bridge with quota left, and root without asking lxc-usernet', () => {
    expect(createNetTarget(ctx('ann veth ldk-lab 2\n', 'ann veth ldk-lab veth1_a\n'), 'web', 'lab', store)).toMatchObject({ name: 'lab', bridge: 'ldk-lab' });
    expect(createNetTarget(ctx('', '', 0), 'web', 'lab', store)).toMatchObject({ name: 'lab' });
  });
});
