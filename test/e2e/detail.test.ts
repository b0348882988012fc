import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, hostUnavailable, run, ROOT, uniqueName, USER } from '../integration/host.js';
import { formatBytes } from '../../src/presentation/format.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();

/** The detail view's extras (#14, #13, #12) and the TUI's clone and limits on real containers in a private lxcpath. */
describe.skipIf(skip)('detail view: limit lines, snapshots, networks, idmap; O clones', () => {
  let lxcpath = '';
  const src = uniqueName('dsrc');
  const lim = uniqueName('dlim');
  const copy = uniqueName('dcp');
  const overlay = uniqueName('dov');
  // each TUI its own settings: a filter one test leaves is not restored into the next
  const fresh = () => ({ XDG_CONFIG_HOME: fs.mkdtempSync(path.join(lxcpath, '.cfg-')) });
  const lxc = (argv: string[]) => run(ROOT, [argv[0] as string, '-P', lxcpath, ...argv.slice(1)], { timeoutMs: 120_000 });

  beforeAll(async () => {
    lxcpath = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-detail-'));
    for (const n of [src, lim]) {
      const r = await lxc(['lxc-create', '-t', 'busybox', '-n', n]);
      if (r.code !== 0) throw new Error(`lxc-create ${n}: ${r.stderr}`);
    }
    const comment = path.join(lxcpath, 'comment');
    fs.writeFileSync(comment, 'before the e2e test');
    const s = await lxc(['lxc-snapshot', '-n', src, '-c', comment]);
    if (s.code !== 0) throw new Error(`lxc-snapshot: ${s.stderr}`);
    const st = await lxc(['lxc-start', '-n', lim]);
    if (st.code !== 0) throw new Error(`lxc-start: ${st.stderr}`);
  }, 240_000);

  afterAll(async () => {
    for (const n of [overlay, copy, lim, src]) {
      await lxc(['lxc-stop', '-k', '-n', n]);
      await lxc(['lxc-destroy', '-f', '-s', '-n', n]);
    }
    fs.rmSync(lxcpath, { recursive: true, force: true });
  }, 120_000);

  it('shows the snapshots (name, date, comment), the lxc.net.0 link and the idmap row; a new snapshot appears without a restart', async () => {
    const t = new Tui(ROOT, ['-P', lxcpath], { cols: 160, rows: 60, env: fresh() });
    try {
      await t.waitFor(lim);
      await t.filterTo(src, lim);
      t.type(KEY.enter);
      await t.waitFor(/snapshots\s+1, newest first/);
      const today = new Date().toISOString().slice(0, 10);
      const screen = await t.waitFor(new RegExp(`snap0 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} before`));
      expect(screen).toMatch(new RegExp(`snap0 (${today}|\\d{4}-\\d{2}-\\d{2})`));
      const link = (fs.readFileSync(path.join(lxcpath, src, 'config'), 'utf8').match(/^lxc\.net\.0\.link\s*=\s*(\S+)/m) ?? [])[1];
      expect(link, 'the busybox container has a lxc.net.0 link (from default.conf)').toBeTruthy();
      expect(screen).toMatch(new RegExp(`net\\.0\\s+veth ${link}`));
      // root's busybox container has no map
      expect(screen).toMatch(/idmap\s+none \(privileged\)/);
      // the cache reads again within seconds, not per tick: a snapshot taken outside shows up
      expect((await lxc(['lxc-snapshot', '-n', src])).code).toBe(0);
      await t.waitFor(/snapshots\s+2, newest first/, 20_000);
      const after = t.text();
      expect(after.indexOf('snap1 ')).toBeGreaterThan(-1);
      expect(after.indexOf('snap1 ')).toBeLessThan(after.indexOf('snap0 '));
    } finally {
      await t.close();
    }
  }, 90_000);

  it('l sets a memory and a pids limit: the memory and pids charts draw each limit as a labelled line', async () => {
    const t = new Tui(ROOT, ['-P', lxcpath], { cols: 160, rows: 60, env: fresh() });
    try {
      await t.waitFor(src);
      await t.filterTo(lim, src);
      t.type(KEY.enter);
      await t.waitFor(/pids/);
      // a memory limit close above what the container uses (1.5 times, at least 2 MiB): the y axis takes it in
      const v1 = fs.existsSync('/sys/fs/cgroup/memory');
      const used = Number((await lxc(['lxc-cgroup', '-n', lim, v1 ? 'memory.usage_in_bytes' : 'memory.current'])).stdout.trim());
      expect(used).toBeGreaterThan(0);
      const mib = Math.max(2, Math.ceil((1.5 * used) / 2 ** 20));
      const label = `limit ${formatBytes(mib * 2 ** 20)}`;
      expect(t.text()).not.toContain(label);
      expect(t.text()).not.toMatch(/max 8 /);
      t.type('l');
      await t.waitFor(`limits of ${lim}`);
      t.type(`${mib}M\t8${KEY.enter}`);
      await t.waitFor(/pids\.max = 8 on the running/);
      t.type(KEY.enter);
      await t.waitFor(/done — Enter or Esc closes \(took \d+ s\)/, 30_000);
      t.type(KEY.escape);
      expect((await lxc(['lxc-cgroup', '-n', lim, v1 ? 'memory.limit_in_bytes' : 'memory.max'])).stdout.trim()).toBe(String(mib * 2 ** 20));
      // the sampler re-reads limits every few samples: the line and its label follow within seconds;
      // the label sits on the line, dashes (braille cells) follow it
      const lineAfter = (text: string) => new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ?[\u2801-\u28ff]`);
      await t.waitFor(lineAfter(label), 30_000);
      // pids: a handful of processes under a limit of 8 is close too
      const screen = await t.waitFor(lineAfter('max 8'), 30_000);
      expect(screen).toMatch(/pids\s+\d+ \/ 8/);
      expect(screen).not.toContain(`↑ ${label}`);
    } finally {
      await t.close();
    }
  }, 90_000);

  it('O clones: a copy, then an overlay snapshot clone, each previewed as the plan and applied (the result says how long it took), in the list and seen by lxc-info', async () => {
    const t = new Tui(ROOT, ['-P', lxcpath], { cols: 160, rows: 60, env: fresh() });
    try {
      await t.waitFor(lim);
      await t.filterTo(src, lim);
      t.type('O');
      await t.waitFor(`clone ${src}`);
      // the name starts as <src>-copy: replace it
      for (let i = 0; i < 70; i++) t.type('\x7f');
      t.type(`${copy}${KEY.enter}`);
      await t.waitFor(new RegExp(`Create ${copy} from a copy of ${src}`), 30_000);
      t.type(KEY.enter);
      await t.waitFor(/done — Enter or Esc closes \(took/, 60_000);
      t.type(KEY.escape);
      expect((await lxc(['lxc-info', '-sH', '-n', copy])).stdout.trim()).toBe('STOPPED');
      t.type('/\x15');
      t.type(`${KEY.enter}`);
      await t.waitFor(copy);
      // the overlay kind: Tab to it, → to change it
      await t.filterTo(src, lim);
      t.type('O');
      await t.waitFor(`clone ${src}`);
      for (let i = 0; i < 70; i++) t.type('\x7f');
      t.type(`${overlay}\t${KEY.right}${KEY.enter}`);
      await t.waitFor(new RegExp(`Create ${overlay} from an overlay snapshot clone of ${src}`), 30_000);
      t.type(KEY.enter);
      await t.waitFor(/done — Enter or Esc closes \(took/, 60_000);
      t.type(KEY.escape);
      t.type('/\x15');
      t.type(`${KEY.enter}`);
      await t.waitFor((s) => s.includes(copy) && s.includes(overlay));
      expect((await lxc(['lxc-info', '-sH', '-n', overlay])).stdout.trim()).toBe('STOPPED');
      expect(fs.readFileSync(path.join(lxcpath, overlay, 'config'), 'utf8')).toMatch(/^lxc\.rootfs\.path = overlay/m);
      const ls = (await lxc(['lxc-ls', '-1'])).stdout.split('\n');
      expect(ls).toEqual(expect.arrayContaining([copy, overlay]));
    } finally {
      await t.close();
    }
  }, 180_000);

  it('as the unprivileged test user: the idmap row shows the map with ✓ (it validates against /etc/subuid and /etc/subgid)', async () => {
    const name = uniqueName('duser');
    await createBusybox(USER, name);
    const t = new Tui(USER, [], { cols: 160, rows: 60 });
    try {
      // the user's own settings may restore a filter from an earlier run: set ours
      await t.waitFor(/\d+ containers?,/);
      t.type('/\x15');
      t.type(`${name}${KEY.enter}`);
      await t.waitFor((x) => x.includes(`filter: ${name}`) && x.split('\n').some((l) => l.includes(name) && l.includes('STOPPED')));
      t.type(KEY.enter);
      const screen = await t.waitFor(/idmap\s+✓/, 20_000);
      const config = (await run(USER, ['sh', '-c', `cat "$(lxc-config lxc.lxcpath)/${name}/config"`])).stdout;
      const map = /^lxc\.idmap\s*=\s*(.*)$/m.exec(config)?.[1];
      expect(map).toMatch(/^u 0 \d+ \d+$/);
      // the start of the map fits the column; warnings (ids shared with other test containers) come after it
      expect(screen).toMatch(new RegExp(`idmap\\s+✓ ${map?.slice(0, 12)}`));
      // the test user's default.conf may give no network: the rows follow the config
      const type = /^lxc\.net\.0\.type\s*=\s*(\S+)/m.exec(config)?.[1];
      if (type && type !== 'empty') expect(screen).toMatch(new RegExp(`net\\.0\\s+${type} `));
      else expect(screen).not.toMatch(/net\.0 /);
    } finally {
      await t.close();
      await destroy(USER, [name]);
    }
  }, 120_000);
});
