import { execFile, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AS_USER, hostUnavailable, REPO, TEST_USER } from './host.js';

/**
 * Installs as npm users do them: `npm ci` in a clean clone, and `npm pack`
 * then `npm install -g` of the tarball into a temporary prefix, by the test
 * user with an empty npm cache, no npm config of its own and no way to
 * download Node's headers (node-gyp must use the installed ones, as
 * scripts/node-headers finds them). The installed lxcdeck then runs for root
 * and for the test user.
 */
const skip = hostUnavailable();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-install-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, cwd: opts.cwd, env: opts.env ?? process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** sh without blocking the worker (a long spawnSync starves vitest's RPC: "Timeout calling onTaskUpdate"). */
function shAsync(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')} failed:\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`)) : resolve(stdout)));
  });
}

/** What scripts/node-headers exports: the directory whose include/node holds the running Node's headers. */
function nodedir(): string {
  const env = { ...process.env };
  delete env.npm_config_nodedir;
  return sh('bash', ['-c', '. scripts/node-headers && printf %s "$npm_config_nodedir"'], { cwd: REPO, env });
}

describe.skipIf(skip)('installs', () => {
  it('scripts/node-headers finds the installed Node headers', () => {
    const dir = nodedir();
    expect(fs.existsSync(path.join(dir, 'include', 'node', 'node.h'))).toBe(true);
  });

  it('npm ci succeeds in a clean clone of the committed tree', () => {
    const clone = path.join(tmp, 'clone');
    sh('git', ['clone', '--quiet', '--no-hardlinks', REPO, clone]);
    // the lock file must carry every platform's optional packages, or npm ci refuses it
    sh('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: clone });
    expect(fs.existsSync(path.join(clone, 'node_modules', 'commander', 'package.json'))).toBe(true);
  }, 600_000);

  it("the quickstart's install steps (scripts/build-checkout) work for a fresh user: empty HOME and npm cache, no nodedir, no header downloads", async () => {
    const clone = path.join(tmp, 'fresh');
    const home = path.join(tmp, 'fresh-home');
    sh('git', ['clone', '--quiet', '--no-hardlinks', REPO, clone]);
    // the working tree's scripts and package.json, committed or not (what CI checks out is the same)
    for (const f of ['scripts/build-checkout', 'scripts/node-headers', 'package.json', 'package-lock.json']) fs.copyFileSync(path.join(REPO, f), path.join(clone, f));
    fs.mkdirSync(home);
    fs.chmodSync(tmp, 0o755);
    execFileSync('chown', ['-R', `${TEST_USER}:`, clone, home]);
    // no npm_config_nodedir: scripts/node-headers must find the headers; a download would go nowhere
    const env = [`HOME=${home}`, `npm_config_cache=${home}/.npm`, 'npm_config_disturl=http://127.0.0.1:9/no-downloads', 'npm_config_dist_url=http://127.0.0.1:9/no-downloads', 'npm_config_update_notifier=false'];
    if (process.env.NODE_EXTRA_CA_CERTS) env.push(`NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}`);
    const out = await shAsync(AS_USER, [TEST_USER, 'env', ...env, 'bash', '-c', `cd ${clone} && scripts/build-checkout 2>&1`]);
    // npm >= 12 skips install scripts package.json's allowScripts does not name: node-pty and koffi must be built/installed
    expect(out).not.toMatch(/install scripts not yet covered|scripts were skipped/);
    expect(fs.existsSync(path.join(clone, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'))).toBe(true);
    expect(fs.existsSync(path.join(clone, 'native', 'build', 'liblxcdeck.so'))).toBe(true);
    expect(fs.existsSync(path.join(clone, 'dist', 'src', 'fast.cjs'))).toBe(true);
    const bin = path.join(clone, 'bin', 'lxcdeck.js');
    expect(sh(AS_USER, [TEST_USER, 'env', `HOME=${home}`, process.execPath, bin, '--version'])).toMatch(/^lxcdeck \d+\.\d+\.\d+ \(liblxc \d+\.\d+/);
    // a fresh user has no lxcpath yet: an empty list, not an error (the quickstart then creates its demo)
    expect(JSON.parse(sh(AS_USER, [TEST_USER, 'env', `HOME=${home}`, process.execPath, bin, 'ls', '--json']))).toEqual([]);
  }, 900_000);

  it('npm pack ships only what runs; the test user installs it globally; lxcdeck runs for root and the user', async () => {
    const out = path.join(tmp, 'pack');
    fs.mkdirSync(out);
    // prepack is the build; run apart so that its output stays out of pack's JSON
    sh('npm', ['run', 'build'], { cwd: REPO });
    const packed = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: REPO })) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files).toContain('bin/lxcdeck.js');
    expect(files).toContain('bin/package.json');
    expect(files).toContain('dist/src/lxcdeck.cjs');
    expect(files).toContain('native/shim.c');
    expect(files.filter((f) => /^(test|bench|src|dist\/bench|node_modules|\.ci)\//.test(f) || f.endsWith('.map') || f.startsWith('native/build/'))).toEqual([]);
    const tgz = path.join(out, packed[0]!.filename);

    // the test user's own world: empty HOME (no .npmrc), empty cache, headers only from disk
    const home = path.join(tmp, 'home');
    const prefix = path.join(tmp, 'prefix');
    fs.mkdirSync(home);
    fs.mkdirSync(prefix);
    fs.chmodSync(tmp, 0o755);
    fs.chmodSync(out, 0o755);
    fs.chmodSync(tgz, 0o644);
    execFileSync('chown', [`${TEST_USER}:`, home, prefix]);
    const env = [`HOME=${home}`, `npm_config_cache=${home}/.npm`, `npm_config_nodedir=${nodedir()}`, 'npm_config_disturl=http://127.0.0.1:9/no-downloads', 'npm_config_update_notifier=false'];
    // as-user starts from a clean environment: keep the CA bundle a TLS-inspecting proxy may need
    if (process.env.NODE_EXTRA_CA_CERTS) env.push(`NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS}`);
    // npm >= 12 runs no dependency's install script unless told: the README's command names koffi and node-pty
    await shAsync(AS_USER, [TEST_USER, 'env', ...env, 'npm', 'install', '-g', '--allow-scripts=koffi,node-pty', '--prefix', prefix, '--no-audit', '--no-fund', tgz]);
    const installed = path.join(prefix, 'bin', 'lxcdeck');
    expect(fs.existsSync(path.join(prefix, 'lib', 'node_modules', 'lxcdeck', 'native', 'build', 'liblxcdeck.so'))).toBe(true);

    const version = new RegExp(`^lxcdeck ${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version} \\(liblxc \\d+\\.\\d+`);
    for (const prefixArgs of [[], [AS_USER, TEST_USER]]) {
      const run = (...args: string[]) => (prefixArgs.length ? sh(prefixArgs[0]!, [...prefixArgs.slice(1), installed, ...args]) : sh(installed, args));
      expect(run('--version')).toMatch(version);
      const rows = JSON.parse(run('ls', '--json')) as unknown[];
      expect(Array.isArray(rows)).toBe(true);
    }
  }, 900_000);
});
