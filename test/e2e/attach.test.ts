import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createBusybox, destroy, hostUnavailable, lxcdeck, REPO, ROOT, run, runInPty, uniqueName, USER, type Runner } from '../integration/host.js';
import * as pty from 'node-pty';
import { LxcdeckError } from '../../src/core/errors.js';
import { sessionEndFromFile } from '../../src/lxc/session.js';
import { Tui } from './harness.js';

const skip = hostUnavailable();
const PS1 = 'host$ ';
/** The host shell's prompt at the end of the screen (as-user starts bash with a clean environment: its own PS1). */
const HOST_PROMPT = /(host|bash-[\d.]+)[$#] $/;
const atPrompt = (s: string) => HOST_PROMPT.test(`${s.trimEnd()} `);

/**
 * `lxcdeck attach` and `console` on the user's own terminal (issue 10):
 * a host shell in a pty runs lxcdeck, as a user would, and the screen and
 * the raw bytes are read back.
 */
describe.skipIf(skip).each([ROOT, USER])('attach on the user terminal, as $label', (runner: Runner) => {
  const tag = runner.unprivileged ? 'u' : 'r';
  const c = uniqueName(`${tag}at`);
  const lxc = `${process.execPath} ${BIN}`;
  let tui: Tui | null = null;
  let rootfs = '';
  let stiDir = '';

  const shell = async (cols = 100, rows = 30) => {
    tui = new Tui(runner, [], { shell: true, cols, rows, env: { PS1 } });
    await tui.waitFor(atPrompt);
    return tui;
  };
  /** Types a command line into the host shell and waits until it printed `done` (a computed marker, not the echo). */
  const line = async (t: Tui, command: string, done: RegExp, timeoutMs = 30_000) => {
    t.type(`${command}\r`);
    return t.waitFor(done, timeoutMs);
  };

  beforeAll(async () => {
    await destroy(runner, [c]);
    await createBusybox(runner, c);
    expect((await lxcdeck(runner, ['start', c])).code).toBe(0);
    const info = JSON.parse((await lxcdeck(runner, ['info', c, '--json'])).stdout) as { rootfs: string };
    rootfs = info.rootfs.replace(/^dir:/, '');
    stiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-sti-'));
    const bin = path.join(stiDir, 'sti');
    execFileSync('gcc', ['-static', '-O2', '-o', bin, path.join(REPO, 'test/e2e/fixtures/sti-type.c')]);
    fs.copyFileSync(bin, path.join(rootfs, 'bin', 'ldt-sti'));
    fs.chmodSync(path.join(rootfs, 'bin', 'ldt-sti'), 0o755);
    // container programs that print hostile sequences: OSC 2/52/8, DCS, APC, DSR 6, DA, and colours
    const script = (file: string, body: string) => fs.writeFileSync(path.join(rootfs, 'bin', file), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    script('ldt-hostile', String.raw`printf '\033]2;PW1NED\007\033]52;c;cHduZWQ=\007\033]8;;http://x/\007LINK\033]8;;\007\033P+q544e\033\\\033_APC\033\\\033[6n\033[c\033[31mRED-%s\033[0m\n' "$1"`);
    script('ldt-title', String.raw`printf '\033]2;%s\007' "$1"`);
  });
  afterEach(() => {
    tui?.kill('SIGKILL');
    tui = null;
  });
  afterAll(async () => {
    await destroy(runner, [c]);
    fs.rmSync(stiDir, { recursive: true, force: true });
  });

  it('TIOCSTI from the container cannot type into the host shell that ran attach', async () => {
    const marker = `/tmp/lxcdeck-sti-proof-${tag}-${process.pid}`;
    fs.rmSync(marker, { force: true });
    try {
      const t = await shell();
      await line(t, `${lxc} attach ${c} -- /bin/ldt-sti 'touch ${marker}\n'; echo "AFTER-$((1+1))"`, /^AFTER-2/m);
      // the program pushed its text (into its own pty): the attack ran, it just landed in the container
      expect(t.text()).toMatch(/STI stdin: pushed/);
      // anything pushed into this shell's input runs before the next line typed here
      await line(t, 'echo "FIN-$((2+2))"', /^FIN-4/m);
      expect(fs.existsSync(marker)).toBe(false);
      expect(t.text()).not.toMatch(/touch: /);
    } finally {
      fs.rmSync(marker, { force: true });
    }
  });

  it("the program's terminal is a /dev/pts/N that exists inside the container; stty size follows a resize", async () => {
    const t = await shell(100, 30);
    await line(t, `${lxc} attach ${c}`, /# $/m);
    t.type('tty; ls /dev/pts; echo "TTY-$((3+4))"\r');
    const screen = await t.waitFor(/^TTY-7/m);
    const pts = /^\/dev\/pts\/(\d+)\s*$/m.exec(screen);
    expect(pts).not.toBeNull();
    const listing = screen.slice(screen.indexOf(pts?.[0] ?? '') + (pts?.[0].length ?? 0), screen.indexOf('TTY-7'));
    expect(listing.split(/\s+/)).toContain(pts?.[1]);
    t.type('clear; stty size\r');
    await t.waitFor(/^30 100\s*$/m);
    t.resize(90, 24);
    t.type('clear; stty size\r');
    await t.waitFor(/^24 90\s*$/m);
    t.type('exit\r');
    await t.waitFor(atPrompt);
  });

  it('the bytes lxcdeck writes carry no OSC 2/52/8, DCS or cursor query from the container; colours pass', async () => {
    const t = await shell();
    const before = t.raw.length;
    await line(t, `${lxc} attach ${c} -- /bin/ldt-hostile $((1+1)); echo "END-$((4+4))"`, /END-8$/m);
    const out = t.raw.slice(before);
    // what the container printed, between the command line's echo and END
    const printed = out.slice(out.indexOf('\n'), out.lastIndexOf('END-8'));
    const od = execFileSync('od', ['-c'], { input: Buffer.from(printed, 'utf8') }).toString();
    expect(od).not.toMatch(/033\s+\]/);
    expect(od).not.toMatch(/033\s+P/);
    expect(od).not.toMatch(/033\s+_/);
    expect(printed).not.toContain('\x1b[6n');
    expect(printed).not.toContain('\x1b[c');
    expect(printed).toContain('\x1b[31mRED-2\x1b[0m');
    expect(printed).toContain('LINK');
    // --raw opts out, with a warning
    const mark = t.raw.length;
    await line(t, `${lxc} attach --raw ${c} -- /bin/ldt-title RAW-$((5+5)); echo "RAWEND-$((1+2))"`, /RAWEND-3$/m);
    const rawOut = t.raw.slice(mark);
    expect(rawOut).toContain('\x1b]2;RAW-10\x07');
    expect(rawOut).toMatch(/lxcdeck: warning: --raw/);
  });

  it("the terminal is raw while attached and restored after, also when lxcdeck is killed by SIGTERM", async () => {
    const t = await shell();
    // sh, not the interactive bash: bash would put the terminal back itself after a job dies
    t.type(`sh -c '${lxc} attach ${c}; echo "CODE-$?"; stty -a'\r`);
    await t.waitFor(/# $/m);
    // lxcdeck itself (node ... attach), not the shells around it
    const self = `^${process.execPath} ${BIN} attach ${c}$`;
    // as root: the pty the test made belongs to root, even when lxcdeck runs as the test user
    const modes = await run(ROOT, ['sh', '-c', `stty -a < /proc/$(pgrep -f "${self}")/fd/0`]);
    expect(modes.stdout).toMatch(/-icanon/);
    expect(modes.stdout).toMatch(/-echo /);
    expect((await run(ROOT, ['pkill', '-TERM', '-f', self])).code).toBe(0);
    const screen = await t.waitFor(/CODE-143$/m);
    const after = screen.slice(screen.indexOf('CODE-143'));
    expect(after).toMatch(/ icanon/);
    expect(after).toMatch(/ echo /);
    // no helper left behind
    const left = await run(runner, ['pgrep', '-f', `lxcdeck-helper attach ${c}`]);
    expect(left.stdout.trim()).toBe('');
  });

  it('vi, less and top draw through the filter', async () => {
    const t = await shell(100, 30);
    await line(t, `${lxc} attach ${c}`, /# $/m);
    t.type('top\r');
    // top homes the cursor and redraws: its header on the first rows, the process table below
    await t.waitFor((s) => /^Mem: /.test(s) && /^CPU:/m.test(s) && /PID\s+PPID\s+USER/.test(s));
    t.type('q');
    await t.waitFor(/# $/m);
    t.type('seq 1 500 > /tmp/n; less /tmp/n\r');
    await t.waitFor((s) => /^1\s*$/m.test(s) && /^29\s*$/m.test(s));
    t.type('G');
    await t.waitFor((s) => /^500\s*$/m.test(s) && !/^1\s*$/m.test(s));
    t.type('q');
    await t.waitFor(/# $/m);
    t.type('vi /tmp/ldt-vi\r');
    await t.waitFor((s) => (s.match(/^~\s*$/gm) ?? []).length >= 20);
    t.type('ihello-vi\x1b');
    const screen = await t.waitFor(/^hello-vi\s*$/m);
    expect(screen.split('\n')[0]).toBe('hello-vi');
    t.type(':q!\r');
    await t.waitFor(/# $/m);
    t.type('exit\r');
    await t.waitFor(atPrompt);
  });

  it("the command's own exit status comes back; a helper status number from the program is just that", async () => {
    for (const code of [0, 3, 123, 125]) {
      const r = await lxcdeck(runner, ['attach', c, '--', 'sh', '-c', `exit ${code}`]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: '' });
    }
    const t = await shell();
    await line(t, `${lxc} attach ${c} -- sh -c 'exit 123'; echo "STATUS-$?"`, /^STATUS-123/m);
    expect(t.text()).not.toMatch(/lxcdeck:/);
  });

  it('console -t 64 fails with one lxcdeck line and exit status 2, on a terminal and off one', async () => {
    const off = await lxcdeck(runner, ['console', c, '-t', '64']);
    expect(off.code).toBe(2);
    expect(off.stdout).toBe('');
    expect(off.stderr).toMatch(new RegExp(`^lxcdeck: container ${c} has no tty 64 \\(lxc\\.tty\\.max = \\d+\\): use -t 0 for the console or a tty from 1 to lxc\\.tty\\.max\\n$`));
    const on = await runInPty(runner, `${lxc} console ${c} -t 64; echo "CODE-$?"`, []);
    const lines = on.stdout.split(/\r?\n/).filter(Boolean);
    expect(lines).toEqual([expect.stringMatching(/^lxcdeck: container .* has no tty 64 /), 'CODE-2']);
  });

  it('a pane-style run (the helper in node-pty, reports in LXCDECK_STATUS_FILE) tells the program\'s status from a helper failure', async () => {
    const helper = path.join(REPO, 'native', 'build', 'lxcdeck-helper');
    const lxcpath = JSON.parse((await lxcdeck(runner, ['info', c, '--json'])).stdout).configFile.replace(/\/[^/]+\/config$/, '');
    const runPane = (args: string[]) =>
      new Promise<{ code: number; end: ReturnType<typeof sessionEndFromFile> }>((resolve) => {
        const file = path.join(stiDir, `status-${Math.random().toString(36).slice(2)}`);
        // as-user runs it as the test user (the status file is created by the helper, so the dir must be writable)
        const argv = [...runner.prefix, 'env', `LXCDECK_STATUS_FILE=${file}`, helper, ...args];
        const p = pty.spawn(argv[0] as string, argv.slice(1), { name: 'xterm-256color', cols: 80, rows: 24, cwd: '/', env: process.env as Record<string, string> });
        p.onExit(({ exitCode }) => resolve({ code: exitCode, end: sessionEndFromFile(file) }));
      });
    fs.chmodSync(stiDir, 0o777);
    const program = await runPane(['attach', c, lxcpath, '--', 'sh', '-c', 'exit 123']);
    expect(program).toEqual({ code: 123, end: { kind: 'exit', code: 123 } });
    const failure = await runPane(['console', c, lxcpath, '64', '0']);
    expect(failure.code).toBe(125);
    expect(failure.end).toBeInstanceOf(LxcdeckError);
    expect((failure.end as LxcdeckError).exitCode).toBe(2);
  });

  it('console on tty 1 shows the getty and Ctrl-a q detaches with status 0', async () => {
    const t = await shell();
    await line(t, `${lxc} console ${c} -t 1`, /Connected to .* tty 1\. Type Ctrl-a q to detach\./);
    t.type('\r');
    await t.waitFor(/login: $/m);
    t.type('\x01q');
    await t.waitFor(atPrompt);
    await line(t, 'echo "CONSOLE-$?"', /^CONSOLE-0/m);
    // the helper left nothing behind
    const left = await run(runner, ['pgrep', '-f', `lxcdeck-helper console ${c}`]);
    expect(left.stdout.trim()).toBe('');
  });
});
