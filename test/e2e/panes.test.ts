import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, eventually, hostUnavailable, lxcdeck, lxcInfoState, REPO, ROOT, run, uniqueName, USER, type Runner } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();
const PREFIX = '\x02'; // Ctrl-b
/** busybox sh's prompt at the end of a pane line (the pane's right border after it). */
const PROMPT = /# +│$/m;

/** Occurrences of a string on the screen. */
const count = (screen: string, s: string) => screen.split(s).length - 1;

describe.skipIf(skip).each([ROOT, USER])('pty panes, end to end, as $label', (runner: Runner) => {
  const tag = runner.unprivileged ? 'u' : 'r';
  const a = uniqueName(`${tag}p1`);
  const b = uniqueName(`${tag}p2`);
  // made in beforeAll: a filter that skips every test would leave it behind
  let configHome = '';
  let tui: Tui | null = null;

  const open = async (cols = 120, rows = 36) => {
    tui = new Tui(runner, [], { cols, rows, env: { XDG_CONFIG_HOME: configHome } });
    await tui.waitFor(a);
    return tui;
  };
  const only = (t: Tui, name: string) => t.filterTo(name, name === a ? b : a);
  /** Attaches a shell pane to `name` and waits for its prompt. */
  const attach = async (t: Tui, name: string) => {
    await only(t, name);
    t.type('a');
    await t.waitFor(`${name} · shell`);
    await t.waitFor(PROMPT);
  };
  const rootfsOf = async (name: string) => {
    const info = JSON.parse((await lxcdeck(runner, ['info', name, '--json'])).stdout) as { rootfs: string };
    return info.rootfs.replace(/^dir:/, '');
  };

  beforeAll(async () => {
    configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-panes-'));
    fs.chmodSync(configHome, 0o777);
    // every test starts from an empty workspace, not the one the test before quit with (restoreLastWorkspace)
    const dir = path.join(configHome, 'lxcdeck');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ restoreLastWorkspace: false }));
    fs.chmodSync(dir, 0o777);
    fs.chmodSync(path.join(dir, 'config.json'), 0o666);
    await destroy(runner, [a, b]);
    await createBusybox(runner, a);
    await createBusybox(runner, b);
    expect((await lxcdeck(runner, ['start', a])).code).toBe(0);
    expect((await lxcdeck(runner, ['start', b])).code).toBe(0);
  });
  afterEach(async () => {
    await tui?.close(`${PREFIX}d`);
    tui = null;
  });
  afterAll(async () => {
    await destroy(runner, [a, b]);
    fs.rmSync(configHome, { recursive: true, force: true });
  });

  it('attaches a shell in a pane beside the list: echo $((6*7)) shows 42', async () => {
    const t = await open();
    await attach(t, a);
    t.type('echo $((6*7))\r');
    const screen = await t.waitFor(/^.*│42\s*│?$/m);
    // the list is still there, beside the pane
    expect(screen).toMatch(new RegExp(`${a}\\s+● RUNNING`));
    expect(screen).toContain('PANE');
  });

  it('a shell pane runs the configured paneShell command', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-paneshell-'));
    fs.mkdirSync(path.join(home, 'lxcdeck'));
    fs.writeFileSync(path.join(home, 'lxcdeck', 'config.json'), JSON.stringify({ paneShell: ['/bin/sh', '-c', 'echo "CONFIGURED-$((3*3))"; exec /bin/sh'] }));
    execFileSync('chmod', ['-R', 'a+rwX', home]);
    try {
      tui = new Tui(runner, [], { cols: 120, rows: 36, env: { XDG_CONFIG_HOME: home } });
      const t = tui;
      await t.waitFor(a);
      await only(t, a);
      t.type('a');
      await t.waitFor(/│CONFIGURED-9\s*│/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('two shells on two containers: typing in one does not reach the other', async () => {
    const t = await open();
    await attach(t, a);
    // back to the list (the pane prefix, then o), pick the other container, attach again
    t.type(`${PREFIX}o`);
    await t.waitFor((s) => !s.includes('keys go to the pane'));
    t.type(`/\x15${b}\r`); // / edits the current filter: Ctrl-U erases it first
    await t.waitFor(`filter: ${b}`);
    t.type('a');
    await t.waitFor(`${b} · shell`);
    await t.waitFor((s) => count(s, `${a} · shell`) === 1 && count(s, `${b} · shell`) === 1);
    await eventually(async () => (t.text().match(/# +│/g) ?? []).length >= 2, 10_000);
    t.type('echo "B-$((20+3))"; hostname\r');
    const screen = await t.waitFor((s) => s.includes('B-23'));
    // the command line and its output, in one pane only
    expect(count(screen, 'echo "B-$((20+3))"')).toBe(1);
    expect(count(screen, 'B-23')).toBe(1);
    // the other pane still answers for itself
    t.type(`${PREFIX}${KEY.right}`);
    await t.waitFor(`▶ ${a} · shell`);
    t.type('echo "A-$((30+4))"\r');
    const after = await t.waitFor((s) => count(s, 'A-34') === 1);
    expect(count(after, 'echo "A-$((30+4))"')).toBe(1);
    expect(count(after, 'B-23')).toBe(1);
  });

  it('the program sees the pane size: stty size follows resizes of the terminal and of the pane', async () => {
    const t = await open(120, 36);
    await attach(t, a);
    // 120 columns: the pane takes the right half (60), minus its border
    t.type('stty size\r');
    await t.waitFor(/│32 58\s*│/);
    t.resize(140, 40);
    await t.waitFor((s) => s.split('\n').some((l) => l.length > 125));
    t.type('clear; stty size\r');
    await t.waitFor(/│36 68\s*│/);
    // move the pane's left edge 4 cells right
    t.type(`${PREFIX}L`);
    t.type('clear; stty size\r');
    await t.waitFor(/│36 64\s*│/);
  });

  it("the console pane shows what the ring buffer held before anyone attached", async () => {
    const c = uniqueName(`${tag}p3`);
    await destroy(runner, [c]);
    await createBusybox(runner, c);
    try {
      const t = await open();
      await only(t, c);
      t.type('B'); // enable the ring buffer, from the next start: a plan, previewed first
      await t.waitFor((x) => x.includes('Enter applies') && x.includes('lxc.console.buffer.size: (unset) -> 128kB'));
      t.type(KEY.enter);
      await t.waitFor((x) => /lxc\.console\.buffer\.size.*: done/.test(x) || x.includes("done — Enter or Esc closes"));
      t.type(KEY.escape);
      // an Esc followed at once by a key reads as Alt+key: wait for the overlay to go
      await t.waitFor((x) => !x.includes('done — Enter or Esc closes'));
      const config = (JSON.parse((await lxcdeck(runner, ['info', c, '--json'])).stdout) as { configFile: string }).configFile;
      expect(fs.readFileSync(config, 'utf8').split('\n').filter((l) => l.includes('lxc.console.buffer.size'))).toEqual(['lxc.console.buffer.size = 128kB']);
      t.type('s');
      await t.waitFor(new RegExp(`${c}\\s+● RUNNING`), 30_000);
      const mark = `RING-${process.pid}`;
      expect((await lxcdeck(runner, ['attach', c, '--', 'sh', '-c', `echo ${mark}-$((1+1)) > /dev/console`])).code).toBe(0);
      t.type('C');
      await t.waitFor(`${c} · console`);
      await t.waitFor(`${mark}-2`);
    } finally {
      await destroy(runner, [c]);
    }
  });

  it('container escape sequences never reach the host terminal; TIOCSTI cannot type into lxcdeck', async () => {
    const bin = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-tiocsti-')), 'tiocsti');
    execFileSync('gcc', ['-static', '-O2', '-o', bin, path.join(REPO, 'test/e2e/fixtures/tiocsti.c')]);
    const target = path.join(await rootfsOf(a), 'bin', 'ldt-tiocsti');
    fs.copyFileSync(bin, target);
    fs.chmodSync(target, 0o755);
    try {
      const t = await open();
      await attach(t, a);
      const before = t.raw.length;
      // OSC 0 title, OSC 52 clipboard, OSC 8 hyperlink, a DCS query, DSR cursor report, DA
      t.type(`printf '\\033]0;%s\\007' "PW$((1))NED"; printf '\\033]52;c;cHduZWQ=\\007\\033]8;;http://x/\\007LINK\\033]8;;\\007\\033P+q544e\\033\\\\\\033[6n\\033[c'; echo; echo SEQ-DONE\r`);
      await t.waitFor(/SEQ-DONE\s*│/);
      // the emulator answered DSR and DA while it parsed them, before SEQ-DONE was drawn: the
      // answers are already the shell's input, like a real terminal's; clear the line
      const prompts = (x: string) => (x.slice(x.lastIndexOf('SEQ-DONE')).match(/\/ #/g) ?? []).length;
      await t.waitFor((x) => prompts(x) >= 1);
      // ash's line editor may still be inside the answers' escape sequences, where a Ctrl-C is
      // swallowed: interrupt until it prints a fresh prompt (the one before had the answers on it)
      for (let i = 0; i < 5 && prompts(t.text()) < 2; i++) {
        t.type('\x03');
        await t.waitFor((x) => prompts(x) >= 2, 1000).catch(() => undefined);
      }
      expect(prompts(t.text())).toBeGreaterThanOrEqual(2);
      t.type('ldt-tiocsti\r');
      await t.waitFor('TIOCSTI done');
      // whatever it pushed was read before this line: the shell takes its input in order (what
      // it pushed lands on the container's own pty, so the shell runs it first: a line of its own)
      t.type('\recho AFTER-$((6*7))\r');
      await t.waitFor('AFTER-42');
      const out = t.raw.slice(before);
      expect(out).not.toMatch(/\x1b\][0-9]*;[^\x07\x1b]*PW1NED/);
      expect(out).not.toMatch(/\x1b\]52;/);
      expect(out).not.toMatch(/\x1b\]8;/);
      expect(out).not.toMatch(/\x1bP/);
      expect(out).not.toMatch(/\x1b\[6n|\x1b\[c/);
      // the title landed in the emulator: shown in the pane border, sanitised
      await t.waitFor(`${a} · shell · PW1NED`);
      // lxcdeck did not receive the pushed "q": still running, list still drawn
      expect(t.exitCode).toBe(null);
      expect(t.text()).toMatch(new RegExp(`${a}\\s+● RUNNING`));
    } finally {
      fs.rmSync(target, { force: true });
      fs.rmSync(path.dirname(bin), { recursive: true, force: true });
    }
  });

  it('TIOCSTI in a pane types into the container\'s own pty only: the text runs in the container, never on the host', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-sti-pane-'));
    const bin = path.join(dir, 'sti');
    execFileSync('gcc', ['-static', '-O2', '-o', bin, path.join(REPO, 'test/e2e/fixtures/sti-type.c')]);
    const root = await rootfsOf(a);
    const target = path.join(root, 'bin', 'ldt-sti');
    fs.copyFileSync(bin, target);
    fs.chmodSync(target, 0o755);
    const marker = `/tmp/lxcdeck-sti-pane-${tag}-${process.pid}`;
    fs.rmSync(marker, { force: true });
    fs.rmSync(path.join(root, marker), { force: true });
    try {
      const t = await open();
      await attach(t, a);
      t.type(`ldt-sti 'touch ${marker}\n'\r`);
      await t.waitFor('STI done');
      // the pushed line reaches the shell in the pane (inside the container) before this one
      t.type('echo "PANE-$((3*3))"\r');
      await t.waitFor(/│PANE-9\s*│/);
      expect(fs.existsSync(marker)).toBe(false);
      expect(fs.existsSync(path.join(root, marker))).toBe(true);
    } finally {
      fs.rmSync(target, { force: true });
      fs.rmSync(marker, { force: true });
      fs.rmSync(path.join(root, marker), { force: true });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a pane's program has a terminal of the container's own devpts, not a host pty", async () => {
    const t = await open();
    await attach(t, a);
    // same filesystem device as the container's /dev/pts: the pty came from its devpts instance
    t.type('[ "$(stat -c %d /dev/pts/ptmx)" = "$(stat -L -c %d /proc/self/fd/0)" ] && echo "OWN-$((1+1))" || echo "HOST-$((1+2))"; tty\r');
    // both lines: tty's may come a pane frame after the echo's
    const screen = await t.waitFor(/│(OWN-2|HOST-3)\s*│[^]*│\/dev\/pts\/\d+\s*│/);
    expect(screen).toMatch(/│OWN-2\s*│/);
  });

  it('the attached shell sees only fds 0 1 2 (besides the copy of its tty busybox sh makes for job control)', async () => {
    const t = await open(200, 40);
    await attach(t, a);
    // ls straight to the pane: no pipe or command substitution adds an fd to the shell
    t.type('ls -l /proc/$$/fd; echo END\r');
    const screen = await t.waitFor(/│END\s*│$/m);
    const fds = new Map([...screen.matchAll(/ (\d+) -> (\S+)/g)].map((m) => [Number(m[1]), m[2] as string]));
    const shell = [...fds.keys()].filter((fd) => fd !== 10).sort((x, y) => x - y);
    expect(shell).toEqual([0, 1, 2]);
    // ash opens its controlling tty again for job control (fd 10)
    if (fds.has(10)) expect(['/dev/tty', fds.get(0)]).toContain(fds.get(10));
  });

  it('a pane says why its program ended and Enter re-attaches', async () => {
    const t = await open();
    await attach(t, a);
    t.type('exit 7\r');
    await t.waitFor('exited 7: Enter re-attaches');
    t.type(KEY.enter);
    await t.waitFor('re-attached');
    t.type('echo "again-$((2*3))"\r');
    await t.waitFor('again-6');
  });

  it('zoom, scroll mode and search, close', async () => {
    const t = await open();
    await attach(t, a);
    t.type('seq 1 3000\r');
    await t.waitFor(/│3000\s*│/);
    t.type(`${PREFIX}z`);
    await t.waitFor((s) => !new RegExp(`${a}\\s+● RUNNING`).test(s));
    t.type(`${PREFIX}[`);
    await t.waitFor('SCROLL');
    t.type('/');
    t.type('1234');
    t.type(KEY.enter);
    await t.waitFor(/│1234\s*│/);
    t.type('q');
    await t.waitFor((s) => !s.includes('SCROLL'));
    t.type(`${PREFIX}z`);
    await t.waitFor(new RegExp(`${a}\\s+● RUNNING`));
    t.type(`${PREFIX}x`);
    await t.waitFor('keeps running');
    t.type('y');
    await t.waitFor((s) => !s.includes(`${a} · shell`));
  });

  it('a paste reaches the program whole; scroll mode copies a selection out (OSC 52 and a file)', async () => {
    const stateHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-state-'));
    fs.chmodSync(stateHome, 0o777);
    tui = new Tui(runner, [], { cols: 120, rows: 36, env: { XDG_CONFIG_HOME: configHome, XDG_STATE_HOME: stateHome } });
    const t = tui;
    try {
      await t.waitFor(a);
      await attach(t, a);
      // the host terminal's bracketed paste (lxcdeck turned it on: ?2004h)
      expect(t.raw).toContain('\x1b[?2004h');
      t.type('\x1b[200~echo "P-$((5*5))"\r\x1b[201~');
      await t.waitFor(/│P-25\s*│/);
      t.type(`${PREFIX}[`);
      await t.waitFor('SCROLL');
      t.type('k'); // the line cursor starts on the prompt: up to the output line
      t.type('v');
      t.type('y');
      await t.waitFor('copied 1 line');
      const copied = Buffer.from('P-25').toString('base64');
      expect(t.raw).toContain(`\x1b]52;c;${copied}\x07`);
      expect(fs.readFileSync(path.join(stateHome, 'lxcdeck', 'copied.txt'), 'utf8')).toBe('P-25');
    } finally {
      fs.rmSync(stateHome, { recursive: true, force: true });
    }
  });

  it('mouse reports pass through to a program that asks for them (SGR), relative to the pane', async () => {
    const t = await open();
    await attach(t, a);
    t.type("printf '\\033[?1000h\\033[?1006h'; cat -v\r");
    // cat is reading once the command line has scrolled up and the cursor sits on an empty line
    await t.waitFor(/cat -v\s*│\n.*││\s*│/);
    // a click in the pane's 5th column, 3rd row: the pane's inside starts at column 61, row 2 (0-based)
    const click = (button: number) => `\x1b[M${String.fromCharCode(32 + button, 32 + 61 + 5, 32 + 2 + 3)}`;
    // blessed can drop a click that lands mid-render (as in the list test): click until one arrives
    for (let attempt = 0; attempt < 3 && !/\^\[\[<0;5;3M/.test(t.text()); attempt++) {
      t.type(click(0));
      await new Promise((r) => setTimeout(r, 300));
      t.type(click(3));
      await new Promise((r) => setTimeout(r, 300));
      t.type('\r');
      await eventually(async () => {
        await new Promise<void>((r) => t.term.write('', r));
        return /\^\[\[<0;5;3M/.test(t.text());
      }, 3000);
    }
    expect(t.text()).toMatch(/\^\[\[<0;5;3M/);
    t.type('\x03');
  });

  it('top and vi redraw at the new size after a resize', async () => {
    const t = await open(120, 36);
    await attach(t, a);
    t.type('top\r');
    await t.waitFor(/│Mem: .*│/);
    t.resize(150, 44);
    // 150 columns: the pane is 75 wide; top fills its 40 rows and its header fits
    await t.waitFor((s) => s.split('\n').filter((l) => /│\s*\d+\s+\d+\s+root/.test(l)).length >= 1 && /│Mem: .*│$/m.test(s));
    t.type('q');
    await t.waitFor(PROMPT);
    t.type('vi /tmp/ldt-vi\r');
    await t.waitFor(/│~\s*│/);
    t.type('ihello-vi\x1b');
    await t.waitFor('hello-vi');
    t.resize(120, 36);
    // vi repaints: the text stays, the tildes fill the smaller pane, the status line is at the bottom
    const tildes = (s: string) => (s.match(/│~\s*│/g) ?? []).length;
    const screen = await t.waitFor((s) => s.includes('hello-vi') && s.split('\n').every((l) => l.length <= 120) && tildes(s) >= 25 && tildes(s) <= 31);
    expect(screen).toMatch(/│hello-vi\s*│/);
    t.type(':q!\r');
    await t.waitFor(PROMPT);
  });

  it('a pane whose container stops says so', async () => {
    const c = uniqueName(`${tag}p4`);
    await destroy(runner, [c]);
    await createBusybox(runner, c);
    try {
      expect((await lxcdeck(runner, ['start', c])).code).toBe(0);
      const t = await open();
      await attach(t, c);
      await run(runner, ['lxc-stop', '-k', '-n', c]);
      await t.waitFor('container stopped: Enter re-attaches');
    } finally {
      await destroy(runner, [c]);
    }
  });

  it('at 80x24 a pane opens below the list; zoom gives it the whole screen', async () => {
    const t = await open(80, 24);
    await attach(t, a);
    t.type('stty size\r');
    // below the list: the whole width (78 inside), half of the 22 rows between header and status bar
    const screen = await t.waitFor(/│9 78\s*│/);
    expect(screen).toMatch(new RegExp(`${a}\\s+● RUNNING`));
    // the pane's frame spans the whole 80 columns, below the list
    const top = t.lines().findIndex((l) => l.includes(`${a} · shell`));
    const listTop = t.lines().findIndex((l) => l.includes('containers'));
    expect(top).toBeGreaterThan(listTop);
    expect('┌├').toContain(t.lines()[top]?.[0]);
    expect('┐┤').toContain(t.lines()[top]?.[79]);
    t.type(`${PREFIX}z`);
    t.type('clear; stty size\r');
    await t.waitFor(/│20 78\s*│/);
  });

  it('quitting with panes open leaves the containers running', async () => {
    const t = await open();
    await attach(t, a);
    t.type(`${PREFIX}d`);
    await t.waitFor('Quit? 1 pane program will end');
    t.type('y');
    expect(await t.exited).toBe(0);
    expect(await lxcInfoState(runner, a)).toBe('RUNNING');
    expect(await lxcInfoState(runner, b)).toBe('RUNNING');
    const tail = t.raw.slice(t.raw.lastIndexOf('\x1b[?1049l'));
    expect(tail).toContain('\x1b[?25h');
    // no attach helper left behind
    const left = await run(runner, ['pgrep', '-f', `lxcdeck-helper attach ${a}`]);
    expect(left.stdout.trim()).toBe('');
  });
});
