import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperRunner } from '../../src/lxc/helper.js';
import { findNativeFile } from '../../src/lxc/native.js';
import { helperTerminals } from '../../src/lxc/terminals.js';
import { BIN, destroy, hostUnavailable, lxcdeck, run, ROOT, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();

/**
 * Every attach takes a pty of the container's own devpts (lxc.pty.max of
 * them): lxcdeck's containers get a sensible number, and when they are all
 * taken the next attach ends at once with one line, not a hang.
 */
describe.skipIf(skip).each([ROOT, USER])('container terminals as $label', (runner: Runner) => {
  const name = uniqueName(`${runner.unprivileged ? 'u' : 'r'}pty`);
  let lxcpath = '';

  beforeAll(async () => {
    await destroy(runner, [name]);
    const r = await lxcdeck(runner, ['create', name, '--start'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    lxcpath = path.dirname(path.dirname((JSON.parse((await lxcdeck(runner, ['info', name, '--json'])).stdout) as { configFile: string }).configFile));
  }, 180_000);

  afterAll(() => destroy(runner, [name]));

  it('a created busybox gets lxc.pty.max = 16 over the template\'s 1', () => {
    const config = fs.readFileSync(path.join(lxcpath, name, 'config'), 'utf8');
    expect(config.match(/^lxc\.pty\.max = .*$/gm)).toEqual(['lxc.pty.max = 16']);
  });

  it('with every pty taken, attach says so in one line and exits at once', async () => {
    expect((await lxcdeck(runner, ['config', 'set', name, 'lxc.pty.max', '1'])).code).toBe(0);
    await lxcdeck(runner, ['stop', name, '-t', '0']);
    expect((await lxcdeck(runner, ['start', name])).code).toBe(0);
    // the one pty, held by an attach in a terminal of its own
    const full = [...runner.prefix, 'script', '-qfec', `${process.execPath} ${BIN} attach ${name} -- sh -c 'echo held; sleep 60'`, '/dev/null'];
    const holder = spawn(full[0] as string, full.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        holder.stdout.on('data', (d: Buffer) => (out += d.toString()).includes('held') && resolve());
        holder.on('close', () => reject(new Error(`the holding attach ended: ${out}`)));
      });
      const t0 = Date.now();
      const r = await run(runner, ['script', '-qfec', `${process.execPath} ${BIN} attach ${name} -- true`, '/dev/null'], { timeoutMs: 20_000 });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.code).not.toBe(0);
      const lines = r.stdout.split(/\r?\n/).filter(Boolean);
      const expected = `every terminal of ${name} is in use (lxc.pty.max = 1: each attach takes one): close a shell of it, or raise the limit ('lxcdeck config set ${name} lxc.pty.max 16') and restart it`;
      expect(lines).toEqual([`lxcdeck: ${expected}`]);
      // a pane: the helper as a pane runs it (status file), and the line the pane shows for its end
      const statusFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ldt-pty-')), 'status');
      fs.chmodSync(path.dirname(statusFile), 0o777);
      const pane = await run(runner, ['env', `LXCDECK_STATUS_FILE=${statusFile}`, findNativeFile('lxcdeck-helper'), 'attach', name, lxcpath, '--', 'true'], { timeoutMs: 20_000 });
      const launcher = helperTerminals(createHelperRunner(null), lxcpath, () => [], () => path.dirname(statusFile));
      expect(launcher.exitReason(pane.code, { file: '', args: [], env: {}, cwd: '/', statusFile })).toBe(expected);
      fs.rmSync(path.dirname(statusFile), { recursive: true, force: true });
    } finally {
      if (holder.pid) process.kill(-holder.pid, 'SIGKILL');
    }
  }, 60_000);
});
