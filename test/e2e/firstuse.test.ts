import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, eventually, hostUnavailable, lxcdeck, lxcInfoState, REPO, ROOT, run, uniqueName } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();
/** busybox sh's prompt inside a pane. */
const PROMPT = /# +│$/m;

/** The status bar: the screen's last row. */
const statusRow = (t: Tui) => t.lines().at(-1) ?? '';

/** What a first-time user hit (issue 11): each defect, seen on the screen. */
describe.skipIf(skip)('first use, end to end', () => {
  const runner = ROOT;
  const a = uniqueName('fu1');
  const b = uniqueName('fu2');
  let configHome = '';
  let tui: Tui | null = null;

  const open = async (opts: { cols?: number; rows?: number; env?: Record<string, string> } = {}) => {
    tui = new Tui(runner, [], { cols: opts.cols ?? 120, rows: opts.rows ?? 36, env: { XDG_CONFIG_HOME: configHome, ...opts.env } });
    await tui.waitFor(a);
    return tui;
  };

  beforeAll(async () => {
    configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-e2e-fu-'));
    // every test starts from an empty workspace, not the one the test before quit with (restoreLastWorkspace)
    fs.mkdirSync(path.join(configHome, 'lxcdeck'));
    fs.writeFileSync(path.join(configHome, 'lxcdeck', 'config.json'), JSON.stringify({ restoreLastWorkspace: false }));
    await destroy(runner, [a, b]);
    await createBusybox(runner, a);
    await createBusybox(runner, b);
    expect((await lxcdeck(runner, ['start', a])).code).toBe(0);
  });
  afterEach(async () => {
    await tui?.close();
    tui = null;
  });
  afterAll(async () => {
    await destroy(runner, [a, b]);
    fs.rmSync(configHome, { recursive: true, force: true });
  });

  it('1: a status message goes (next key or a few seconds) and the event log keeps it', async () => {
    const t = await open();
    await t.filterTo(a, b);
    t.type('s'); // a runs already
    await t.waitFor(() => statusRow(t).includes(`start ${a}`));
    t.type('j');
    await t.waitFor(() => !statusRow(t).includes(`start ${a}`), 12_000);
    t.type('L'); // the event log keeps it (enlarged: other containers on this host log too)
    await t.waitFor(new RegExp(`start ${a}: .*already running`));
  });

  it('2: the palette runs its top match after the highlight moved, shows its key, and no far match', async () => {
    const t = await open();
    await t.filterTo(a, b);
    t.type(':');
    await t.waitFor('app.help');
    t.type(KEY.down);
    t.type('backup'); // no command: nothing far is offered instead (the unit test ranks the near ones)
    await t.waitFor('no command matches');
    t.type('\x7f'.repeat(6));
    t.type('frz');
    // the highlighted (top) row keeps its key hint
    const screen = await t.waitFor((x) => x.includes(': frz█'));
    const rows = screen.split('\n').filter((l) => l.includes('rules.edit') || l.includes('container.freeze-toggle'));
    expect(rows[0]).toMatch(/Freeze or thaw\s+container\.freeze-toggle\s+f\b/);
    t.type(KEY.enter);
    await eventually(async () => (await lxcInfoState(runner, a)) === 'FROZEN');
    expect(await lxcInfoState(runner, a)).toBe('FROZEN');
    t.type('f');
    await eventually(async () => (await lxcInfoState(runner, a)) === 'RUNNING');
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
  });

  it('3: Ctrl-l repaints everything, the header and the status line too', async () => {
    const t = await open();
    await t.waitFor((x) => x.startsWith(' lxcdeck ') && statusRow(t).includes('? help'));
    // blank our copy of the screen: only a full repaint brings every row back
    await new Promise<void>((r) => t.term.write('\x1b[H\x1b[2J', r));
    expect(t.lines()[0]).toBe('');
    t.type('\x0c');
    await t.waitFor((x) => x.startsWith(' lxcdeck ') && x.includes('┌─ containers') && statusRow(t).includes('? help'), 5000);
  });

  /** The cell where `text` shows on the first row that matches `row` (default: the text itself). */
  const cellAt = (t: Tui, text: string, row: RegExp | string = text, dx = 0) => {
    const y = t.lines().findIndex((l) => (typeof row === 'string' ? l.includes(row) : row.test(l)));
    const x = (t.lines()[y] ?? '').indexOf(text) + dx;
    return t.term.buffer.active.getLine(t.term.buffer.active.viewportY + y)?.getCell(x);
  };

  it("4: under tmux's TERM the theme has 256 colours, the selected row its selection colour, and panes show 24-bit colour", async () => {
    const t = await open({ env: { TERM: 'tmux-256color', COLORTERM: 'truecolor' } });
    await t.filterTo(a, b);
    await t.waitFor(new RegExp(`${a}\\s+● RUNNING`));
    const sel = cellAt(t, a, new RegExp(`${a}\\s+● RUNNING`));
    // dark's selectedBg #005f87 is xterm index 24: not one of 8 (blessed's fallback), not inverse video
    expect(sel?.isBgPalette()).toBeTruthy();
    expect(sel?.getBgColor()).toBe(24);
    expect(sel?.isInverse()).toBe(0);
    t.type('a');
    await t.waitFor(`${a} · shell`);
    await t.waitFor(PROMPT, 20_000);
    t.type("printf '\\033[38;2;10;200;30mTRUE%s\\033[0m\\n' COLOUR\r");
    await t.waitFor('TRUECOLOUR');
    const c = cellAt(t, 'TRUECOLOUR');
    expect(c?.isFgRGB()).toBeTruthy();
    expect(c?.getFgColor()).toBe(0x0ac81e);
  });

  it('5: / edits the current filter instead of throwing it away', async () => {
    const t = await open();
    await t.filterTo(a, b);
    t.type('/');
    await t.waitFor(() => statusRow(t).startsWith(`/${a}█`));
    t.type('\x7f'); // the last character: a and b differ only there
    t.type(KEY.enter);
    const screen = await t.waitFor((x) => x.includes(`filter: ${a.slice(0, -1)} `) && x.includes(b));
    expect(screen).toContain(a);
  });

  it('6: Ctrl-b q shows pane numbers and a digit focuses that pane; quitting with a shell open asks first', async () => {
    const t = await open();
    await t.filterTo(a, b);
    t.type('a');
    await t.waitFor(`▶ ${a} · shell`);
    await t.waitFor(PROMPT, 20_000);
    expect(statusRow(t)).toContain('PANE');
    t.type('\x02q');
    await t.waitFor((x) => /│ {2}0 {2}│/.test(x) && /│ {2}1 {2}│/.test(x));
    expect(t.exitCode).toBeNull();
    t.type('0'); // the list
    await t.waitFor((x) => !/│ {2}1 {2}│/.test(x) && !statusRow(t).includes('PANE'));
    t.type('q');
    await t.waitFor('Quit? 1 pane program will end (containers keep running)');
    t.type('n');
    await t.waitFor((x) => !x.includes('Quit?'));
    expect(t.exitCode).toBeNull();
    t.type('q');
    await t.waitFor('Quit?');
    t.type('y');
    expect(await t.exited).toBe(0);
  });

  it('7: stop on a stopped container says so instead of asking; start on a running one, freeze on a stopped one too', async () => {
    const t = await open();
    await t.filterTo(b, a);
    await t.waitFor(new RegExp(`${b}\\s+○ STOPPED`));
    t.type('x');
    await t.waitFor(() => statusRow(t).includes(`${b} is already stopped`));
    expect(t.text()).not.toContain('Stop (clean shutdown, then kill)');
    t.type('f');
    await t.waitFor(() => statusRow(t).includes(`${b} is stopped: start it first`));
    t.type('K');
    await t.waitFor(() => statusRow(t).includes(`kill ${b}: ${b} is already stopped`));
    expect(t.text()).not.toContain('Kill at once');
    // (not filterTo: b stays on screen in the event log's lines about it)
    t.type(`/\x15${a}\r`);
    await t.waitFor(new RegExp(`filter: ${a}[\\s\\S]*${a}\\s+● RUNNING`));
    t.type('s');
    await t.waitFor(() => statusRow(t).includes(`${a} is already running`));
    // where it applies, it still asks
    t.type('x');
    await t.waitFor(`Stop (clean shutdown, then kill): ${a}?`);
    t.type('n');
  });

  it('8: a restart shows its STOPPED and RUNNING transitions, and the CPU sparkline keeps its last minute', async () => {
    const t = await open({ rows: 48 });
    await t.filterTo(a, b);
    const row = () => t.lines().find((l) => new RegExp(`${a}\\s+● RUNNING`).test(l)) ?? '';
    const sparks = () => (row().match(/[▁▂▃▄▅▆▇█]/g) ?? []).length;
    await t.waitFor(() => sparks() >= 8, 20_000);
    t.type('r');
    await t.waitFor(`Restart: ${a}?`);
    t.type('y');
    t.type('L'); // a bigger event log: other containers on this host log too
    await t.waitFor(new RegExp(`${a}: RUNNING → STOPPED[\\s\\S]*${a}: STOPPED → RUNNING`), 60_000);
    await t.waitFor(() => sparks() > 0); // its first sample since the start
    expect(sparks()).toBeGreaterThanOrEqual(8);
  });

  it('9: with a ring buffer (B, start) a console never says there is none, even when the buffer is empty', async () => {
    const t = await open({ rows: 48 });
    try {
      await t.filterTo(b, a);
      t.type('B'); // a plan: previewed, Enter applies, Esc closes
      await t.waitFor('Enter applies');
      t.type(KEY.enter);
      await t.waitFor('done — Enter or Esc closes');
      t.type(KEY.escape);
      // an Esc followed at once by a key reads as Alt+key: wait for the overlay to go
      await t.waitFor((x) => !x.includes('done — Enter or Esc closes'));
      t.type('s');
      await t.waitFor(new RegExp(`${b}\\s+● RUNNING`), 30_000);
      t.type('L'); // a bigger event log: other containers on this host log too
      for (let i = 0; i < 2; i++) {
        // the second console reads the buffer the first emptied (liblxc's read consumes it)
        t.type('C');
        await t.waitFor(`▶ ${b} · console`, 20_000);
        // asking first means its program runs: the ring buffer was read (and any line about it logged) before
        t.type('\x02x');
        await t.waitFor('Close the console pane');
        t.type('y');
        await t.waitFor((x) => !x.includes(`${b} · console`));
      }
      expect(t.text()).not.toContain('has no console ring buffer');
    } finally {
      await run(runner, ['lxc-stop', '-k', '-n', b]);
    }
  });

  it('10: R opens the rules list, not a form that Enter would arm; d asks before deleting', async () => {
    const source = path.join(os.tmpdir(), `lxcdeck-e2e-fu-rule-${process.pid}`);
    fs.writeFileSync(source, '20\n');
    try {
      const t = await open();
      await t.filterTo(a, b);
      // the rules come with the settings store, just after the first frame
      await eventually(async () => {
        t.type('R');
        return t.waitFor('No freeze rules yet', 1000).then(() => true, () => false);
      });
      t.type(KEY.enter); // arms nothing
      await t.waitFor('No freeze rules yet');
      expect(t.text()).not.toContain('new freeze rule');
      t.type('a');
      await t.waitFor('new freeze rule');
      t.type(`\x15file:${source}\t\t\x1550\t\x1540\tfu${process.pid}`);
      t.type(KEY.enter);
      await t.waitFor(new RegExp(`armed\\s+fu${process.pid}`));
      t.type('d');
      await t.waitFor(`Delete rule fu${process.pid}? y yes, any other key no`);
      t.type('n');
      await t.waitFor((x) => !x.includes('Delete rule'));
      expect(t.text()).toMatch(new RegExp(`armed\\s+fu${process.pid}`));
      t.type('d');
      await t.waitFor('Delete rule');
      t.type('y');
      await t.waitFor('No freeze rules yet');
    } finally {
      fs.rmSync(source, { force: true });
    }
  });

  describe('11: layout and wording', () => {
    it('details cut a long value with … instead of wrapping it; the pids axis has whole numbers', async () => {
      const t = await open({ cols: 160, rows: 50 });
      await t.filterTo(a, b);
      t.type(KEY.enter);
      const screen = await t.waitFor(/─ pids /);
      expect(screen).toMatch(new RegExp(`rootfs\\s+…\\S*${a.slice(-3)}/rootfs`));
      // the y labels of the pids chart: the columns left of its axis, under its label
      await t.waitFor(() => /pids\s+\d/.test(t.text()));
      await t.waitFor(() => {
        const y = t.lines().findIndex((l) => l.includes('─ pids '));
        const x = (t.lines()[y] ?? '').indexOf('─ pids ') - 1;
        const labels = t.lines().slice(y + 1, y + 8).map((l) => l.slice(x, x + 7)).join(' ');
        return /\d/.test(labels) && !/\d\.\d/.test(labels);
      }, 8000);
    });

    it('help wraps long descriptions at 160 columns instead of cutting them', async () => {
      const t = await open({ cols: 160, rows: 45 });
      t.type('?');
      let page = await t.waitFor('Help: every key');
      for (let i = 0; i < 6 && !page.includes('closes this help'); i++) {
        expect(page).not.toContain('…');
        const before = page;
        t.type(' ');
        page = await t.waitFor((x) => x !== before);
      }
      expect(page).not.toContain('…');
    });

    it('at 80x24 the header keeps the cgroup layout, the status line q quit, and no empty GROUPS column', async () => {
      const t = await open({ cols: 80, rows: 24 });
      const screen = await t.waitFor(() => statusRow(t).includes('? help'));
      expect(t.lines()[0]).toContain('cgroups');
      expect(statusRow(t)).toMatch(/q quit\s*$/);
      expect(screen).not.toContain('GROUPS');
    });

    it('NO_COLOR: the header does not claim a theme', async () => {
      const t = await open({ env: { NO_COLOR: '1' } });
      await t.waitFor(' lxcdeck ');
      expect(t.lines()[0]).toContain('theme none (no colour)');
      expect(t.lines()[0]).not.toContain('theme dark');
    });

    it('CPU % sorts descending first; a freeze logs one line, not three; the list and a zoomed pane are marked', async () => {
      const t = await open({ rows: 48 });
      t.type('>>>>');
      await t.waitFor('CPU%▼');
      await t.filterTo(a, b);
      t.type('L');
      t.type('f');
      await t.waitFor(new RegExp(`${a}: \\S+ → FROZEN`));
      t.type('f');
      await t.waitFor(new RegExp(`${a}: \\S+ → RUNNING`));
      const log = t.lines().slice(0, -1).join('\n');
      expect(log).not.toContain(`freeze ${a}…`);
      expect(log).not.toContain(`freeze ${a}: done`);
      t.type('L');
      t.type('a');
      await t.waitFor(`▶ ${a} · shell`);
      await t.waitFor(PROMPT, 20_000);
      t.type('\x02z');
      await t.waitFor('ZOOMED');
      t.type('\x02z');
      await t.waitFor((x) => !x.includes('ZOOMED'));
      t.type('\x02o'); // the list
      await t.waitFor('▶ containers');
    });

    it('a job: counted apart in header and list, its details and its output pane are about a job', async () => {
      const job = `fu${process.pid}`;
      expect((await lxcdeck(runner, ['job', 'run', '--name', job, '--', 'sh', '-c', 'echo hi; sleep 120'])).code).toBe(0);
      try {
        const t = await open();
        await t.waitFor(`job:${job}`);
        const header = t.lines()[0] ?? '';
        expect(header).toMatch(/, 1 job[, ]/);
        const n = /(\d+) containers/.exec(header)?.[1];
        expect(t.text()).toContain(`containers ${n} + jobs 1`);
        await t.filterTo(`job:${job}`, a);
        t.type(KEY.enter);
        await t.waitFor(/command\s+sh -c/);
        for (const k of ['rootfs', 'idmap', 'autostart']) expect(t.text()).not.toMatch(new RegExp(`│${k}\\s`));
        t.type(KEY.enter);
        t.type('a');
        await t.waitFor(`job:${job} · log`);
        t.type('\x02x');
        await t.waitFor(`Close the log pane on job:${job}? (the job keeps running)`);
        t.type('y');
      } finally {
        await lxcdeck(runner, ['job', 'kill', job]);
        await lxcdeck(runner, ['job', 'rm', job]);
      }
    });
  });

  describe('12: everyday basics', () => {
    it('lxcdeck --version (and -V) prints the version', async () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
      for (const flag of ['--version', '-V']) {
        const r = await lxcdeck(runner, [flag]);
        expect(r.code).toBe(0);
        // the version, and the liblxc it runs with
        expect(r.stdout.trim()).toMatch(new RegExp(`^lxcdeck ${pkg.version.replace(/\./g, '\\.')} \\(liblxc \\d+\\.\\d+\\.\\d+\\)$`));
      }
    });
  });

  it('12: the event log takes the keys (e): it scrolls and finds a line', async () => {
    const t = await open({ rows: 40 });
    await t.filterTo(a, b);
    t.type('f');
    await t.waitFor(new RegExp(`${a}: \\S+ → FROZEN`));
    t.type('f');
    await t.waitFor(new RegExp(`${a}: \\S+ → RUNNING`));
    t.type('e');
    await t.waitFor('▶ events');
    t.type('/');
    t.type(`${a}: running`);
    t.type(KEY.enter);
    // the match: the line where it froze (from RUNNING), highlighted
    await t.waitFor(() => {
      const c = cellAt(t, a, new RegExp(`${a}: RUNNING → \\S+`));
      return Boolean(c?.isInverse());
    });
    t.type('g'); // the oldest line
    await t.waitFor(/newer below/);
    t.type(KEY.escape);
    await t.waitFor((x) => !x.includes('▶ events'));
  });

  it('12: mouse reports use SGR 1006, so a click beyond column 223 lands', async () => {
    const t = await open({ cols: 260, rows: 30 });
    await t.waitFor(() => t.raw.includes('\x1b[?1006h'));
    expect(t.raw).not.toContain('\x1b[?1005h');
    t.type('/\x15fu');
    t.type(KEY.enter);
    await t.waitFor((x) => x.includes(a) && x.includes(b));
    const row = t.lines().findIndex((l) => new RegExp(`\\b${b}\\b`).test(l));
    const selected = () => !t.term.buffer.active.getLine(row)?.getCell(4)?.isBgDefault();
    expect(selected()).toBe(false);
    // blessed may drop a click that lands mid-render (see the mouse test in tui.test.ts): press and release again
    for (let attempt = 0; attempt < 3 && !selected(); attempt++) {
      t.type(`\x1b[<0;240;${row + 1}M`);
      await new Promise((r) => setTimeout(r, 150));
      t.type(`\x1b[<0;240;${row + 1}m`);
      await eventually(async () => {
        await new Promise<void>((r) => t.term.write('', r));
        return selected();
      }, 2000);
    }
    expect(selected()).toBe(true);
  });

  it('12: p lists the selected container\'s processes as a tree, from its cgroup', async () => {
    // a process of our own in the container (lxc-attach puts it in the container's cgroup)
    const marker = `sleep ${4000 + (process.pid % 1000)}`;
    const attached = execFile('lxc-attach', ['-n', a, '--', ...marker.split(' ')]);
    try {
      const t = await open();
      await t.filterTo(a, b);
      t.type('p');
      await t.waitFor(`processes of ${a}`);
      const screen = await t.waitFor(marker, 10_000);
      expect(screen).toMatch(/PID\s+S\s+CPU s\s+RSS\s+COMMAND/);
      expect(screen).toMatch(/\d+ [A-Z] +[\d.]+ +[\d.]+ \S+ +init/); // the container's init, a root of the tree
      expect(screen).toMatch(/\d+ processes \(cgroup\.procs\)/);
      t.type(KEY.escape);
      await t.waitFor((x) => !x.includes(`processes of ${a}`));
    } finally {
      attached.kill('SIGKILL');
      await run(runner, ['lxc-attach', '-n', a, '--', 'killall', 'sleep']);
    }
  });
});
