#!/usr/bin/env node
// Bundles the command line (dist/src/main.js, as tsc emitted it) into one
// CommonJS file, dist/src/lxcdeck.cjs, which bin/lxcdeck.js runs for every
// subcommand, plus a V8 code cache of it (lxcdeck.cjs.cache): Node resolves
// and links ~90 ES modules in ~40 ms, compiles one file in ~15 ms, and
// deserialises its code cache in ~3 ms. Dynamic imports stay lazy (esbuild
// wraps them), so a command still evaluates only what it uses. The TUI is
// not bundled: bin runs it from dist/src/main.js. Measured in bench/cli.ts.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pty from 'node-pty';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/src/lxcdeck.cjs');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

// the top-level help as commander prints it when stdout is not a terminal
const { buildProgram } = await import(pathToFileURL(path.join(root, 'dist/src/cli/program.js')).href);
const program = buildProgram({ out() {}, err() {} }, () => {});
program.configureOutput({ getOutHelpWidth: () => 80, getOutHasColors: () => false });
const help = program.helpInformation();

// lxcdeck(1), from the same definitions (package.json "man" installs it)
const { manPage } = await import(pathToFileURL(path.join(root, 'dist/src/cli/manPage.js')).href);
fs.mkdirSync(path.join(root, 'dist/man'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist/man/lxcdeck.1'), await manPage(program));

/**
 * blessed inside the TUI's bundle: the ~15 modules src/ui/blessedParts.ts
 * requires, resolved, read and compiled one by one from node_modules, cost the
 * first frame ~10 ms more than as part of the bundle and its code cache. Two
 * spots of blessed need its files: tput.js finds its fallback terminfo
 * entries (blessed/usr) from __dirname, and unicode.js requires blessed's index
 * (all widgets) for the screen's tab width, which the screen module has.
 */
const blessedInside = {
  name: 'blessed-inside',
  setup(b) {
    b.onLoad({ filter: /[/\\]node_modules[/\\]blessed[/\\]lib[/\\]tput\.js$/ }, (a) => ({
      contents: `var __blessed_lib = (() => { try { return require("node:path").join(require.resolve("blessed/package.json"), "..", "lib"); } catch { return __dirname; } })();\n${fs.readFileSync(a.path, 'utf8').replace(/\b__dirname\b/g, '__blessed_lib')}`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^blessed\/package\.json$/ }, () => ({ path: 'blessed/package.json', external: true }));
    b.onResolve({ filter: /^\.\.\/$/ }, (a) => (/[/\\]node_modules[/\\]blessed[/\\]lib$/.test(a.resolveDir) ? { path: 'blessed-screen', namespace: 'blessed-inside' } : undefined));
    b.onLoad({ filter: /^blessed-screen$/, namespace: 'blessed-inside' }, () => ({ contents: 'module.exports = { screen: require("blessed/lib/widgets/screen.js") };', loader: 'js', resolveDir: root }));
  },
};

/** One bundle of `entry` (dist/src/main.js unless said); `tui` keeps the workstation inside it, else it stays outside. */
async function bundle(file, tui, entry = 'dist/src/main.js') {
  const result = await build({
    entryPoints: [path.join(root, entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // native or TUI-only packages load from node_modules when (if) a command needs them
    // (the workstation's blessed modules go inside its bundle: see blessedInside)
    external: ['koffi', 'node-pty', '@xterm/headless', ...(tui ? [] : ['blessed', './main/tui.js'])],
    // settings pull in conf and ajv, half the bundle's size: where a command imports them dynamically they load at run
    // time, as ES modules from dist/src; a static import (a require of ES code would fail) bundles them as usual
    plugins: [
      ...(tui ? [blessedInside] : []),
      {
        name: 'settings-outside',
        setup: (b) => b.onResolve({ filter: /\/settings\/settings\.js$/ }, (a) => (a.kind === 'dynamic-import' ? { path: './settings/settings.js', external: true } : undefined)),
      },
    ],
    define: {
      // modules find native/ and themes/ from their own location: the bundle sits in dist/src like main.js
      'import.meta.url': '__lxcdeck_url',
      __LXCDECK_HELP__: JSON.stringify(help),
      __LXCDECK_VERSION__: JSON.stringify(pkg.version),
    },
    // bin runs the bundle as a vm.Script (for the code cache), where import() needs bin's help
    banner: {
      js: [
        'const __lxcdeck_url = require("node:url").pathToFileURL(__filename).href;',
        'const __lxcdeck_import_ = typeof __lxcdeck_import === "function" ? __lxcdeck_import : (s) => import(s);',
        // one namespace object per built-in, not one per importing module (see below)
        'const __lxcdeck_builtins = new Map();',
        'const __lxcdeck_builtin = (id) => { let m = __lxcdeck_builtins.get(id); if (!m) __lxcdeck_builtins.set(id, (m = __toESM(require(id), 1))); return m; };',
      ].join('\n'),
    },
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
  });
  // what went into the bundle, for test/integration/cli-startup.test.ts
  fs.writeFileSync(`${file}.inputs.json`, JSON.stringify(Object.keys(result.metafile.inputs).sort(), null, 1));
  const text = fs.readFileSync(file, 'utf8');
  // esbuild gives every module that says `import * as fs from 'node:fs'` its own copy of fs's ~100
  // properties (45 modules import fs): ~3 ms of a `freeze`'s start-up, spent copying (bench/cli.ts)
  const shared = text.replace(/__toESM\(require\("(node:[a-z_/]+)"\),1\)/g, '__lxcdeck_builtin("$1")');
  fs.writeFileSync(file, shared.replace(/\bimport\("\.\//g, '__lxcdeck_import_("./'));
  fs.rmSync(`${file}.cache`, { force: true });
}
await bundle(out, false);
// the commands scripts loop over (ls, freeze, thaw, --help, --version) from a file ~10 % of the whole one's size
const fastOut = path.join(root, 'dist/src/fast.cjs');
await bundle(fastOut, false, 'dist/src/fastMain.js');
// the workstation from one file too: resolving and linking its ~180 ES modules one by one cost ~100 ms of its first frame
const tuiOut = path.join(root, 'dist/src/tui.cjs');
await bundle(tuiOut, true);

// the code cache: written by bin after one run, so it holds what that run compiled: `ls` of an empty
// lxcpath compiles the start-up, liblxc and listing code the hot commands share; --help where liblxc is missing
const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-bundle-'));
const cacheRun = (args) =>
  spawnSync(process.execPath, [path.join(root, 'bin/lxcdeck.js'), ...args], { env: { ...process.env, LXCDECK_WRITE_CODE_CACHE: '1' }, stdio: ['ignore', 'ignore', 'ignore'] }).status === 0;
// (fast.cjs's, from the fast `ls`; the whole CLI's from the same `ls` in a spelling the fast path leaves to commander)
const cached = (cacheRun(['-P', empty, 'ls', '--json']) || cacheRun(['--version'])) && (cacheRun([`--lxcpath=${empty}`, 'ls', '--json']) || cacheRun(['help', 'ls']));
if (!cached || !fs.existsSync(`${out}.cache`) || !fs.existsSync(`${fastOut}.cache`)) throw new Error('bundle: writing the code cache failed');
// the TUI's cache (and its packages', dist/src/tui-packages: see bin/lxcdeck.js): one workstation in a pty over the empty lxcpath, quit after its first frame (q)
fs.rmSync(path.join(root, 'dist/src/tui-packages'), { recursive: true, force: true });
const tuiCached = await new Promise((resolve) => {
  const env = { ...process.env, LXCDECK_WRITE_CODE_CACHE: '1', TERM: 'xterm-256color', XDG_CONFIG_HOME: path.join(empty, 'config') };
  const tui = pty.spawn(process.execPath, [path.join(root, 'bin/lxcdeck.js'), '-P', empty], { name: 'xterm-256color', cols: 120, rows: 40, env });
  let seen = '';
  let asked = false;
  const give = setTimeout(() => tui.kill('SIGKILL'), 20_000);
  tui.onData((d) => {
    seen += d;
    // the header names the lxcpath once the first frame is drawn
    if (!asked && seen.includes(empty)) {
      asked = true;
      setTimeout(() => tui.write('q'), 300);
    }
  });
  tui.onExit(({ exitCode }) => {
    clearTimeout(give);
    resolve(exitCode === 0);
  });
});
fs.rmSync(empty, { recursive: true, force: true });
// without a cache the TUI still runs from the bundle, compiling it (a host without a pty, say): not fatal
if (!tuiCached || !fs.existsSync(`${tuiOut}.cache`)) console.error('bundle: no code cache for the TUI (it compiles at start instead)');
