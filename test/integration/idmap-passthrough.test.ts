import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, eventually, hostUnavailable, lxcdeck, run, TEST_USER, uniqueName, USER } from './host.js';

/**
 * The classic reason for a pass-through: the test user's own uid and gid go
 * into the container unchanged (`idmap set --pass-through UID:GID --shift`),
 * so a bind-mounted host directory of theirs is writable inside as that uid,
 * and what it writes belongs to them on the host. Before, the same directory
 * shows as nobody inside and refuses the write.
 */
const skip = hostUnavailable();

describe.skipIf(skip)(`pass-through of ${TEST_USER}'s own uid`, () => {
  const name = uniqueName('ptb');
  let hostDir = '';
  let uid = 0;
  let gid = 0;
  const attachAs = (argv: string[]) => run(USER, ['lxc-attach', '-n', name, '-u', String(uid), '-g', String(gid), '--', ...argv]);
  const stop = () => run(USER, ['lxc-stop', '-k', '-n', name]);
  const start = async () => {
    const r = await lxcdeck(USER, ['start', name], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`start ${name}: ${r.stderr}`);
    await eventually(async () => ((await run(USER, ['lxc-attach', '-n', name, '--', 'true'])).code === 0 ? true : Promise.reject(new Error('not up'))));
  };

  beforeAll(async () => {
    const pw = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${TEST_USER}:`));
    if (!pw) throw new Error(`no user ${TEST_USER}: run scripts/prepare-host --test-user`);
    [uid, gid] = [Number(pw.split(':')[2]), Number(pw.split(':')[3])];
    hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-pt-'));
    fs.chownSync(hostDir, uid, gid);
    fs.chmodSync(hostDir, 0o700);
    await destroy(USER, [name]);
    await createBusybox(USER, name);
    const config = (await run(USER, ['sh', '-c', `echo "$(lxc-config lxc.lxcpath)/${name}/config"`])).stdout.trim();
    fs.appendFileSync(config, `lxc.mount.entry = ${hostDir} mnt/host none bind,create=dir 0 0\n`);
  }, 120_000);
  afterAll(async () => {
    await stop();
    const pending = JSON.parse((await lxcdeck(USER, ['plan', 'ls', '--json'])).stdout || '[]') as { id: string; title: string }[];
    for (const j of pending.filter((p) => p.title.includes(name))) await lxcdeck(USER, ['plan', 'forget', j.id]);
    await destroy(USER, [name]);
    const dir = `/home/${TEST_USER}/.local/share/lxc/${name}`;
    if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(hostDir, { recursive: true, force: true });
  });

  it('without it the directory is nobody\'s inside and refuses the write; with it the uid writes there and the host sees its own uid', async () => {
    await start();
    try {
      const ls = await attachAs(['stat', '-c', '%u:%g', '/mnt/host']);
      expect(ls.stdout.trim()).toBe('65534:65534');
      const denied = await attachAs(['touch', '/mnt/host/before']);
      expect(denied.code).not.toBe(0);
      expect(fs.existsSync(path.join(hostDir, 'before'))).toBe(false);
    } finally {
      await stop();
    }

    const set = await lxcdeck(USER, ['idmap', 'set', name, '--pass-through', `${uid}:${gid}`, '--shift'], { timeoutMs: 120_000 });
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const map = (await run(USER, ['lxc-info', '-n', name, '-c', 'lxc.idmap'])).stdout;
    // lxc-info prints the first value after the key, the others on lines of their own
    expect(map).toMatch(new RegExp(`^(lxc\\.idmap = )?u ${uid} ${uid} 1$`, 'm'));
    expect(map).toMatch(new RegExp(`^(lxc\\.idmap = )?g ${gid} ${gid} 1$`, 'm'));

    await start();
    try {
      const pid = (await run(USER, ['lxc-info', '-n', name, '-pH'])).stdout.trim();
      expect(fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8')).toMatch(new RegExp(`^\\s*${uid}\\s+${uid}\\s+1$`, 'm'));
      expect((await attachAs(['stat', '-c', '%u:%g', '/mnt/host'])).stdout.trim()).toBe(`${uid}:${gid}`);
      const made = await attachAs(['sh', '-c', 'echo hello > /mnt/host/made-inside']);
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);
      const st = fs.statSync(path.join(hostDir, 'made-inside'));
      expect([st.uid, st.gid]).toEqual([uid, gid]);
      expect(fs.readFileSync(path.join(hostDir, 'made-inside'), 'utf8')).toBe('hello\n');
      // root inside is still the range's, not the user: / is root's
      expect((await run(USER, ['lxc-attach', '-n', name, '--', 'stat', '-c', '%u', '/bin/busybox'])).stdout.trim()).toBe('0');
    } finally {
      await stop();
    }
  }, 240_000);
});
