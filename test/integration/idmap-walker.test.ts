import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostUnavailable, REPO, TEST_USER } from './host.js';

/**
 * native/lxcdeck-shift on crafted trees, as root and inside the test user's
 * user namespace: owners, setuid/setgid, ACLs and v3 capabilities shifted;
 * a re-run changes nothing; the inverse walk restores the tree byte for byte;
 * a walk killed with -9 half-way finishes on resume and rolls back cleanly.
 */
const skip = hostUnavailable();
const SHIFT = path.join(REPO, 'native', 'build', 'lxcdeck-shift');
const META = path.join(REPO, 'scripts', 'tree-meta');
const BASE = `/tmp/ldt-walker-${process.pid}`;

const meta = (dir: string) => execFileSync(META, [dir], { encoding: 'utf8' });
const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });

/** setuid busybox, a hard link, a symlink, ACLs (access + default), a v3 capability with rootid OLD, n plain files. */
function makeTree(dir: string, old: number, n = 0): void {
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'data'));
  fs.copyFileSync('/bin/busybox', path.join(dir, 'bin/busybox'));
  fs.copyFileSync('/bin/true', path.join(dir, 'bin/ping'));
  fs.writeFileSync(path.join(dir, 'data/f'), 'x');
  fs.linkSync(path.join(dir, 'data/f'), path.join(dir, 'bin/hl'));
  fs.symlinkSync('../data/f', path.join(dir, 'bin/sl'));
  for (let i = 0; i < n; i++) {
    const d = path.join(dir, 'many', String(i % 50));
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `f${i}`), '');
    if (i % 997 === 0) fs.chmodSync(path.join(d, `f${i}`), 0o4755);
  }
  sh(`chown -R -h ${old}:${old} '${dir}' && chown ${old + 3}:${old + 4} '${dir}/data'`);
  fs.chmodSync(path.join(dir, 'bin/busybox'), 0o4755);
  fs.chmodSync(path.join(dir, 'data'), 0o2775);
  sh(`setfacl -m u:${old + 5}:rwx,g:${old + 7}:r '${dir}/data/f' && setfacl -d -m u:${old + 9}:rx '${dir}/data'`);
  // v3 security.capability (cap_net_raw, effective) whose rootid is the container's root
  sh(`python3 -c "import os,struct; os.setxattr('${dir}/bin/ping','security.capability',struct.pack('<6I',0x03000001,1<<13,0,0,0,${old}))"`);
}

interface Walk { code: number | null; signal: NodeJS.Signals | null; lines: { type: string; done: number; total: number }[] }

/** Runs the walker (optionally as the test user in a namespace); killAt: kill -9 once done >= killAt * total. */
function walk(argv: string[], opts: { user?: boolean; killAt?: number } = {}): Promise<Walk> {
  // one quoted string: su would take a '--' of the walker's argv as its own
  const cmd = opts.user ? ['su', TEST_USER, '-s', '/bin/sh', '-c', `exec ${argv.map((a) => `'${a}'`).join(' ')}`] : argv;
  const child = spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Walk['lines'] = [];
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    const e = JSON.parse(l) as Walk['lines'][number];
    lines.push(e);
    if (opts.killAt !== undefined && e.type === 'progress' && e.total > 0 && e.done >= opts.killAt * e.total) killWalker(child.pid as number);
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, lines })));
}

/** kill -9 of the lxcdeck-shift process below pid (pid itself when it is the walker). */
function killWalker(pid: number): void {
  const comm = (p: number) => fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim();
  const children = (p: number): number[] =>
    fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop() as number;
    try {
      if (comm(p) === 'lxcdeck-shift') {
        process.kill(p, 'SIGKILL');
        return;
      }
      stack.push(...children(p));
    } catch {
      // gone already
    }
  }
}

describe.skipIf(skip)('lxcdeck-shift, the rootfs walker', () => {
  beforeAll(() => {
    fs.rmSync(BASE, { recursive: true, force: true });
    fs.mkdirSync(BASE, { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(BASE, { recursive: true, force: true }));

  it('as root: owners, setuid/setgid, ACL entries and the v3 capability rootid move to the new range; a re-run changes nothing; the inverse restores every byte', async () => {
    const dir = path.join(BASE, 'root');
    makeTree(dir, 100000);
    const before = meta(dir);
    const r = await walk([SHIFT, dir, 'b:100000:300000:65536']);
    expect(r.code).toBe(0);
    const after = meta(dir);
    expect(after).toContain('bin/busybox 300000 300000 0o104755');
    expect(after).toContain('data 300003 300004 0o42775');
    expect(execFileSync('getfacl', ['-n', '-c', path.join(dir, 'data/f')], { encoding: 'utf8' })).toMatch(/user:300005:rwx[\s\S]*group:300007:r--/);
    expect(execFileSync('getfacl', ['-n', '-c', path.join(dir, 'data')], { encoding: 'utf8' })).toContain('default:user:300009:r-x');
    expect(execFileSync('getcap', ['-n', path.join(dir, 'bin/ping')], { encoding: 'utf8' })).toMatch(/cap_net_raw=ep \[rootid=300000\]/);
    expect(after).not.toMatch(/ 1000\d\d /);
    const again = await walk([SHIFT, dir, 'b:100000:300000:65536']);
    expect(again.lines.at(-1)).toMatchObject({ type: 'done', changed: 0 });
    expect(meta(dir)).toBe(after);
    expect((await walk([SHIFT, dir, 'b:300000:100000:65536'])).code).toBe(0);
    expect(meta(dir)).toBe(before);
  });

  it('refuses segments whose old and new ranges overlap (the resume invariant would not hold), changing nothing', async () => {
    const dir = path.join(BASE, 'overlap');
    makeTree(dir, 100000);
    const before = meta(dir);
    const r = await walk([SHIFT, dir, 'b:100000:150000:65536']);
    expect(r.code).toBe(2);
    expect(meta(dir)).toBe(before);
  });

  it('kill -9 at ~50 %: the same walk again (resume) gives the tree of an uninterrupted walk; the inverse (rollback) gives the original', async () => {
    const dir = path.join(BASE, 'kill');
    const ref = path.join(BASE, 'kill-ref');
    makeTree(dir, 100000, 6000);
    makeTree(ref, 100000, 6000);
    const before = meta(dir);
    await walk([SHIFT, ref, 'b:100000:300000:65536']);
    const journal = path.join(BASE, 'kill.journal');
    const killed = await walk([SHIFT, '--journal', journal, '--throttle-us', '200', dir, 'b:100000:300000:65536'], { killAt: 0.5 });
    expect(killed.signal).toBe('SIGKILL');
    const half = meta(dir);
    expect(half).toMatch(/ 300000 300000 /);
    expect(half).toMatch(/ 100000 100000 /);
    // resume on a copy, rollback on the original
    const copy = path.join(BASE, 'kill-copy');
    sh(`cp -a '${dir}' '${copy}' && cp '${journal}' '${journal}.copy'`);
    expect((await walk([SHIFT, '--journal', `${journal}.copy`, copy, 'b:100000:300000:65536'])).code).toBe(0);
    expect(meta(copy).replaceAll(copy, '')).toBe(meta(ref).replaceAll(ref, ''));
    expect(fs.existsSync(`${journal}.copy`)).toBe(false);
    expect((await walk([SHIFT, '--journal', journal, dir, 'b:300000:100000:65536'])).code).toBe(0);
    expect(meta(dir)).toBe(before);
  });

  it(`as ${TEST_USER} inside a user namespace over its own range (lxc-usernsexec): the same shift, capability and ACLs included`, async () => {
    const dir = path.join(BASE, 'user');
    const line = fs.readFileSync('/etc/subuid', 'utf8').split('\n').find((l) => l.startsWith(`${TEST_USER}:`));
    if (!line) throw new Error(`${TEST_USER} has no /etc/subuid range: run scripts/prepare-host --test-user`);
    const start = Number(line.split(':')[1]);
    makeTree(dir, start);
    const before = meta(dir);
    const ns = ['lxc-usernsexec', '-m', `b:0:${start}:65536`, '--', SHIFT, '--ns'];
    const r = await walk([...ns, dir, 'b:0:32768:32768'], { user: true });
    expect(r.code).toBe(0);
    const n = start + 32768;
    const after = meta(dir);
    expect(after).toContain(`bin/busybox ${n} ${n} 0o104755`);
    expect(execFileSync('getfacl', ['-n', '-c', path.join(dir, 'data/f')], { encoding: 'utf8' })).toContain(`user:${n + 5}:rwx`);
    expect(execFileSync('getcap', ['-n', path.join(dir, 'bin/ping')], { encoding: 'utf8' })).toContain(`[rootid=${n}]`);
    expect((await walk([...ns, dir, 'b:32768:0:32768'], { user: true })).code).toBe(0);
    expect(meta(dir)).toBe(before);
  });
});
