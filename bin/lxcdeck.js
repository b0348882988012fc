#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): Node starts a CommonJS entry without its ES
// module loader. Subcommands run from the bundle dist/src/lxcdeck.cjs (ls,
// freeze, thaw, --help and --version from the small dist/src/fast.cjs), the
// TUI from dist/src/tui.cjs (scripts/bundle.mjs), each with its V8 code cache,
// when the bundle is at least as new as tsc's output; any run after a plain
// `tsc` uses the ES modules in dist/src. Resolving ~180 ES modules one by one
// cost the TUI's first frame ~100 ms (measured in bench/run.ts).
const fs = require('node:fs');
const path = require('node:path');

const src = path.join(__dirname, '..', 'dist', 'src');
const args = process.argv.slice(2);
// the same test as main.ts's workstationArgs: only -P PATH (repeatable) and -w MARK (once)
const tui = (() => {
  const seen = new Set();
  for (let i = 0; i < args.length; i += 2) {
    const key = /^(-P|--lxcpath)$/.test(args[i]) ? 'P' : /^(-w|--workspace)$/.test(args[i]) ? 'w' : null;
    if (!key || args[i + 1] === undefined || (key === 'w' && seen.has(key))) return false;
    seen.add(key);
  }
  return true;
})();

function failed(e) {
  process.stderr.write(`lxcdeck: ${(e && e.stack) || e}\n`);
  process.exitCode = 1;
}

function run(mod, after) {
  mod.main(process.argv).then((code) => {
    process.exitCode = code;
    if (after) after();
  }, failed);
}

/** A bundle as a CommonJS module, compiled from its code cache when V8 accepts it. */
function loadBundle(bundle) {
  const vm = require('node:vm');
  const Module = require('node:module');
  let code;
  try {
    if (fs.statSync(bundle).mtimeMs < fs.statSync(path.join(src, 'main.js')).mtimeMs) return null;
    code = fs.readFileSync(bundle, 'utf8');
  } catch {
    return null;
  }
  let cachedData;
  try {
    cachedData = fs.readFileSync(`${bundle}.cache`);
  } catch {
    /* no cache: V8 compiles */
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname, __lxcdeck_import) {${code}\n})`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData });
  // which bundles ran, for test/fixtures/module-trace.mjs (they load as scripts, not through require)
  (globalThis.__lxcdeckBundles ??= []).push(bundle);
  const mod = { exports: {} };
  const importer = (spec) => import(require('node:url').pathToFileURL(path.join(src, spec)).href);
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, src, importer);
  const writeCache = process.env.LXCDECK_WRITE_CODE_CACHE === '1' ? () => fs.writeFileSync(`${bundle}.cache`, script.createCachedData()) : null;
  return { mod: mod.exports, writeCache };
}

/**
 * The TUI's CommonJS packages (@xterm/headless, node-pty's JS; the blessed
 * modules it uses are inside tui.cjs) compile from V8 code caches in
 * dist/src/tui-packages/ too: Node 20 has no
 * compile cache of its own (module.enableCompileCache came in Node 22), and
 * compiling them cost the first frame ~25 ms. V8 refuses a cache whose
 * source differs (another version installed): that file then just compiles.
 */
function cachePackages(dir, write) {
  const Module = require('node:module');
  const vm = require('node:vm');
  const compile = Module.prototype._compile;
  const made = [];
  Module.prototype._compile = function (content, filename) {
    const m = /[/\\]node_modules[/\\]((?:blessed|node-pty|@xterm[/\\]headless)[/\\].+)$/.exec(filename);
    if (!m) return compile.call(this, content, filename);
    const file = path.join(dir, `${m[1].replace(/[/\\]/g, '__')}.cache`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      /* no cache: V8 compiles */
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    // kept only to write their caches (LXCDECK_WRITE_CODE_CACHE=1)
    if (write) made.push([file, script]);
    const mod = this;
    const req = (id) => mod.require(id);
    req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    req.main = require.main;
    req.cache = Module._cache;
    return script.runInThisContext({ displayErrors: true }).call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
  };
  return () => {
    fs.mkdirSync(dir, { recursive: true });
    for (const [file, script] of made) fs.writeFileSync(file, script.createCachedData());
  };
}

function runWhole() {
  const bundled = noBundle ? null : loadBundle(path.join(src, tui ? 'tui.cjs' : 'lxcdeck.cjs'));
  if (bundled && tui) {
    const writeBundle = bundled.writeCache;
    const writePackages = cachePackages(path.join(src, 'tui-packages'), writeBundle !== null);
    run(bundled.mod, writeBundle ? () => (writeBundle(), writePackages()) : null);
    return;
  }
  if (bundled) run(bundled.mod, bundled.writeCache);
  else import('../dist/src/main.js').then((m) => run(m), failed);
}

// LXCDECK_NO_BUNDLE=1: the ES modules even when the bundle is fresh (tests compare both)
const noBundle = process.env.LXCDECK_NO_BUNDLE === '1';
// a subcommand tries the small bundle of the commands scripts loop over first (src/fastMain.ts); null: not one of them
const fast = noBundle || tui ? null : loadBundle(path.join(src, 'fast.cjs'));
if (fast) {
  fast.mod.main(process.argv).then((code) => {
    if (code === null) return runWhole();
    process.exitCode = code;
    if (fast.writeCache) fast.writeCache();
  }, failed);
} else runWhole();
