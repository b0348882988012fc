import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostUnavailable, lxcdeck, ROOT, TEST_USER, USER, type Runner } from '../integration/host.js';
import { Tui } from './harness.js';

const skip = hostUnavailable();

/**
 * Issue 10 §3: a rule whose source file is replaced by a FIFO froze the
 * whole TUI (its sync read waited for a writer; q, SIGINT and SIGTERM were
 * ignored). Now the TUI reports it in the event log and still quits at once.
 */
describe.skipIf(skip).each([ROOT, USER])('a rule source turned FIFO under the workstation, as $label', (runner: Runner) => {
  const tag = runner.unprivileged ? 'u' : 'r';
  let dir = '';
  let source = '';
  let env: Record<string, string> = {};
  let tui: Tui | null = null;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `lf${tag}`));
    fs.chmodSync(dir, 0o755);
    fs.mkdirSync(path.join(dir, 'config'));
    source = path.join(dir, 'v');
    fs.writeFileSync(source, '10\n', { mode: 0o644 });
    if (runner.unprivileged) execFileSync('chown', ['-R', TEST_USER, dir]);
    env = { XDG_CONFIG_HOME: path.join(dir, 'config') };
  });

  afterAll(() => {
    tui?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is reported in the event log, not read, and q still quits at once', async () => {
    const scoped: Runner = { ...runner, prefix: ['env', `XDG_CONFIG_HOME=${env.XDG_CONFIG_HOME}`, ...runner.prefix] };
    const add = await lxcdeck(scoped, ['rule', 'add', '--name', `f${tag}`, '--source', `file:${source}`, '--target', 'jobs:*', '--high', '50', '--low', '20']);
    expect(add.stderr).toBe('');
    const t = (tui = new Tui(runner, [], { env }));
    await t.waitFor('rules 1 armed', 20_000);
    fs.rmSync(source);
    execFileSync('mkfifo', [source]);
    if (runner.unprivileged) execFileSync('chown', [TEST_USER, source]);
    await t.waitFor(`${path.basename(dir)}/v is a FIFO`, 15_000);
    const started = Date.now();
    t.type('q');
    const code = await Promise.race([t.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5000))]);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
  }, 60_000);
});
