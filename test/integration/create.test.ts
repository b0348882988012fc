import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, destroy, hostUnavailable, lxcdeck, lxcInfoState, run, ROOT, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();
const WORK = `/tmp/ldt-create-${process.pid}`;
const PREFIX = uniqueName('');

/** The test's own containers in the lxcpath (other helpers' come and go) with each config's checksum. */
function ours(lxcpath: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.existsSync(lxcpath) ? fs.readdirSync(lxcpath) : []) {
    if (!e.startsWith(PREFIX)) continue;
    const conf = path.join(lxcpath, e, 'config');
    out[e] = fs.existsSync(conf) ? createHash('sha256').update(fs.readFileSync(conf)).digest('hex') : 'no config';
  }
  return out;
}

/** A loopback TCP port that was free a moment ago (listened on, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A busybox rootfs tarball with a ../evil entry, an absolute one and a device node. */
async function makeTarball(file: string, rootfs: string): Promise<void> {
  const py = `
import tarfile, io, sys
with tarfile.open(sys.argv[1], 'w:gz') as t:
    def f(ti):
        if ti.isdev(): return None
        # the ids as the container sees them (an unprivileged rootfs is shifted on disk)
        if ti.uid >= 100000: ti.uid -= 100000
        if ti.gid >= 100000: ti.gid -= 100000
        return ti
    t.add(sys.argv[2], arcname='.', filter=f)
    for name in ('../evil', '/abs-evil'):
        ti = tarfile.TarInfo(name); d = b'evil\\n'; ti.size = len(d); t.addfile(ti, io.BytesIO(d))
    ti = tarfile.TarInfo('./dev/evilnull'); ti.type = tarfile.CHRTYPE; ti.devmajor = 1; ti.devminor = 3; t.addfile(ti)
`;
  const r = await run(ROOT, ['python3', '-c', py, file, rootfs]);
  if (r.code !== 0) throw new Error(r.stderr);
  fs.chmodSync(file, 0o644);
}

describe.skipIf(skip).each([ROOT, USER])('lxcdeck create as $label', (runner: Runner) => {
  const tag = runner.unprivileged ? 'u' : 'r';
  const bb = uniqueName(`${tag}bb`);
  const tar = uniqueName(`${tag}tar`);
  const dir = uniqueName(`${tag}dir`);
  const cut = uniqueName(`${tag}cut`);
  const inpl = uniqueName(`${tag}inpl`);
  const names = [inpl, bb, tar, dir, cut];
  let lxcpath = '';
  const tarball = `${WORK}/${tag}-rootfs.tar.gz`;
  const big = `${WORK}/${tag}-big.tar`;

  beforeAll(async () => {
    fs.mkdirSync(WORK, { recursive: true });
    fs.chmodSync(WORK, 0o1777);
    await destroy(runner, names);
    const r = await lxcdeck(runner, ['create', bb, '--from', 'busybox', '--memory-max', '256M', '--pids-max', '200', '--group', 'ldt', '--start'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const info = JSON.parse((await lxcdeck(runner, ['info', bb, '--json'])).stdout) as { configFile: string; rootfs: string };
    lxcpath = path.dirname(path.dirname(info.configFile));
    await makeTarball(tarball, info.rootfs.replace(/^dir:/, ''));
  }, 180_000);

  afterAll(async () => {
    await destroy(runner, names);
    fs.rmSync(WORK, { recursive: true, force: true });
  });

  it('creates and starts busybox with the console buffer, limits and group in its config; lxc-ls and lxc-info agree', async () => {
    expect(await lxcInfoState(runner, bb)).toBe('RUNNING');
    const ls = await run(runner, ['lxc-ls', '-1', '--running']);
    expect(ls.stdout.split('\n')).toContain(bb);
    const config = fs.readFileSync(path.join(lxcpath, bb, 'config'), 'utf8');
    expect(config).toContain('lxc.console.buffer.size = 128kB');
    expect(config).toMatch(/lxc\.cgroup2?\.(memory\.limit_in_bytes|memory\.max) = 268435456/);
    expect(config).toContain('lxc.group = ldt');
    expect(fs.readdirSync(path.join(lxcpath, bb)).filter((f) => f.startsWith('lxcdeck-'))).toEqual([]);
    const mem = await run(runner, ['lxc-cgroup', '-n', bb, fs.existsSync('/sys/fs/cgroup/memory') ? 'memory.limit_in_bytes' : 'memory.max']);
    expect(mem.stdout.trim()).toBe('268435456');
  });

  it('creates from a tarball: ../evil, the absolute entry and (unprivileged) the device node are skipped with a message, nothing lands outside the rootfs', async () => {
    const r = await lxcdeck(runner, ['create', tar, '--from', `tar:${tarball}`, '--start'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('skipping ../evil from the tarball');
    expect(r.stderr).toContain('skipping /abs-evil from the tarball');
    if (runner.unprivileged) expect(r.stderr).toContain('skipping ./dev/evilnull from the tarball: device node');
    for (const p of [path.join(lxcpath, 'evil'), path.join(lxcpath, tar, 'evil'), path.join(WORK, 'evil'), '/abs-evil', path.join(lxcpath, tar, 'rootfs', 'abs-evil')]) expect(fs.existsSync(p), p).toBe(false);
    expect(fs.existsSync(path.join(lxcpath, tar, 'rootfs/dev/evilnull'))).toBe(!runner.unprivileged);
    expect(await lxcInfoState(runner, tar)).toBe('RUNNING');
    // ownership shifted into the container's map: root inside is the mapped root outside
    const st = fs.statSync(path.join(lxcpath, tar, 'rootfs/bin'));
    expect(st.uid).toBe(runner.unprivileged ? 100000 : 0);
    const inside = await run(runner, ['lxc-attach', '-n', tar, '--', 'stat', '-c', '%u', '/bin']);
    expect(inside.stdout.trim()).toBe('0');
  });

  it('creates from a directory and starts it', async () => {
    const src = `${WORK}/${tag}-dir`;
    const r0 = await run(runner, ['sh', '-c', `mkdir -p ${src} && tar -xzf ${tarball} -C ${src} --exclude=./dev/evilnull 2>/dev/null; true`]);
    expect(r0.code).toBe(0);
    const r = await lxcdeck(runner, ['create', dir, '--from', `dir:${src}`, '--start'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await lxcInfoState(runner, dir)).toBe('RUNNING');
    expect(fs.statSync(path.join(lxcpath, dir, 'rootfs/bin')).uid).toBe(runner.unprivileged ? 100000 : 0);
  });

  it('uses a directory in place with a warning: no copy, writes inside land in it, destroy keeps it', async () => {
    await run(runner, ['lxc-stop', '-k', '-n', dir]);
    const src = path.join(lxcpath, dir, 'rootfs');
    const before = fs.readdirSync(src).sort();
    const r = await lxcdeck(runner, ['create', inpl, '--from', `dir:${src}`, '--in-place', '--start'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`lxcdeck: warning: ${src} is used in place, not copied`);
    expect(fs.readFileSync(path.join(lxcpath, inpl, 'config'), 'utf8')).toContain(`lxc.rootfs.path = dir:${src}\n`);
    expect(fs.readdirSync(path.join(lxcpath, inpl)).sort()).toEqual(['config']);
    expect(await lxcInfoState(runner, inpl)).toBe('RUNNING');
    expect((await run(runner, ['lxc-attach', '-n', inpl, '--', 'sh', '-c', `echo ${inpl} > /in-place-mark`])).code).toBe(0);
    expect(fs.readFileSync(path.join(src, 'in-place-mark'), 'utf8')).toBe(`${inpl}\n`);
    await run(runner, ['lxc-stop', '-k', '-n', inpl]);
    const d = await lxcdeck(runner, ['destroy', inpl]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain(`its rootfs ${src} was used in place and is kept`);
    expect(fs.existsSync(path.join(lxcpath, inpl))).toBe(false);
    expect(fs.readdirSync(src).sort()).toEqual([...before, 'in-place-mark'].sort());
    // --in-place is for directories only, in one line, nothing made
    const bad = await lxcdeck(runner, ['create', cut, '--from', 'busybox', '--in-place']);
    expect(bad.stderr.trim()).toMatch(/^lxcdeck: --in-place is for a directory source, not the busybox template: use it with --from dir:PATH/);
    expect(fs.existsSync(path.join(lxcpath, cut))).toBe(false);
  }, 120_000);

  it.each([
    ['a name that is taken', () => ['create', bb], /already exists.*choose another name/],
    ['an invalid name', () => ['create', 'bad/name'], /invalid container name/],
    ['an unknown source', () => ['create', cut, '--from', 'floppy:1'], /unknown source "floppy".*use --from busybox/],
    ['an unknown Debian release', () => ['create', cut, '--from', 'debian:hamm'], /unknown Debian release "hamm"/],
    ['a tarball that is not one', () => ['create', cut, '--from', `tar:${BIN}`], /is not a tarball/],
    ['a missing tarball', () => ['create', cut, '--from', `tar:${WORK}/none.tar`], /cannot read .*none\.tar/],
    ['a limit with a bad unit', () => ['create', cut, '--memory-max', '12parsecs'], /invalid --memory-max "12parsecs".*512M/],
    ['an unknown idmap preset', () => ['create', cut, '--idmap', 'roomy'], /unknown preset "roomy"/],
  ])('refuses %s in one line and changes nothing', async (_what, argv, message) => {
    const before = ours(lxcpath);
    const r = await lxcdeck(runner, argv());
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(ours(lxcpath)).toEqual(before);
  });

  it('download: an image server that is not reachable is one line naming the sources that work here, and nothing is made', async () => {
    const before = ours(lxcpath);
    // a loopback port nothing listens on: refused at once, on any machine
    const port = await closedPort();
    const r = await run(runner, ['env', `LXCDECK_IMAGE_SERVER=127.0.0.1:${port}`, process.execPath, BIN, 'create', cut, '--from', 'download:debian/bookworm/amd64']);
    expect(r.code).not.toBe(0);
    const others = runner.unprivileged ? 'busybox, dir:PATH or tar:FILE' : 'busybox, debian, dir:PATH or tar:FILE';
    expect(r.stderr).toBe(`lxcdeck: the image server 127.0.0.1:${port} is not reachable (the connection is refused): use --from ${others} instead\n`);
    expect(ours(lxcpath)).toEqual(before);
    const bad = await run(runner, ['env', 'LXCDECK_IMAGE_SERVER=evil/path', process.execPath, BIN, 'create', cut, '--from', 'download:debian/bookworm/amd64']);
    expect(bad.stderr).toMatch(/^lxcdeck: invalid LXCDECK_IMAGE_SERVER "evil\/path": give a host name/);
  });

  it('a half-made container a killed create left (its marker names a dead owner) is removed by the next create of the name', async () => {
    // what kill -9 of a journal-less snapshot clone leaves: the directory, its marker, maybe a config
    const dir = path.join(lxcpath, cut);
    await run(runner, ['sh', '-c', `mkdir -m 770 ${dir} && echo '{"pid":999999999,"start":"1"}' > ${dir}/lxcdeck-creating && echo 'lxc.uts.name = x' > ${dir}/config`]);
    const r = await lxcdeck(runner, ['create', cut], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['config', 'rootfs']);
    expect(fs.readFileSync(path.join(dir, 'config'), 'utf8')).toContain(`lxc.rootfs.path = dir:${dir}/rootfs`);
    await destroy(runner, [cut]);
    // a live owner's is left alone
    await run(runner, ['sh', '-c', `mkdir -m 770 ${dir} && echo '{"pid":${process.pid},"start":"${fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19]}"}' > ${dir}/lxcdeck-creating`]);
    const busy = await lxcdeck(runner, ['create', cut]);
    expect(busy.stderr).toMatch(/is being created by process \d+: wait for it to finish/);
    expect(fs.readdirSync(dir)).toEqual(['lxcdeck-creating']);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('Ctrl-C half-way through unpacking removes the half-made container completely', async () => {
    // many small files, so the unpack takes long enough to be interrupted
    const gen = `mkdir -p ${WORK}/${tag}-many/rootfs && cd ${WORK}/${tag}-many/rootfs && tar -xzf ${tarball} --exclude=./dev/evilnull 2>/dev/null; for i in $(seq 1 40); do mkdir d$i; head -c 2000000 /dev/urandom > d$i/blob; done; tar -cf ${big} . && chmod 644 ${big}`;
    expect((await run(ROOT, ['sh', '-c', gen], { timeoutMs: 120_000 })).code).toBe(0);
    const before = ours(lxcpath);
    const child = spawn(runner.prefix[0] ?? process.execPath, [...runner.prefix.slice(1), ...(runner.prefix.length ? [process.execPath] : []), BIN, 'create', cut, '--from', `tar:${big}`, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let sent = false;
    const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (sent || !line.startsWith('{')) continue;
        const e = JSON.parse(line) as { type: string; bytes?: number; totalBytes?: number };
        if (e.type === 'progress' && e.bytes && e.totalBytes && e.bytes >= e.totalBytes / 2 && e.bytes < e.totalBytes) {
          sent = true;
          // as-user and setpriv exec: the child's pid is the CLI's own; SIGINT as from Ctrl-C
          if (child.pid) process.kill(child.pid, 'SIGINT');
        }
      }
    });
    const code = await done;
    expect(sent).toBe(true);
    expect(code).not.toBe(0);
    expect(out).toContain('"outcome":"rolled-back"');
    expect(fs.existsSync(path.join(lxcpath, cut))).toBe(false);
    expect(ours(lxcpath)).toEqual(before);
    expect((await run(runner, ['lxc-ls', '-1'])).stdout.split('\n')).not.toContain(cut);
    expect((await lxcdeck(runner, ['plan', 'ls'])).stdout).not.toContain(cut);
  }, 180_000);
});
