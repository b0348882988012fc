import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, hostUnavailable, REPO, uniqueName } from './host.js';

/**
 * Start-up: which modules each CLI command loads (not how long it takes).
 * Both ways bin runs a command: the bundle (dist/src/lxcdeck.cjs, built by
 * scripts/bundle.mjs) and the ES modules (LXCDECK_NO_BUNDLE=1).
 */
const skip = hostUnavailable();
const TRACE = path.join(REPO, 'test', 'fixtures', 'module-trace.mjs');
const BUNDLE = path.join(REPO, 'dist', 'src', 'lxcdeck.cjs');
const TUI_ONLY = /node_modules\/(blessed|@xterm\/headless|node-pty)\//;
/** The blessed widget modules the workstation loads: the screen, the box, and what those two require. */
const BLESSED_WIDGETS = ['screen', 'node', 'element', 'box', 'log', 'scrollablebox', 'scrollabletext'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-trace-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function modulesOf(args: string[], noBundle: boolean): { status: number | null; modules: string[]; stderr: string } {
  const out = path.join(tmp, `${args.join('_').replace(/\W/g, '')}-${noBundle ? 'esm' : 'bundle'}.txt`);
  const r = spawnSync(process.execPath, ['--import', TRACE, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LXCDECK_TRACE_OUT: out, LXCDECK_NO_BUNDLE: noBundle ? '1' : '' },
  });
  return { status: r.status, stderr: r.stderr, modules: fs.readFileSync(out, 'utf8').split('\n').filter(Boolean) };
}

const missing = uniqueName('nosuch');
// args, exit status, and whether it loads koffi (liblxc), commander (outside the fast path; --help's fast text exists only in the bundle), conf (settings)
const COMMANDS: { args: string[]; status: number; koffi: boolean; commander: boolean; conf: boolean }[] = [
  { args: ['--help'], status: 0, koffi: false, commander: true, conf: false },
  { args: ['help', 'ls'], status: 0, koffi: false, commander: true, conf: false },
  { args: ['--version'], status: 0, koffi: true, commander: false, conf: false },
  { args: ['ls', '--json'], status: 0, koffi: true, commander: false, conf: false },
  { args: ['ls'], status: 0, koffi: true, commander: false, conf: false },
  { args: ['freeze', missing], status: 3, koffi: true, commander: false, conf: false },
  { args: ['thaw', missing], status: 3, koffi: true, commander: false, conf: false },
  { args: ['info', missing], status: 3, koffi: true, commander: true, conf: false },
  { args: ['net', 'down', 'nosuchnet'], status: 3, koffi: false, commander: false, conf: false },
  { args: ['job', 'ls', '--json'], status: 0, koffi: false, commander: true, conf: false },
  { args: ['keys', '--json'], status: 0, koffi: false, commander: true, conf: true },
];

describe.skipIf(skip)('CLI module graph', () => {
  it('the bundle exists, is fresh, and has none of the TUI packages inside', () => {
    expect(fs.statSync(BUNDLE).mtimeMs).toBeGreaterThanOrEqual(fs.statSync(path.join(REPO, 'dist', 'src', 'main.js')).mtimeMs);
    const inputs = JSON.parse(fs.readFileSync(`${BUNDLE}.inputs.json`, 'utf8')) as string[];
    expect(inputs.length).toBeGreaterThan(20);
    expect(inputs.filter((f) => TUI_ONLY.test(f) || /\/src\/ui\//.test(f))).toEqual([]);
  });

  it('the TUI bundle exists, is fresh, carries the workstation and the blessed modules it uses, and leaves the native and terminal packages outside', () => {
    const tui = path.join(REPO, 'dist', 'src', 'tui.cjs');
    expect(fs.statSync(tui).mtimeMs).toBeGreaterThanOrEqual(fs.statSync(path.join(REPO, 'dist', 'src', 'main.js')).mtimeMs);
    const inputs = JSON.parse(fs.readFileSync(`${tui}.inputs.json`, 'utf8')) as string[];
    expect(inputs.some((f) => f.endsWith('dist/src/ui/app.js'))).toBe(true);
    expect(inputs.some((f) => f.endsWith('dist/src/main/tui.js'))).toBe(true);
    expect(inputs.filter((f) => /node_modules\/(@xterm\/headless|node-pty|koffi)\//.test(f))).toEqual([]);
    // blessed's screen and box and what they build on, not its index nor the widgets it would load with it
    const widgets = inputs.filter((f) => /node_modules\/blessed\/lib\/widgets\//.test(f)).map((f) => path.basename(f, '.js'));
    expect(widgets.sort()).toEqual([...BLESSED_WIDGETS].sort());
    expect(inputs.filter((f) => /node_modules\/blessed\/lib\/(blessed|widget)\.js$/.test(f))).toEqual([]);
  });

  for (const noBundle of [false, true]) {
    for (const { args, status, koffi, commander, conf } of COMMANDS) {
      it(`lxcdeck ${args.join(' ')} (${noBundle ? 'ES modules' : 'bundle'}) loads no TUI package${koffi ? '' : ', nor koffi'}`, () => {
        const r = modulesOf(args, noBundle);
        expect(r.status, r.stderr).toBe(status);
        expect(r.modules.some((m) => m.includes('/bin/lxcdeck.js'))).toBe(true);
        // the bundle path runs from one file; the ES path from dist/src
        expect(r.modules.some((m) => m.endsWith('/dist/src/main.js'))).toBe(noBundle);
        // the bundles: the fast commands run from the small fast.cjs alone, the others from lxcdeck.cjs after it
        const bundles = r.modules.filter((m) => m.endsWith('.cjs')).map((m) => path.basename(m));
        // (--help too: the bundle carries commander's text for a stdout that is no terminal)
        const fast = !commander || args[0] === '--help';
        expect(bundles).toEqual(noBundle ? [] : fast ? ['fast.cjs'] : ['fast.cjs', 'lxcdeck.cjs']);
        expect(r.modules.filter((m) => TUI_ONLY.test(m) || m.includes('/dist/src/ui/'))).toEqual([]);
        expect(r.modules.some((m) => /node_modules\/koffi\//.test(m))).toBe(koffi);
        expect(r.modules.some((m) => /node_modules\/conf\//.test(m))).toBe(conf);
        // the bundle carries commander inside it: only the ES path shows whether it loads
        if (noBundle) expect(r.modules.some((m) => /node_modules\/commander\//.test(m))).toBe(commander);
      });
    }
  }

  it("the bundle's --help (no commander) is commander's own text when stdout is not a terminal", () => {
    const fast = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    const slow = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', env: { ...process.env, LXCDECK_NO_BUNDLE: '1' } });
    expect(fast.status).toBe(0);
    expect(fast.stdout).toContain('completion');
    expect(fast.stdout).toBe(slow.stdout);
  });

  it('the TUI path does load the TUI packages (the check above can fail)', () => {
    // a bare lxcdeck without a terminal refuses at once, after main.ts loaded; import the TUI module itself
    const out = path.join(tmp, 'tui.txt');
    const r = spawnSync(process.execPath, ['--import', TRACE, '-e', `import(${JSON.stringify(path.join(REPO, 'dist', 'src', 'main', 'tui.js'))})`], { encoding: 'utf8', env: { ...process.env, LXCDECK_TRACE_OUT: out } });
    expect(r.status, r.stderr).toBe(0);
    const modules = fs.readFileSync(out, 'utf8').split('\n');
    expect(modules.some((m) => m.endsWith('node_modules/blessed/lib/widgets/screen.js'))).toBe(true);
    // only the blessed widgets the screen and the box need (src/ui/blessedParts.ts), not blessed's index of all 34
    const widgets = modules.filter((m) => /node_modules\/blessed\/lib\/widgets\//.test(m)).map((m) => path.basename(m, '.js'));
    expect(widgets.sort()).toEqual([...BLESSED_WIDGETS].sort());
  });
});
