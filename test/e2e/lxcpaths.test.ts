import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, hostUnavailable, ROOT, uniqueName } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

/**
 * The workstation over two lxcpaths (-P twice) holding a container of the
 * same name: both rows show, each with its lxcpath, and the keys act on the
 * selected row's own container (checked with lxc-info -P).
 */
const skip = hostUnavailable();
// a short base: the details show the rootfs path unwrapped
const tmp = fs.mkdtempSync('/tmp/lxp-');
const A = path.join(tmp, 'first');
const B = path.join(tmp, 'second');
const twin = uniqueName('lpe');
const tool = (name: string, ...args: string[]) => spawnSync(name, args, { encoding: 'utf8' });
const stateIn = (lxcpath: string) => tool('lxc-info', '-P', lxcpath, '-n', twin, '-sH').stdout.trim();

describe.skipIf(skip)('the workstation over two lxcpaths, as root', () => {
  let configHome = '';
  let tui: Tui | null = null;
  const open = (args: string[]) => (tui = new Tui(ROOT, args, { cols: 160, rows: 40, env: { XDG_CONFIG_HOME: configHome } }));

  beforeAll(() => {
    configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-e2e-lxcpaths-'));
    fs.mkdirSync(path.join(configHome, 'lxcdeck'));
    fs.writeFileSync(path.join(configHome, 'lxcdeck', 'config.json'), JSON.stringify({ restoreLastWorkspace: false }));
    for (const [p, mark] of [[A, 'MARK-first'], [B, 'MARK-second']] as const) {
      fs.mkdirSync(p);
      const r = tool('lxc-create', '-P', p, '-t', 'busybox', '-n', twin);
      if (r.status !== 0) throw new Error(`lxc-create in ${p} failed: ${r.stderr}`);
      tool('sed', '-i', 's/^lxc.pty.max = .*/lxc.pty.max = 16/', path.join(p, twin, 'config'));
      fs.writeFileSync(path.join(p, twin, 'rootfs', 'marker'), `${mark}\n`);
    }
  }, 180_000);
  afterEach(async () => {
    await tui?.close();
    tui = null;
  });
  afterAll(() => {
    for (const p of [A, B]) {
      tool('lxc-stop', '-k', '-P', p, '-n', twin);
      tool('lxc-destroy', '-f', '-P', p, '-n', twin);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(configHome, { recursive: true, force: true });
  });

  it('with one lxcpath the list looks as it always did: no LXCPATH column', async () => {
    const t = open(['-P', A]);
    const screen = await t.waitFor(new RegExp(`${twin}\\s+○ STOPPED`));
    expect(screen).not.toContain('LXCPATH');
    expect(t.lines()[0]).toContain(`  ${A}  `);
    expect(screen.match(new RegExp(twin, 'g'))?.length).toBe(1);
  });

  it('the lxcpaths setting lists several without -P', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-e2e-lxcpaths-set-'));
    try {
      fs.mkdirSync(path.join(home, 'lxcdeck'));
      fs.writeFileSync(path.join(home, 'lxcdeck', 'config.json'), JSON.stringify({ restoreLastWorkspace: false, lxcpaths: [B, A] }));
      const t = (tui = new Tui(ROOT, [], { cols: 160, rows: 40, env: { XDG_CONFIG_HOME: home } }));
      // the first listed is the primary one: its row is the first of the namesakes
      const screen = await t.waitFor((s) => new RegExp(`${twin}\\s+…\\S*/second\\s+[○●◇] \\w+\\s[^\\n]*\\n[^\\n]*${twin}\\s+…\\S*/first\\s`).test(s));
      expect(screen).toMatch(/NAME\S*\s+LXCPATH\s+STATE/);
      expect(t.lines()[0]).toContain(`${B} + ${A}`);
    } finally {
      await tui?.close();
      tui = null;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('lists both, names both lxcpaths in the header, and start, freeze and attach reach the second one only', async () => {
    const t = open(['-P', A, '-P', B]);
    // both rows, the second lxcpath's cell cut from the left ('…' + its end)
    const both = await t.waitFor((s) => new RegExp(`${twin}\\s+…\\S*/first\\s+○ STOPPED`).test(s) && new RegExp(`${twin}\\s+…\\S*/second\\s+○ STOPPED`).test(s));
    expect(both).toMatch(/NAME\S*\s+LXCPATH\s+STATE/);
    expect(t.lines()[0]).toContain(`${A} + ${B}`);
    // the second row: keys are handled in order, and lxc-info says which container they reached
    t.type(KEY.down);
    t.type('s');
    await t.waitFor(new RegExp(`${twin}\\s+…\\S*/second\\s+● RUNNING`), 30_000);
    expect([stateIn(A), stateIn(B)]).toEqual(['STOPPED', 'RUNNING']);
    t.type('f');
    await eventually(async () => stateIn(B) === 'FROZEN');
    expect([stateIn(A), stateIn(B)]).toEqual(['STOPPED', 'FROZEN']);
    await t.waitFor(new RegExp(`${twin}\\s+…\\S*/second\\s+◇ FROZEN`));
    // the event log names the lxcpath of a container outside the first
    await t.waitFor(new RegExp(`${twin} in ${B}: RUNNING → (FREEZING|FROZEN)`));
    expect(t.text()).toMatch(new RegExp(`${twin}\\s+…\\S*/first\\s+○ STOPPED`));
    t.type('f');
    await eventually(async () => stateIn(B) === 'RUNNING');
    expect([stateIn(A), stateIn(B)]).toEqual(['STOPPED', 'RUNNING']);
    await t.waitFor(new RegExp(`${twin}\\s+…\\S*/second\\s+● RUNNING`));
    // the details say which lxcpath the container is in
    t.type('\r');
    await t.waitFor(new RegExp(`${twin} in ${B} — RUNNING`));
    t.type('\r');
    await t.waitFor((s) => !s.includes(`${twin} in ${B} — RUNNING`));
    // a shell pane on the selected row is in the second lxcpath's container (its own marker file)
    t.type('a');
    await t.waitFor(/\/ # /, 20_000);
    t.type('cat /marker\r');
    const pane = await t.waitFor(/^.*MARK-\w+/m);
    expect(pane).toContain('MARK-second');
    expect(pane).not.toContain('MARK-first');
    expect(stateIn(A)).toBe('STOPPED');
  }, 120_000);
});
