import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, eventually, hostUnavailable, lxcdeck, REPO, ROOT, run, uniqueName, USER } from './host.js';

/**
 * `idmap set --shift` as root on a filesystem that takes idmapped mounts: no
 * file is re-owned, lxc.rootfs.options = idmap=container makes LXC mount the
 * rootfs idmapped. The container starts in the new range (its uid_map),
 * files inside belong to root (0), and on disk every owner, mode, ACL and
 * capability is byte for byte what it was. The marker next to the rootfs
 * records it. As the test user the same request takes the walk, and says why.
 */
const skip = hostUnavailable();
const META = path.join(REPO, 'scripts', 'tree-meta');
const meta = (dir: string) => execFileSync(META, [dir], { encoding: 'utf8' });

async function rootfsOf(name: string, r = ROOT): Promise<string> {
  const res = await run(r, ['lxc-info', '-n', name, '-c', 'lxc.rootfs.path']);
  return res.stdout.replace(/^lxc\.rootfs\.path =\s*/, '').trim().replace(/^dir:/, '');
}

describe.skipIf(skip)('idmap set --shift as root: the idmapped rootfs mount', () => {
  const name = uniqueName('imnt');
  beforeAll(async () => {
    await destroy(ROOT, [name]);
    await createBusybox(ROOT, name);
  }, 120_000);
  afterAll(async () => {
    await destroy(ROOT, [name]);
  });

  it('the preview names the path; applied, the files stay, the container starts in the new range with root-owned files inside', async () => {
    const rootfs = await rootfsOf(name);
    const before = meta(rootfs);
    const dry = await lxcdeck(ROOT, ['idmap', 'set', name, '--preset', 'isolated', '--shift', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^files\s+not re-owned, the rootfs is mounted idmapped \(lxc\.rootfs\.options = idmap=container\): root, and the filesystem of \S+ takes idmapped mounts \(probed in \d+ ms\)/m);
    const json = JSON.parse((await lxcdeck(ROOT, ['idmap', 'set', name, '--preset', 'isolated', '--shift', '--dry-run', '--json'])).stdout) as { new: string[]; files: { kind: string } };
    expect(json.files.kind).toBe('idmapped');
    const set = await lxcdeck(ROOT, ['idmap', 'set', name, '--preset', 'isolated', '--shift'], { timeoutMs: 60_000 });
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`idmap set ${name} (idmapped rootfs mount): applied`);
    // on disk nothing moved
    expect(meta(rootfs)).toBe(before);
    expect(fs.lstatSync(path.join(rootfs, 'bin/busybox'))).toMatchObject({ uid: 0, gid: 0 });
    expect(JSON.parse(fs.readFileSync(`${rootfs}.lxcdeck-idmap`, 'utf8'))).toEqual({ state: 'shifted', map: [], mount: 'idmapped' });
    expect((await run(ROOT, ['lxc-info', '-n', name, '-c', 'lxc.rootfs.options'])).stdout.trim()).toBe('lxc.rootfs.options = idmap=container');
    const host = Number(json.new[0]?.split(' ')[2]);
    expect(json.new).toEqual([`u 0 ${host} 65536`, `g 0 ${host} 65536`]);
    // doctor does not take the root-owned rootfs for a forgotten shift
    const doctor = await lxcdeck(ROOT, ['doctor', '--json']);
    expect(doctor.stdout).not.toContain(`${name} (rootfs 0:0`);

    const started = await lxcdeck(ROOT, ['start', name], { timeoutMs: 60_000 });
    expect(started.stderr).toBe('');
    const pid = (await run(ROOT, ['lxc-info', '-n', name, '-pH'])).stdout.trim();
    expect(fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/)).toEqual(['0', String(host), '65536']);
    const inside = await eventually(async () => {
      const r = await run(ROOT, ['lxc-attach', '-n', name, '--', 'ls', '-ln', '/bin/busybox', '/etc/passwd']);
      return r.code === 0 ? r.stdout : '';
    });
    expect(inside).toMatch(/\s0\s+0\s.*\/bin\/busybox/);
    expect(inside).toMatch(/\s0\s+0\s.*\/etc\/passwd/);
    // a file made inside by root is root's on disk too: the mount maps, the disk keeps container ids
    expect((await run(ROOT, ['lxc-attach', '-n', name, '--', 'touch', '/made-inside'])).code).toBe(0);
    expect(fs.lstatSync(path.join(rootfs, 'made-inside'))).toMatchObject({ uid: 0, gid: 0 });
    await run(ROOT, ['lxc-stop', '-k', '-n', name]);
  }, 180_000);

  it('as the unprivileged test user the same request re-owns the files, and says why', async () => {
    const mine = uniqueName('imnu');
    await destroy(USER, [mine]);
    await createBusybox(USER, mine);
    try {
      const dry = await lxcdeck(USER, ['idmap', 'set', mine, '--map', 'u 0 100000 32768', '--map', 'g 0 100000 32768', '--map', 'u 32768 132768 32768', '--map', 'g 32768 132768 32768', '--shift', '--dry-run', '--json']);
      const p = JSON.parse(dry.stdout) as { files: { kind: string; why: string } };
      expect(p.files.kind).toBe('none');
      const moved = await lxcdeck(USER, ['idmap', 'set', mine, '--map', 'u 0 132768 32768', '--map', 'g 0 132768 32768', '--shift', '--dry-run', '--json']);
      const q = JSON.parse(moved.stdout) as { files: { kind: string; why: string } };
      expect(q.files).toEqual({ kind: 'reown', why: "unprivileged: the kernel allows an idmapped mount of the rootfs's filesystem only with CAP_SYS_ADMIN over its user namespace, so the files are re-owned" });
    } finally {
      await destroy(USER, [mine]);
    }
  }, 180_000);
});
