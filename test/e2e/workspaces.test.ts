import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createBusybox, destroy, eventually, hostUnavailable, lxcdeck, lxcInfoState, ROOT, run, uniqueName, USER, type Runner } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();
/** The focused pane's border title: "▶ NAME · kind" (the list marks its own focus with "▶ containers"). */
const PANE_FOCUS = /▶ \S+ · /;
const PREFIX = '\x02'; // Ctrl-b
/** busybox sh's prompt at the end of a pane line (the pane's right border after it). */
const PROMPT = /\/ # +│/;
const prompts = (s: string) => (s.match(/\/ # +│/g) ?? []).length;
const count = (screen: string, s: string) => screen.split(s).length - 1;
/** The focused pane's border label (its row and column: two panes may show the same container and kind). */
const focusedLabel = (screen: string) => {
  const lines = screen.split('\n');
  const y = lines.findIndex((l) => PANE_FOCUS.test(l));
  return y < 0 ? null : `${y}:${lines[y]?.search(PANE_FOCUS)}`;
};
const COLS = 200;
const ROWS = 50;

/** A config dir the test user can write, starting from `settings`. */
function configDir(settings: object): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-ws-'));
  const dir = path.join(home, 'lxcdeck');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(settings));
  for (const [p, mode] of [[home, 0o777], [dir, 0o777], [path.join(dir, 'config.json'), 0o666]] as const) fs.chmodSync(p, mode);
  return home;
}

const configOf = (home: string) => JSON.parse(fs.readFileSync(path.join(home, 'lxcdeck', 'config.json'), 'utf8')) as { marks?: Record<string, { layout: unknown; panes: { container: string; kind: string }[] }> };
const LIST = { filter: '', sort: { column: 'name', reverse: false }, group: false, selected: null };

describe.skipIf(skip).each([ROOT, USER])('workspace marks, end to end, as $label', (runner: Runner) => {
  const tag = runner.unprivileged ? 'u' : 'r';
  const a = uniqueName(`${tag}w1`);
  const b = uniqueName(`${tag}w2`);
  const stopped = uniqueName(`${tag}w3`);
  const ghost = uniqueName(`${tag}gone`);
  let home = '';
  let tui: Tui | null = null;

  const open = async (args: string[] = [], env: Record<string, string> = {}) => {
    tui = new Tui(runner, args, { cols: COLS, rows: ROWS, env: { XDG_CONFIG_HOME: home, ...env } });
    await tui.waitFor(a);
    return tui;
  };
  const cli = (args: string[]) => run(runner, ['env', `XDG_CONFIG_HOME=${home}`, process.execPath, BIN, ...args]);
  /** From the list: narrow it to `name`, open a pane of `key` (a: shell, C: console), wait for it, focus the list again. */
  const paneOn = async (t: Tui, name: string, key: 'a' | 'C', back = true) => {
    // only `name` listed (the other name may be in a pane's label)
    const other = new RegExp(`${name === a ? b : a}\\s+● RUNNING`);
    t.type('/');
    t.type('\x15'); // '/' edits the filter there is: erase it first
    t.type(name);
    t.type(KEY.enter);
    await t.waitFor((s) => new RegExp(`${name}\\s+● RUNNING`).test(s) && !other.test(s));
    const label = `${name} · ${key === 'a' ? 'shell' : 'console'}`;
    const before = count(t.text(), label);
    t.type(key);
    await t.waitFor((s) => count(s, label) > before);
    if (back) {
      // the list is a leaf like the panes: cycle focus until it is the list's again, one drawn step at a time
      for (let i = 0; i < 8 && PANE_FOCUS.test(t.text()); i++) {
        const at = focusedLabel(t.text());
        t.type(`${PREFIX}o`);
        await t.waitFor((s) => focusedLabel(s) !== at);
      }
      expect(t.text()).not.toMatch(PANE_FOCUS);
    }
  };
  const quit = async (t: Tui) => {
    t.type(`${PREFIX}d`);
    await t.waitFor((x) => x.includes('Quit?'), 3000).then(() => t.type('y'), () => undefined);
    await Promise.race([t.exited, new Promise((r) => setTimeout(r, 5000))]);
    expect(t.exitCode).toBe(0);
  };

  beforeAll(async () => {
    home = configDir({ restoreLastWorkspace: false });
    await destroy(runner, [a, b, stopped]);
    await createBusybox(runner, a);
    await createBusybox(runner, b);
    await createBusybox(runner, stopped);
    expect((await lxcdeck(runner, ['start', a])).code).toBe(0);
    expect((await lxcdeck(runner, ['start', b])).code).toBe(0);
  });
  /** Quits the running lxcdeck (it saves its last workspace on the way out: before its config dir goes). */
  const closeTui = async () => {
    if (tui && tui.exitCode === null) {
      tui.type(`${PREFIX}d`);
      await tui.waitFor((x) => x.includes('Quit?'), 3000).then(() => tui?.type('y'), () => undefined);
      await Promise.race([tui.exited, new Promise((r) => setTimeout(r, 3000))]);
      tui.kill('SIGKILL');
    }
    tui = null;
  };
  afterEach(closeTui);
  afterAll(async () => {
    await destroy(runner, [a, b, stopped]);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("stores two shells and a console under m a, restores them with 'a after closing everything, and again after a restart with -w a", async () => {
    const t = await open();
    await paneOn(t, a, 'C');
    await paneOn(t, b, 'a');
    await paneOn(t, a, 'a', false);
    await t.waitFor(PROMPT);
    // from inside a pane: Ctrl-b m, then the letter
    t.type(`${PREFIX}m`);
    t.type('a');
    // the header shows the active mark; the settings file has it
    await t.waitFor(/lxcdeck .*mark a/);
    const stored = await eventually(async () => configOf(home).marks?.a);
    expect(stored?.panes.map((p) => `${p.container} ${p.kind}`).sort()).toEqual([`${a} console`, `${a} shell`, `${b} shell`].sort());
    // close everything (each pane asks: its program still runs)
    const panes = (s: string) => count(s, ' · shell') + count(s, ' · console');
    for (let left = 3; left > 0; left--) {
      if (!PANE_FOCUS.test(t.text())) t.type(`${PREFIX}o`);
      await t.waitFor(PANE_FOCUS);
      t.type(`${PREFIX}x`);
      await t.waitFor('the container keeps');
      t.type('y');
      await t.waitFor((s) => panes(s) === left - 1);
    }
    t.type(`'a`);
    const screen = await t.waitFor((s) => count(s, `${a} · shell`) === 1 && count(s, `${b} · shell`) === 1 && count(s, `${a} · console`) === 1);
    // focus comes back where it was: the shell on a, which answers
    expect(screen).toContain(`▶ ${a} · shell`);
    await t.waitFor(PROMPT);
    t.type('echo "W-$((6*7))"\r');
    await t.waitFor('W-42');
    // the same tree and proportions: store what is on screen again and compare
    t.type(`${PREFIX}m`);
    t.type('z');
    const again = await eventually(async () => configOf(home).marks?.z && configOf(home).marks);
    expect(again?.z?.layout).toEqual(again?.a?.layout);
    expect(again?.z?.panes).toEqual(again?.a?.panes);
    await quit(t);

    // the CLI sees the marks
    const ls = JSON.parse((await cli(['workspace', 'ls', '--json'])).stdout) as { mark: string; panes: number }[];
    expect(ls.map((m) => [m.mark, m.panes])).toEqual([
      ['a', 3],
      ['z', 3],
    ]);
    const show = JSON.parse((await cli(['workspace', 'show', 'z', '--json'])).stdout) as { mark: string; panes: { container: string }[]; focus: number };
    expect(show.mark).toBe('z');
    expect(show.panes.map((p) => p.container).sort()).toEqual([a, a, b].sort());
    expect((await cli(['workspace', 'rm', 'z'])).code).toBe(0);
    expect((await cli(['workspace', 'show', 'z'])).stderr).toMatch(/^lxcdeck: there is no usable mark z: see 'lxcdeck workspace ls'/);

    // a restart straight into the mark: every pane attached fresh, saying so
    const r = await open(['-w', 'a']);
    const fresh = await r.waitFor((s) => count(s, 'mark a: attached afresh') >= 2 && count(s, `${a} · shell`) === 1 && count(s, `${b} · shell`) === 1 && count(s, `${a} · console`) === 1);
    expect(fresh).toContain(`▶ ${a} · shell`);
    await r.waitFor(PROMPT);
    r.type('echo "R-$((7*6))"\r');
    await r.waitFor('R-42');
  });

  it("reuses a pane that is open already (the same shell, not a second attach) and '' toggles between two marks", async () => {
    const t = await open();
    await paneOn(t, a, 'a', false);
    await t.waitFor(PROMPT);
    t.type('KEPT=k$((3*4))\r');
    t.type(`${PREFIX}o`);
    await t.waitFor((s) => !PANE_FOCUS.test(s));
    // the list unfiltered (C-u), then store
    t.type('\x15');
    t.type('m');
    t.type('b');
    await t.waitFor(/lxcdeck .*mark b/);
    t.type(`'a`);
    await t.waitFor((s) => count(s, ' · shell') === 2 && count(s, ' · console') === 1 && s.includes(`▶ ${a} · shell`) && /lxcdeck .*mark a/.test(s));
    // the reused shell still has its variable: it was not attached again
    t.type('echo "got-$KEPT"\r');
    await t.waitFor('got-k12');
    // '' back to b: the two panes b does not have still run, so it asks first
    t.type(`${PREFIX}'`);
    t.type(`'`);
    await t.waitFor('still running a program');
    t.type('y');
    await t.waitFor((s) => count(s, ' · shell') === 1 && !s.includes(' · console') && /lxcdeck .*mark b/.test(s));
    // and forth to a
    t.type(`${PREFIX}'`);
    t.type(`'`);
    await t.waitFor((s) => count(s, ' · shell') === 2 && count(s, ' · console') === 1 && /lxcdeck .*mark a/.test(s));
  });

  it('a tagged mark narrows the list; a bad mark letter is one line and changes nothing', async () => {
    expect((await cli(['workspace', 'tag', 'b', b])).code).toBe(0);
    const bad = await cli(['workspace', 'tag', 'B', b]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^lxcdeck: "B" is not a mark: use a lowercase letter a–z/);
    const w = await cli(['-w', 'A']);
    expect(w.code).toBe(2);
    expect(w.stderr.trim()).toBe(`lxcdeck: --workspace "A" is not a mark: use a lowercase letter a–z ('lxcdeck workspace ls' lists them)`);
    const t = await open();
    expect(t.text()).toContain(b);
    t.type(`'b`);
    await t.waitFor((s) => s.includes(`mark b (tag ${b})`));
    await t.waitFor((s) => !new RegExp(`${a}\\s+● RUNNING`).test(s) && new RegExp(`${b}\\s+● RUNNING`).test(s));
    // Esc clears the tag like a filter
    t.type(KEY.escape);
    await t.waitFor((s) => !s.includes(`(tag ${b})`) && new RegExp(`${a}\\s+● RUNNING`).test(s));
    t.type('m');
    t.type('1');
    await t.waitFor('"1" is not a mark: use a lowercase letter a–z; nothing stored');
    expect(Object.keys(configOf(home).marks ?? {}).sort()).toEqual(['a', 'b']);
    // the marks overlay: a line per mark with its preview; Enter jumps to the selected one
    t.type('W');
    await t.waitFor((s) => s.includes('workspace marks') && s.includes('a  3 panes · ') && s.includes(`b  1 pane · ${a} · tag ${b}`));
    t.type(KEY.enter);
    await t.waitFor((s) => count(s, ' · shell') === 2 && count(s, ' · console') === 1 && /lxcdeck .*mark a/.test(s) && !s.includes('workspace marks'));
  });

  it('a mark stored and quit at once, before the settings store has loaded, is still saved, and so is the last workspace', async () => {
    const saved = home;
    home = configDir({});
    try {
      const t = await open();
      t.type('ms');
      t.type(`${PREFIX}d`);
      await t.exited;
      expect(t.exitCode).toBe(0);
      const config = configOf(home) as { marks?: Record<string, unknown>; lastWorkspace?: { panes: unknown[] } };
      expect(Object.keys(config.marks ?? {})).toEqual(['s']);
      expect(config.lastWorkspace?.panes).toEqual([]);
    } finally {
      await closeTui();
      fs.rmSync(home, { recursive: true, force: true });
      home = saved;
    }
  });

  it('a mark whose container is gone restores the rest and says not found; a stopped one offers s to start, Enter to attach', async () => {
    const saved = home;
    home = configDir({
      restoreLastWorkspace: false,
      marks: {
        d: {
          layout: { dir: 'row', ratio: 0.4, a: 'main', b: { dir: 'column', ratio: 0.5, a: 0, b: { dir: 'row', ratio: 0.5, a: 1, b: 2 } } },
          panes: [{ kind: 'shell', container: a }, { kind: 'shell', container: ghost }, { kind: 'shell', container: stopped }],
          focus: 2,
          zoomed: false,
          list: LIST,
        },
        e: { layout: 'main', panes: 'corrupt' },
      },
    });
    try {
      const t = await open(['-w', 'd']);
      // the corrupt mark is one warning; d is usable
      await t.waitFor('mark e: panes is not a list');
      await t.waitFor(`container ${ghost} not found — Enter to retry`);
      await t.waitFor('stopped — s to start, Enter to attach');
      await t.waitFor((s) => count(s, `${a} · shell`) === 1 && PROMPT.test(s));
      // the stopped container's pane has focus: s starts it, Enter attaches
      t.type('s');
      await eventually(async () => (await lxcInfoState(runner, stopped)) === 'RUNNING', 30_000);
      await t.waitFor(new RegExp(`${stopped}\\s+● RUNNING`));
      t.type(KEY.enter);
      await t.waitFor((s) => prompts(s) >= 2);
      // nothing was lost: the corrupt mark is still in the file
      expect(Object.keys(configOf(home).marks ?? {}).sort()).toEqual(['d', 'e']);
    } finally {
      await closeTui();
      fs.rmSync(home, { recursive: true, force: true });
      home = saved;
    }
  });

  it('restores a 4-shell mark, all re-attached, fast (benchmark: keypress to every shell answering), and restoreLastWorkspace brings it back', async () => {
    const saved = home;
    const shells = [a, b, a, b].map((c) => ({ kind: 'shell', container: c }));
    home = configDir({
      restoreLastWorkspace: true,
      marks: {
        q: { layout: { dir: 'row', ratio: 0.4, a: 'main', b: { dir: 'column', ratio: 0.5, a: { dir: 'row', ratio: 0.5, a: 0, b: 1 }, b: { dir: 'row', ratio: 0.5, a: 2, b: 3 } } }, panes: shells, focus: 0, zoomed: false, list: LIST },
        e: { layout: 'main', panes: [], focus: 'main', zoomed: false, list: LIST },
      },
    });
    const trace = path.join(home, 'trace');
    try {
      const t = await open([], { LXCDECK_TRACE_WORKSPACE: trace });
      const own: number[] = [];
      const wall: number[] = [];
      for (let round = 0; round < 5; round++) {
        const t0 = performance.now();
        t.type(`${PREFIX}'q`);
        await t.waitFor((s) => prompts(s) >= 4);
        // the screen is polled every 50 ms: this figure is up to that much late
        wall.push(performance.now() - t0);
        const line = await eventually(async () => (fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8').split('\n').filter((l) => l.startsWith('mark q'))[round] : undefined));
        expect(line).toMatch(/^mark q restored: 4 panes \(0 reused, 4 attached, 0 closed\) in \d+ ms$/);
        own.push(Number(/in (\d+) ms/.exec(line ?? '')?.[1]));
        // the empty mark closes the four (they run: it asks)
        t.type(`${PREFIX}'e`);
        await t.waitFor('still running a program');
        t.type('y');
        await t.waitFor((s) => prompts(s) === 0);
      }
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
      console.log(`[bench] ${runner.label}: 4-shell mark, keypress to every shell's first output: median ${median(own)} ms (${own.join(', ')}); to four prompts on the test's screen: median ${Math.round(median(wall))} ms`);
      expect(median(own)).toBeLessThan(2000);
      // restoreLastWorkspace: quit with the four shells, start again: they come back, attached afresh
      t.type(`${PREFIX}'q`);
      await t.waitFor((s) => prompts(s) >= 4);
      await quit(t);
      const r = await open();
      await r.waitFor((s) => count(s, 'last workspace: attached afresh') >= 2 && prompts(s) >= 4);
    } finally {
      await closeTui();
      fs.rmSync(home, { recursive: true, force: true });
      home = saved;
    }
  });
});
