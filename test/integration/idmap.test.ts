import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, hostUnavailable, lxcdeck, lxcInfoState, ROOT, run, TEST_USER, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();

interface Usage {
  user: string;
  uid: number;
  subuid: { ranges: string[]; total: number; used: number; free: number };
  subgid: { ranges: string[]; total: number; used: number; free: number };
  containers: { name: string; state: string; idmap: string[]; isolated: boolean; valid: boolean; uses: { entry: string; hostIds: string; inside: boolean; sharedWith: { name: string; ids: string }[] }[] }[];
}

/** The test user's first range in /etc/sub{u,g}id, read here independently of lxcdeck's parser. */
function firstRange(file: string): { start: number; count: number } {
  const uid = execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).trim();
  const line = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim().split(':'))
    .find((f) => f.length === 3 && (f[0] === TEST_USER || f[0] === uid));
  if (!line) throw new Error(`${TEST_USER} has no range in ${file}: run scripts/prepare-host --test-user`);
  return { start: Number(line[1]), count: Number(line[2]) };
}

const json = async <T>(r: Runner, args: string[]): Promise<T> => {
  const res = await lxcdeck(r, args);
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout) as T;
};

/** The container's lxc.idmap values as liblxc's own lxc-info prints them. */
async function lxcInfoIdmap(r: Runner, name: string): Promise<string[]> {
  const out = (await run(r, ['lxc-info', '-n', name, '-c', 'lxc.idmap'])).stdout;
  return out
    .split('\n')
    .map((l) => l.replace(/^lxc\.idmap =\s*/, '').trim())
    .filter(Boolean);
}

async function setIdmap(r: Runner, name: string, lines: string[]): Promise<void> {
  const config = (await json<{ configFile: string }>(r, ['info', name, '--json'])).configFile;
  // edited as the owner (a root sed -i would hand the file to root)
  const res = await run(r, ['sh', '-c', `sed -i '/^lxc.idmap/d' "$1" && printf '%s\\n' "$@" | tail -n +2 | sed 's/^/lxc.idmap = /' >> "$1"`, 'sh', config, ...lines]);
  expect(res.code).toBe(0);
  expect(await lxcInfoIdmap(r, name)).toEqual(lines);
}

describe.skipIf(skip)(`idmap show and check as unprivileged ${TEST_USER}`, () => {
  const a = uniqueName('ima');
  const b = uniqueName('imb');
  const uidRange = skip ? { start: 0, count: 0 } : firstRange('/etc/subuid');
  const gidRange = skip ? { start: 0, count: 0 } : firstRange('/etc/subgid');
  const span = (r: { start: number; count: number }) => `${r.start}-${r.start + r.count - 1}`;
  const uid = skip ? 0 : Number(execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8' }).trim());
  const gid = skip ? 0 : Number(execFileSync('id', ['-g', TEST_USER], { encoding: 'utf8' }).trim());

  beforeAll(async () => {
    await destroy(USER, [a, b]);
    await createBusybox(USER, a);
    await createBusybox(USER, b);
  });
  afterAll(async () => {
    // a test that failed half-way may leave a map lxc-destroy cannot use: put the default back first
    for (const n of [a, b]) {
      const conf = (await lxcdeck(USER, ['info', n, '--json'])).stdout;
      if (conf) await setIdmap(USER, n, [`u 0 ${uidRange.start} 65536`, `g 0 ${gidRange.start} 65536`]).catch(() => undefined);
    }
    await destroy(USER, [a, b]);
  });

  it("show --json: the user's ranges from /etc/subuid, each map as liblxc reads it, the two containers sharing one range", async () => {
    const u = await json<Usage>(USER, ['idmap', 'show', '--json']);
    expect(u.user).toBe(TEST_USER);
    expect(u.uid).toBe(uid);
    expect(u.subuid.ranges).toContain(span(uidRange));
    expect(u.subgid.ranges).toContain(span(gidRange));
    const mine = u.containers.filter((c) => c.name === a || c.name === b);
    expect(mine.map((c) => c.name)).toEqual([a, b]);
    for (const c of mine) {
      expect(c.idmap).toEqual(await lxcInfoIdmap(USER, c.name));
      expect(c.idmap.length).toBeGreaterThan(0);
      expect(c.state).toBe(await lxcInfoState(USER, c.name));
      expect(c.valid).toBe(true);
      expect(c.isolated).toBe(false);
      const other = c.name === a ? b : a;
      for (const use of c.uses) expect(use.sharedWith.map((s) => s.name)).toContain(other);
    }
    // the default map takes the whole first range: nothing of it is free
    if (uidRange.count === 65536 && u.subuid.ranges.length === 1) expect(u.subuid).toMatchObject({ total: 65536, used: 65536, free: 0 });
  });

  it('usage: the id space in slices, the one both containers map flagged SHARED', async () => {
    const u = await json<{ subuid: { slices: { ids: string; start: number; count: number; containers: string[] }[] } }>(USER, ['idmap', 'usage', '--json']);
    const first = u.subuid.slices.find((s) => s.start === uidRange.start);
    expect(first?.containers).toEqual(expect.arrayContaining([a, b]));
    expect(u.subuid.slices.reduce((n, s) => n + s.count, 0)).toBeGreaterThanOrEqual(uidRange.count);
    const text = (await lxcdeck(USER, ['idmap', 'usage'])).stdout;
    const row = text.split('\n').find((l) => l.startsWith(first?.ids ?? '?'));
    expect(row).toMatch(new RegExp(`${a}.*${b}.*SHARED|${b}.*${a}.*SHARED`));
  });

  it('check NAME: valid with a sharing warning per kind naming the other container; exit 0', async () => {
    const r = await lxcdeck(USER, ['idmap', 'check', a]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.includes(`with container ${b} `))).toEqual([
      `warning: u 0 ${uidRange.start} 65536 shares host uids ${span({ start: uidRange.start, count: 65536 })} with container ${b} (not isolated: root in one owns the other's files): give one of them host ids no other container maps (free ids: 'lxcdeck idmap show')`,
      `warning: g 0 ${gidRange.start} 65536 shares host gids ${span({ start: gidRange.start, count: 65536 })} with container ${b} (not isolated: root in one owns the other's files): give one of them host ids no other container maps (free ids: 'lxcdeck idmap show')`,
    ]);
    expect(lines.at(-1)).toMatch(new RegExp(`^${a}: valid, \\d+ warnings$`));
    // doctor names the pair, as a warning: the host itself is fine
    const doc = await json<{ checks: { id: string; status: string; detail: string }[] }>(USER, ['doctor', '--json']);
    const isolated = doc.checks.find((c) => c.id === 'idmap-isolated');
    expect(isolated?.status).toBe('warn');
    const groups = (isolated?.detail ?? '').replace(/^.*files: /, '').split('; ').map((g) => g.split(', '));
    expect(groups.filter((g) => g.includes(a) && g.includes(b))).toHaveLength(1);
  });

  it('set --dry-run --preset isolated: the next free slice, or (ranges full) one line saying what to add; nothing changes', async () => {
    const config = (await json<{ configFile: string }>(USER, ['info', a, '--json'])).configFile;
    const before = fs.readFileSync(config, 'utf8');
    const r = await lxcdeck(USER, ['idmap', 'set', a, '--preset', 'isolated', '--dry-run', '--json']);
    if (uidRange.count >= 2 * 65536 && gidRange.count >= 2 * 65536) {
      expect(r.code).toBe(0);
      const p = JSON.parse(r.stdout) as { new: string[]; shift: { changes: string[] }; rootfs: { owner: { uid: number }; matchesOldMap: boolean } };
      expect(p.new).toEqual([`u 0 ${uidRange.start + 65536} 65536`, `g 0 ${gidRange.start + 65536} 65536`]);
      expect(p.shift.changes[0]).toBe(`uids ${span({ start: uidRange.start, count: 65536 })} -> ${span({ start: uidRange.start + 65536, count: 65536 })}`);
      expect(p.rootfs).toMatchObject({ owner: { uid: uidRange.start }, matchesOldMap: true });
    } else {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(`^lxcdeck: no isolated uid range free: your /etc/subuid ranges \\(${span(uidRange)}\\) have no 65536 uids left that no other container uses: add 65536 ids to /etc/subuid: sudo usermod --add-subuids \\d+-\\d+ ${TEST_USER}\n$`),
      );
    }
    // applying a map outside the user's ranges refuses with one line and the config is untouched
    const apply = await lxcdeck(USER, ['idmap', 'set', a, '--map', 'u 0 5 65536', '--map', 'g 0 5 65536', '--shift']);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toMatch(new RegExp(`^lxcdeck: the new map of ${a} is invalid: [^\n]+\n$`));
    expect(fs.readFileSync(config, 'utf8')).toBe(before);
  });

  it('set --dry-run --pass-through: the split map, the config keys, the one id the shift moves, the rootfs owner checked on disk', async () => {
    const r = await lxcdeck(USER, ['idmap', 'set', a, '--pass-through', `${uid}:${gid}`, '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rootfs = (await json<{ rootfs: string }>(USER, ['info', a, '--json'])).rootfs.replace(/^dir:/, '');
    const st = fs.statSync(rootfs);
    expect(r.stdout).toContain(`rootfs      ${rootfs} owned by ${st.uid}:${st.gid} (the old map's root)`);
    expect(r.stdout).toContain(`            lxc.idmap = u ${uid} ${uid} 1\n`);
    expect(r.stdout).toContain(`shift       uids ${uidRange.start + uid} -> ${uid}\n            gids ${gidRange.start + gid} -> ${gid}\n`);
    expect(r.stdout).toContain('note: without --shift');
  });

  it('set --dry-run counts what the shift would touch, listed the way the walker sees the tree (compared with a listing made as root)', async () => {
    const rootfs = (await json<{ rootfs: string }>(USER, ['info', a, '--json'])).rootfs.replace(/^dir:/, '');
    // a setuid file, a file of a foreign owner and a hard link, made as root on disk
    const setuid = path.join(rootfs, 'ldt-setuid');
    const foreign = path.join(rootfs, 'ldt-foreign');
    fs.writeFileSync(setuid, '');
    fs.chownSync(setuid, uidRange.start + 5, gidRange.start + 5);
    fs.chmodSync(setuid, 0o4755);
    fs.writeFileSync(foreign, '');
    fs.chownSync(foreign, 5000, 5000);
    fs.linkSync(setuid, path.join(rootfs, 'ldt-link'));
    // a directory only container root may read (like /root): the test user itself cannot list it
    const priv = path.join(rootfs, 'ldt-private');
    fs.mkdirSync(priv, { mode: 0o700 });
    fs.writeFileSync(path.join(priv, 'f'), '');
    for (const f of [priv, path.join(priv, 'f')]) fs.chownSync(f, uidRange.start, gidRange.start);
    expect((await run(USER, ['ls', priv])).code).not.toBe(0);
    try {
      const inodes = new Set(execFileSync('find', [rootfs, '-xdev', '-printf', '%i\\n'], { encoding: 'utf8' }).trim().split('\n')).size;
      // every gid moves by one: a valid map inside the range whose shift touches every inode of the old range
      const r = await lxcdeck(USER, ['idmap', 'set', a, '--map', `u 0 ${uidRange.start} 65536`, '--map', `g 0 ${gidRange.start + 1} 65535`, '--dry-run', '--json']);
      expect(r.stderr).toBe('');
      const p = JSON.parse(r.stdout) as { valid: boolean; scan: { summary: Record<string, number>; problem: string | null } };
      expect(p.valid).toBe(true);
      expect(p.scan.problem).toBeNull();
      expect(p.scan.summary).toEqual({ inodes, changing: inodes - 1, setid: 1, outside: 1, unmapped: 0, unreadable: 0 });
    } finally {
      for (const f of [setuid, foreign, path.join(rootfs, 'ldt-link'), priv]) fs.rmSync(f, { force: true, recursive: true });
    }
  });

  it('a map outside the ranges: check exits 1 naming the entry and the fix, and lxc-start really refuses it', async () => {
    const outside = uidRange.start + uidRange.count + 1_000_000;
    await setIdmap(USER, b, [`u 0 ${outside} 65536`, `g 0 ${gidRange.start} 65536`]);
    const r = await lxcdeck(USER, ['idmap', 'check', b]);
    expect(r.code).toBe(1);
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('error'));
    expect(errors).toEqual([
      `error: u 0 ${outside} 65536: host uids ${outside}-${outside + 65535} are outside your /etc/subuid ranges (${span(uidRange)}): map inside them, e.g. 'u 0 ${uidRange.start} 65536', or add the ids: sudo usermod --add-subuids ${outside}-${outside + 65535} ${TEST_USER}`,
    ]);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^${b}: 1 error`));
    const checked = JSON.parse((await lxcdeck(USER, ['idmap', 'check', b, '--json'])).stdout) as { valid: boolean; errors: number; findings: { rule: string; entry: string }[] };
    expect(checked).toMatchObject({ valid: false, errors: 1 });
    expect(checked.findings.find((f) => f.rule === 'outside')?.entry).toBe(`u 0 ${outside} 65536`);
    const all = await lxcdeck(USER, ['idmap', 'check', '--all']);
    expect(all.code).toBe(1);
    expect(all.stdout).toContain(`error ${b}: u 0 ${outside} 65536: host uids`);
    expect(all.stdout.split('\n').filter((l) => new RegExp(`^${b}: 1 error(, \\d+ warnings?)?$`).test(l))).toHaveLength(1);
    // the real judge: newuidmap refuses the same range
    const log = `/tmp/${b}.log`;
    try {
      await run(USER, ['lxc-start', '-n', b, '-l', 'ERROR', '-o', log]);
      expect(await lxcInfoState(USER, b)).toBe('STOPPED');
      // newuidmap names the refused range: its first id, or the whole entry (it depends on what else the map holds)
      expect(fs.readFileSync(log, 'utf8')).toMatch(new RegExp(`newuidmap: uid range \\[0-(1|65536)\\) -> \\[${outside}-(${outside + 1}|${outside + 65536})\\) not allowed`));
    } finally {
      fs.rmSync(log, { force: true });
    }
    // and show flags it too
    const u = await json<Usage>(USER, ['idmap', 'show', b, '--json']);
    expect(u.containers.map((c) => [c.name, c.valid, c.uses[0]?.inside])).toEqual([[b, false, false]]);
  });

  it("the user's own uid and gid passed through (no subuid line needed): valid, and the started container's uid_map is that split map", async () => {
    const split = (k: 'u' | 'g', id: number, start: number) => [`${k} 0 ${start} ${id}`, `${k} ${id} ${id} 1`, `${k} ${id + 1} ${start + id + 1} ${65536 - id - 1}`];
    const map = [...split('u', uid, uidRange.start), ...split('g', gid, gidRange.start)];
    await setIdmap(USER, b, map);
    const r = await lxcdeck(USER, ['idmap', 'check', b]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
    expect(r.code).toBe(0);
    const show = await json<Usage>(USER, ['idmap', 'show', b, '--json']);
    expect(show.containers[0]?.uses.find((e) => e.entry === `u ${uid} ${uid} 1`)).toMatchObject({ hostIds: String(uid), inside: true });
    expect((await lxcdeck(USER, ['start', b])).code).toBe(0);
    try {
      const running = await lxcdeck(USER, ['idmap', 'set', b, '--preset', 'standard', '--dry-run']);
      expect(running.code).toBe(4);
      expect(running.stdout.trim().split('\n').at(-1)).toBe(`blocked: ${b} is RUNNING: stop it first with 'lxcdeck stop ${b}'`);
      const pid = Number((await run(USER, ['lxc-info', '-pH', '-n', b])).stdout.trim());
      const rows = (file: string) => fs.readFileSync(`/proc/${pid}/${file}`, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
      expect(rows('uid_map')).toEqual(map.slice(0, 3).map((l) => l.slice(2)));
      expect(rows('gid_map')).toEqual(map.slice(3).map((l) => l.slice(2)));
    } finally {
      await run(USER, ['lxc-stop', '-k', '-n', b]);
    }
  });

  it("doctor: a map whose root is not the rootfs owner on disk is a forgotten shift; a map outside the ranges is named", async () => {
    const rootfs = (await json<{ rootfs: string }>(USER, ['info', a, '--json'])).rootfs.replace(/^dir:/, '');
    const st = fs.statSync(rootfs);
    await setIdmap(USER, a, [`u 0 ${uidRange.start + 1} 65535`, `g 0 ${gidRange.start + 1} 65535`]);
    await setIdmap(USER, b, [`u 0 ${uidRange.start + uidRange.count} 65536`, `g 0 ${gidRange.start} 65536`]);
    try {
      const r = await lxcdeck(USER, ['doctor']);
      const line = r.stdout.split('\n').find((l) => l.startsWith("WARN rootfs owners: rootfs not owned by the map's root (a shift forgotten after the map changed): "));
      expect(line).toContain(`${a} (rootfs ${st.uid}:${st.gid}, map root ${uidRange.start + 1}:${gidRange.start + 1})`);
      expect(line).toMatch(/ — fix: map container root of \S+ to \d+:\d+ again, or re-own its rootfs to the current map$/);
      expect(r.stdout).toMatch(new RegExp(`^WARN container idmaps: \\d+ errors? in the maps of (.*, )?${b}(,|;)`, 'm'));
      expect(r.code).toBe(0);
    } finally {
      // lxc-destroy needs a map the user may use
      for (const n of [a, b]) await setIdmap(USER, n, [`u 0 ${uidRange.start} 65536`, `g 0 ${gidRange.start} 65536`]);
    }
  });

  it('bad input: unknown container, invalid name, name and --all together — one line each, distinct exit', async () => {
    const unknown = await lxcdeck(USER, ['idmap', 'check', 'ldt-no-such-container']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/^lxcdeck: container ldt-no-such-container is not defined in .*: see 'lxcdeck ls', or pass --lxcpath\n$/);
    const invalid = await lxcdeck(USER, ['idmap', 'show', '../etc']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const both = await lxcdeck(USER, ['idmap', 'check', a, '--all']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("lxcdeck: idmap check takes a name or --all, not both: run 'lxcdeck idmap check NAME' or 'lxcdeck idmap check --all'\n");
  });
});

describe.skipIf(skip)('idmap check as root', () => {
  const r = uniqueName('imr');
  beforeAll(async () => {
    await destroy(ROOT, [r]);
    await createBusybox(ROOT, r);
  });
  afterAll(async () => {
    await destroy(ROOT, [r]);
  });

  it('a privileged container (no map) is valid; root may map host ids outside every subuid range', async () => {
    expect(await lxcInfoIdmap(ROOT, r)).toEqual([]);
    const plain = await lxcdeck(ROOT, ['idmap', 'check', r]);
    expect(plain.stdout.trim()).toBe(`${r}: valid`);
    expect(plain.code).toBe(0);
    expect((await lxcdeck(ROOT, ['idmap', 'show', r])).stdout).toContain('no idmap (a privileged container)');
    await setIdmap(ROOT, r, ['u 0 3000000 65536', 'g 0 3000000 65536']);
    const mapped = await json<{ valid: boolean; isolated: boolean; findings: unknown[] }>(ROOT, ['idmap', 'check', r, '--json']);
    expect(mapped).toMatchObject({ valid: true, findings: [] });
    // a broken map still fails for root: container root unmapped, u without g
    await setIdmap(ROOT, r, ['u 1 3000000 65536']);
    const broken = await lxcdeck(ROOT, ['idmap', 'check', r]);
    expect(broken.code).toBe(1);
    expect(broken.stdout.split('\n').filter((l) => l.startsWith('error')).map((l) => l.split(':')[1]?.trim())).toEqual(['no u entry maps container uid 0 (root)', 'u entries but no g entry']);
  });

  it('a config liblxc cannot load: check names it (exit 1), show still lists the rest, set refuses; nothing changed', async () => {
    // in an lxcpath of its own: other tests listing root's containers must not meet the broken one
    const lxcpath = fs.mkdtempSync('/tmp/ldt-idmap-');
    const P = ['-P', lxcpath];
    try {
      for (const n of ['bad', 'good']) expect((await run(ROOT, ['lxc-create', ...P, '-t', 'busybox', '-n', n], { timeoutMs: 120_000 })).code).toBe(0);
      const config = path.join(lxcpath, 'bad', 'config');
      fs.appendFileSync(config, 'lxc.idmap = u 0 x 1\n');
      const broken = fs.readFileSync(config, 'utf8');
      const check = await lxcdeck(ROOT, [...P, 'idmap', 'check', 'bad']);
      expect(check.code).toBe(1);
      expect(check.stdout.trim().split('\n')).toEqual([`error: liblxc cannot load the config of bad: fix the line liblxc names ('lxc-info -n bad' shows it)`, 'bad: 1 error']);
      const show = await lxcdeck(ROOT, [...P, 'idmap', 'show', '--json']);
      expect(show.code).toBe(0);
      expect((JSON.parse(show.stdout) as Usage).containers.map((c) => [c.name, c.valid])).toEqual([
        ['bad', false],
        ['good', true],
      ]);
      const set = await lxcdeck(ROOT, [...P, 'idmap', 'set', 'bad', '--preset', 'standard', '--dry-run']);
      expect(set.code).toBe(7);
      expect(set.stderr.trim().split('\n').at(-1)).toBe("lxcdeck: liblxc cannot load the config of bad: fix the line liblxc names ('lxc-info -n bad' shows it)");
      expect(fs.readFileSync(config, 'utf8')).toBe(broken);
    } finally {
      fs.rmSync(lxcpath, { recursive: true, force: true });
    }
  });
});
