import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { effectiveKeymap, displayKey } from '../../src/commands/keytable.js';
import { BIN, createBusybox, destroy, eventually, hostUnavailable, lxcdeck, lxcInfoState, ROOT, run, uniqueName, USER, type Runner } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();

/**
 * The screen is laid out for exactly this size: the header on the first row,
 * the list's frame from the first column to the last, the status bar's hints
 * on the last row (a layout for another width puts the corner elsewhere or
 * cuts it off).
 */
function expectFramed(lines: string[], cols: number, rows: number): void {
  expect(lines).toHaveLength(rows);
  expect(lines[0]).toMatch(/^ lxcdeck /);
  expect(lines[1]?.[0]).toBe('┌');
  expect(lines[1]?.[cols - 1]).toBe('┐');
  expect(lines[rows - 1]).toMatch(/\? help/);
}

describe.skipIf(skip).each([ROOT, USER])('the workstation, end to end, as $label', (runner: Runner) => {
  const tag = runner.unprivileged ? 'u' : 'r';
  const a = uniqueName(`${tag}e1`);
  const b = uniqueName(`${tag}e2`);
  const late = uniqueName(`${tag}e3`);
  // made in beforeAll: a filter that skips every test would leave it behind
  let configHome = '';
  let tui: Tui | null = null;

  const open = async (cols = 120, rows = 36) => {
    tui = new Tui(runner, [], { cols, rows, env: { XDG_CONFIG_HOME: configHome } });
    await tui.waitFor(a);
    return tui;
  };
  /** Narrows the list to one container, which then is the selected row. */
  const only = (t: Tui, name: string) => t.filterTo(name, name === a ? b : a);

  beforeAll(async () => {
    configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-e2e-'));
    fs.chmodSync(configHome, 0o777);
    // every test starts from an empty workspace, not the one the test before quit with (restoreLastWorkspace)
    const dir = path.join(configHome, 'lxcdeck');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ restoreLastWorkspace: false }));
    fs.chmodSync(dir, 0o777);
    fs.chmodSync(path.join(dir, 'config.json'), 0o666);
    await destroy(runner, [a, b, late]);
    await createBusybox(runner, a);
    await createBusybox(runner, b);
    expect((await lxcdeck(runner, ['start', a])).code).toBe(0);
  });
  afterEach(async () => {
    await tui?.close();
    tui = null;
  });
  afterAll(async () => {
    await destroy(runner, [a, b, late]);
    fs.rmSync(configHome, { recursive: true, force: true });
  });

  it('lists containers with their state; one made with lxc-create appears within a refresh', async () => {
    const t = await open();
    const screen = await t.waitFor(new RegExp(`${a}\\s+● RUNNING`));
    expect(screen).toMatch(new RegExp(`${b}\\s+○ STOPPED`));
    await createBusybox(runner, late);
    await t.waitFor(late, 5000);
    await t.waitFor(`${late} appeared (STOPPED)`);
  });

  it('the filter narrows the list as you type', async () => {
    const t = await open();
    t.type('/');
    t.type(`${tag}e2`);
    const screen = await t.waitFor((s) => s.includes(b) && !s.includes(`${a} `));
    expect(screen).toContain(`/${tag}e2`);
    t.type(KEY.escape);
    await t.waitFor((s) => s.includes(a) && s.includes(b));
  });

  it('the freeze hotkey freezes (lxc-info says FROZEN) and the toggle thaws', async () => {
    const t = await open();
    await only(t, a);
    t.type('f');
    await eventually(async () => (await lxcInfoState(runner, a)) === 'FROZEN');
    expect(await lxcInfoState(runner, a)).toBe('FROZEN');
    await t.waitFor(new RegExp(`${a}\\s+◇ FROZEN`));
    t.type('f');
    await eventually(async () => (await lxcInfoState(runner, a)) === 'RUNNING');
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
    await t.waitFor(new RegExp(`${a}\\s+● RUNNING`));
  });

  it('start and stop hotkeys drive the container; stop asks first', async () => {
    const t = await open();
    await only(t, b);
    t.type('s');
    await t.waitFor(new RegExp(`${b}\\s+● RUNNING`), 30_000);
    expect(await lxcInfoState(runner, b)).toBe('RUNNING');
    t.type('x');
    await t.waitFor('Stop (clean shutdown, then kill)');
    t.type('n');
    // the answer closes the question in the same frame a stop would have logged its start
    const answered = await t.waitFor((x) => !x.includes('Stop (clean shutdown, then kill)'));
    expect(answered).not.toContain(`stop ${b}…`);
    expect(await lxcInfoState(runner, b)).toBe('RUNNING');
    // a stop from another terminal shows up as STOPPED
    await run(runner, ['lxc-stop', '-k', '-n', b]);
    await t.waitFor(new RegExp(`${b}\\s+○ STOPPED`));
  });

  it('help lists every bound key from the registry', async () => {
    const t = await open(140, 60);
    t.type('?');
    // page through the overlay down to its footer, keeping every page
    // the overlay's own rows (from its top border, labelled help, to its bottom one): the list behind it
    // changes on its own (a header count, a CPU figure), which must not count as the next page
    const body = (x: string) => {
      const rows = x.split('\n');
      const top = rows.findIndex((r) => r.includes('─ help ─'));
      if (top < 0) return '';
      // its left edge: the column of its top-left corner; the bottom border (where the footer sits) is the first row not a side there
      const left = (rows[top] as string).lastIndexOf('┌', (rows[top] as string).indexOf('─ help ─'));
      const bottom = rows.findIndex((r, i) => i > top && r[left] !== '│');
      return rows.slice(top + 1, bottom < 0 ? undefined : bottom + 1).join('\n');
    };
    let page = body(await t.waitFor((x) => x.includes('Help: every key')));
    let screen = page;
    for (let i = 0; i < 10 && !page.includes('closes this help'); i++) {
      const before = page;
      t.type(KEY.pageDown);
      page = body(await t.waitFor((x) => body(x) !== before));
      screen += `\n${page}`;
    }
    expect(screen).toContain('closes this help');
    for (const title of ['pane scroll mode', 'typing a filter', 'command palette']) expect(screen).toContain(title);
    const km = effectiveKeymap({});
    for (const [id, keys] of km.byCommand) {
      const shown = keys.map(displayKey).join(' ');
      expect(screen, `${id} ${shown}`).toContain(shown);
    }
    t.type(KEY.escape);
    await t.waitFor((s) => !s.includes('Help: every key'));
  });

  it('details show the config summary and the graphs', async () => {
    const t = await open();
    await only(t, a);
    t.type(KEY.enter);
    const screen = await t.waitFor('CPU %');
    expect(screen).toContain('memory');
    expect(screen).toContain('rootfs');
    expect(screen).toContain(`${a} — RUNNING`);
  });

  it('switches theme live and remembers it', async () => {
    const t = await open();
    await t.waitFor('theme dark');
    t.type('T');
    const screen = await t.waitFor(/theme (high-contrast|light|monochrome)/);
    const name = /theme (\S+)/.exec(screen)?.[1];
    const file = path.join(configHome, 'lxcdeck', 'config.json');
    const saved = () => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { theme?: string }).theme : undefined);
    await eventually(async () => saved() === name, 5000);
    expect(saved()).toBe(name);
    t.type('q');
    await t.exited;
    const again = await open();
    await again.waitFor(`theme ${name}`);
  });

  it('works at 80x24', async () => {
    const t = await open(80, 24);
    await only(t, a);
    t.type(KEY.enter);
    await t.waitFor(`${a} — RUNNING`);
    expectFramed(t.lines(), 80, 24);
  });

  // blessed sometimes drops a click that lands mid-render: retried, noted in the issue
  it('a mouse click selects a row', { retry: 2 }, async () => {
    const t = await open();
    t.type('/');
    t.type(`${tag}e`);
    t.type(KEY.enter);
    await t.waitFor((x) => x.includes(a) && x.includes(b));
    const row = t.lines().findIndex((l) => new RegExp(`\\b${b}\\b`).test(l));
    // SGR 1006 mouse (lxcdeck enables 1000+1006): press, then release, 1-based cells
    const mouse = (button: number) => `\x1b[<${button === 3 ? 0 : button};7;${row + 1}${button === 3 ? 'm' : 'M'}`;
    // the selected row has the theme's selection background
    const selected = () => {
      const cell = t.term.buffer.active.getLine(row)?.getCell(4);
      return cell !== undefined && (cell.isInverse() !== 0 || !cell.isBgDefault());
    };
    for (let attempt = 0; attempt < 3 && !selected(); attempt++) {
      t.type(mouse(0));
      await new Promise((r) => setTimeout(r, 150));
      t.type(mouse(3));
      await eventually(async () => {
        await new Promise<void>((r) => t.term.write('', r));
        return selected();
      }, 2000);
    }
    expect(selected()).toBe(true);
    t.type(KEY.enter);
    await t.waitFor(`${b} — STOPPED`);
  });

  it('space marks rows and a hotkey acts on every marked container', async () => {
    expect((await lxcdeck(runner, ['start', b])).code).toBe(0);
    const t = await open();
    await t.waitFor((x) => new RegExp(`${b}\\s+● RUNNING`).test(x));
    await only(t, a);
    t.type(' ');
    await t.waitFor('1 marked');
    await only(t, b);
    t.type(' ');
    await t.waitFor('2 marked');
    t.type('f');
    await eventually(async () => (await lxcInfoState(runner, a)) === 'FROZEN' && (await lxcInfoState(runner, b)) === 'FROZEN');
    expect([await lxcInfoState(runner, a), await lxcInfoState(runner, b)]).toEqual(['FROZEN', 'FROZEN']);
    t.type('f');
    await eventually(async () => (await lxcInfoState(runner, a)) === 'RUNNING' && (await lxcInfoState(runner, b)) === 'RUNNING');
    expect([await lxcInfoState(runner, a), await lxcInfoState(runner, b)]).toEqual(['RUNNING', 'RUNNING']);
    await run(runner, ['lxc-stop', '-k', '-n', b]);
  });

  it('the palette finds and runs a command by fuzzy name', async () => {
    const t = await open();
    t.type(':');
    await t.waitFor('commands');
    t.type('help every');
    t.type(KEY.enter);
    await t.waitFor('Help: every key');
  });

  it('jobs are listed beside containers and the freeze hotkey freezes and thaws a job', async () => {
    const job = `e2e${tag}${process.pid}`;
    const jobState = async () => ((JSON.parse((await lxcdeck(runner, ['job', 'ls', '--json'])).stdout) as { name: string; state: string }[]).find((j) => j.name === job))?.state;
    expect((await lxcdeck(runner, ['job', 'run', '--name', job, '--', 'sh', '-c', 'while :; do :; done'])).code).toBe(0);
    try {
      const t = await open();
      await t.waitFor(new RegExp(`job:${job}\\s+● RUNNING`));
      t.type('/');
      t.type(`job:${job}`);
      t.type(KEY.enter);
      await t.waitFor((x) => x.includes(`job:${job}`) && !x.includes(a));
      t.type('f');
      await eventually(async () => (await jobState()) === 'frozen');
      expect(await jobState()).toBe('frozen');
      await t.waitFor(new RegExp(`job:${job}\\s+◇ FROZEN`));
      t.type('f');
      await eventually(async () => (await jobState()) === 'running');
      expect(await jobState()).toBe('running');
    } finally {
      await lxcdeck(runner, ['job', 'kill', job]);
      await lxcdeck(runner, ['job', 'rm', job]);
    }
  });

  it('a freeze rule made in the dialog trips and releases, shown in the status bar', async () => {
    const job = `r${tag}${process.pid}`;
    const source = path.join(os.tmpdir(), `lxcdeck-e2e-rule-${tag}-${process.pid}`);
    fs.writeFileSync(source, '20\n', { mode: 0o644 });
    const jobState = async () => ((JSON.parse((await lxcdeck(runner, ['job', 'ls', '--json'])).stdout) as { name: string; state: string }[]).find((j) => j.name === job))?.state;
    expect((await lxcdeck(runner, ['job', 'run', '--name', job, '--', 'sh', '-c', 'while :; do sleep 1; done'])).code).toBe(0);
    try {
      const t = await open();
      await t.waitFor(`job:${job}`);
      await new Promise((r) => setTimeout(r, 1500)); // the settings store loads after the first frame
      t.type('R');
      await t.waitFor('No freeze rules yet');
      t.type('a');
      await t.waitFor('new freeze rule');
      // a bad field shows its error under it as it is typed, and Enter saves nothing
      t.type('\x15file:rel');
      await t.waitFor('✗ rule source "file:rel" needs an absolute path');
      t.type(KEY.enter); // keys are handled in order: the form is still open for the next ones
      t.type(`\x15file:${source}`);
      await t.waitFor((x) => /▸ source .*\d█/.test(x) && x.includes(`${process.pid}█`) && !x.includes('needs an absolute path'));
      t.type(`\t\x15job:${job}\t\x1550\t\x1540\tguard${tag}`);
      t.type(KEY.enter);
      await t.waitFor(new RegExp(`armed\\s+guard${tag}`));
      t.type(KEY.escape);
      await t.waitFor('rules 1 armed');
      fs.writeFileSync(source, '60\n');
      await eventually(async () => (await jobState()) === 'frozen');
      expect(await jobState()).toBe('frozen');
      await t.waitFor(`TRIPPED guard${tag}`);
      fs.writeFileSync(source, '45\n'); // between the marks: nothing changes
      await new Promise((r) => setTimeout(r, 2500));
      expect(await jobState()).toBe('frozen');
      fs.writeFileSync(source, '30\n');
      await eventually(async () => (await jobState()) === 'running');
      expect(await jobState()).toBe('running');
      await t.waitFor(`release guard${tag}`);
      t.type('R');
      await t.waitFor(new RegExp(`armed\\s+guard${tag}`));
      t.type('d');
      await t.waitFor(`Delete rule guard${tag}?`);
      t.type('y');
      await t.waitFor((x) => !x.includes(`guard${tag} `) || x.includes('removed'));
      t.type(KEY.escape);
      await t.waitFor((x) => !x.includes('rules 1 armed'));
    } finally {
      fs.rmSync(source, { force: true });
      await lxcdeck(runner, ['job', 'kill', job]);
      await lxcdeck(runner, ['job', 'rm', job]);
    }
  });

  it('a job row opens its output in a pane', async () => {
    const job = `o${tag}${process.pid}`;
    expect((await lxcdeck(runner, ['job', 'run', '--name', job, '--', 'sh', '-c', 'echo "out-$((6*7))"; sleep 60'])).code).toBe(0);
    try {
      const t = await open();
      t.type(`/job:${job}\r`);
      await t.waitFor((x) => x.includes(`job:${job}`) && !x.includes(a));
      t.type('a');
      await t.waitFor(`job:${job} · log`);
      await t.waitFor('out-42');
    } finally {
      await lxcdeck(runner, ['job', 'kill', job]);
      await lxcdeck(runner, ['job', 'rm', job]);
    }
  });

  it('re-lays out on resize', async () => {
    const t = await open(140, 40);
    await t.waitFor('LAST MINUTE');
    t.resize(80, 24);
    // the emulator cuts the old lines at once: wait for lxcdeck's own frame at the new size (its corner)
    await t.waitFor((x) => !x.includes('UNPRIV') && x.includes(a) && t.lines()[1]?.[79] === '┐');
    expectFramed(t.lines(), 80, 24);
  });

  it('Ctrl-Z suspends to the shell and fg redraws', async () => {
    const t = new Tui(runner, [], { shell: true, env: { XDG_CONFIG_HOME: configHome, PS1: 'sh$ ' } });
    tui = t;
    const err = `/tmp/lxcdeck-ctrlz-${tag}-${process.pid}.err`;
    try {
      t.type(`${process.execPath} ${BIN} 2>${err}\r`);
      await t.waitFor(a);
      t.type('\x1a');
      await t.waitFor(/Stopped/);
      expect(t.term.buffer.active.type).toBe('normal');
      await t.waitFor(/\$ $/m); // the prompt is back
      t.type('fg\r');
      await eventually(async () => t.term.buffer.active.type === 'alternate', 5000);
      await t.waitFor(a);
      t.type('q');
      // lxcdeck has ended and the shell has the terminal again before the shell is told to exit
      // (typed earlier, "exit" would reach lxcdeck as keys)
      await eventually(async () => t.term.buffer.active.type === 'normal', 10_000);
      await t.waitFor(/\$ $/m);
      t.type('exit\r');
      await t.exited;
    } finally {
      fs.rmSync(err, { force: true });
    }
  });

  it('quitting leaves containers running and restores the terminal', async () => {
    const t = await open();
    t.type('q');
    expect(await t.exited).toBe(0);
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
    expect(t.raw).toContain('\x1b[?1049h');
    const tail = t.raw.slice(t.raw.lastIndexOf('\x1b[?1049l'));
    expect(tail).toContain('\x1b[?1049l');
    expect(tail).toContain('\x1b[?25h');
    expect(t.term.buffer.active.type).toBe('normal');
  });

  it('a SIGHUP thaws what the rules froze, restores the terminal and leaves the job running', async () => {
    const job = `h${tag}${process.pid}`;
    const rule = `hup${tag}`;
    const source = path.join(os.tmpdir(), `lxcdeck-e2e-hup-${tag}-${process.pid}`);
    const dir = path.join(configHome, 'lxcdeck');
    const file = path.join(dir, 'config.json');
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    const jobState = async () => ((JSON.parse((await lxcdeck(runner, ['job', 'ls', '--json'])).stdout) as { name: string; state: string }[]).find((j) => j.name === job))?.state;
    fs.writeFileSync(source, '60\n', { mode: 0o644 });
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o777 });
    fs.writeFileSync(file, JSON.stringify({ ...(before ? (JSON.parse(before) as object) : {}), rules: [{ name: rule, source: `file:${source}`, target: `job:${job}`, high: 50, low: 40 }] }), { mode: 0o666 });
    expect((await lxcdeck(runner, ['job', 'run', '--name', job, '--', 'sh', '-c', 'while :; do sleep 1; done'])).code).toBe(0);
    try {
      const t = await open();
      await t.waitFor(`TRIPPED ${rule}`);
      expect(await jobState()).toBe('frozen');
      t.kill('SIGHUP');
      await t.exited;
      expect(t.exitCode).toBe(129);
      expect(t.raw.slice(t.raw.lastIndexOf('\x1b[?1049h'))).toContain('\x1b[?1049l');
      expect(await jobState()).toBe('running');
    } finally {
      if (before === null) fs.rmSync(file, { force: true });
      else fs.writeFileSync(file, before);
      fs.rmSync(source, { force: true });
      await lxcdeck(runner, ['job', 'kill', job]);
      await lxcdeck(runner, ['job', 'rm', job]);
    }
  });

  it('SIGTERM also restores the terminal and leaves containers running', async () => {
    const t = await open();
    t.kill('SIGTERM');
    await t.exited;
    expect(t.raw.slice(t.raw.lastIndexOf('\x1b[?1049h'))).toContain('\x1b[?1049l');
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
  });
});

describe.skipIf(skip)('first run', () => {
  let lxcpath = '';
  beforeAll(() => {
    lxcpath = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-empty-'));
  });
  afterAll(async () => {
    await run(ROOT, ['lxc-stop', '-k', '-P', lxcpath, '-n', 'demo']);
    await run(ROOT, ['lxc-destroy', '-f', '-P', lxcpath, '-n', 'demo']);
    fs.rmSync(lxcpath, { recursive: true, force: true });
  });

  it('offers a demo container when there is none, and c creates and starts it', async () => {
    const t = new Tui(ROOT, ['-P', lxcpath], { env: { XDG_CONFIG_HOME: lxcpath } });
    try {
      await t.waitFor('No containers in');
      t.type('c');
      await t.waitFor(/demo\s+● RUNNING/, 60_000);
      expect((await run(ROOT, ['lxc-info', '-sH', '-P', lxcpath, '-n', 'demo'])).stdout.trim()).toBe('RUNNING');
      // made by the create plan, as 'lxcdeck create' makes it: the console buffer, ptys for panes, no marker left
      const config = fs.readFileSync(path.join(lxcpath, 'demo', 'config'), 'utf8');
      expect(config).toContain('lxc.console.buffer.size = 128kB');
      expect(config.match(/^lxc\.pty\.max = .*$/gm)).toEqual(['lxc.pty.max = 16']);
      expect(fs.readdirSync(path.join(lxcpath, 'demo')).filter((f) => f.startsWith('lxcdeck-'))).toEqual([]);
    } finally {
      t.type('q');
      await Promise.race([t.exited, new Promise((r) => setTimeout(r, 3000))]);
      t.kill('SIGKILL');
    }
  });
});
