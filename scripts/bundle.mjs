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

const result = await build({
  entryPoints: [path.join(root, 'dist/src/main.js')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // native or TUI-only packages load from node_modules when (if) a command needs them
  external: ['koffi', 'blessed', 'node-pty', '@xterm/headless', './main/tui.js'],
  // settings pull in conf and ajv, half the bundle's size: where a command imports them dynamically they load at run
  // time, as ES modules from dist/src; a static import (a require of ES code would fail) bundles them as usual
  plugins: [
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
    ].join('\n'),
  },
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
});
// what went into the bundle, for test/integration/cli-startup.test.ts
fs.writeFileSync(`${out}.inputs.json`, JSON.stringify(Object.keys(result.metafile.inputs).sort(), null, 1));
const text = fs.readFileSync(out, 'utf8');
const rewritten = text.replace(/\bimport\("\.\//g, '__lxcdeck_import_("./');
fs.writeFileSync(out, rewritten);

// the code cache: written by bin after one run, so it holds what that run compiled: `ls` of an empty
// lxcpath compiles the start-up, liblxc and listing code the hot commands share; --help where liblxc is missing
fs.rmSync(`${out}.cache`, { force: true });
const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-bundle-'));
const cacheRun = (args) =>
  spawnSync(process.execPath, [path.join(root, 'bin/lxcdeck.js'), ...args], { env: { ...process.env, LXCDECK_WRITE_CODE_CACHE: '1' }, stdio: ['ignore', 'ignore', 'ignore'] }).status === 0;
const cached = cacheRun(['-P', empty, 'ls', '--json']) || cacheRun(['--help']);
fs.rmSync(empty, { recursive: true, force: true });
if (!cached || !fs.existsSync(`${out}.cache`)) throw new Error('bundle: writing the code cache failed');
