import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, destroy, hostUnavailable, lxcdeck, run, ROOT, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();
const WORK = `/tmp/ldt-config-${process.pid}`;

describe.skipIf(skip).each([ROOT, USER])('lxcdeck config as $label', (runner: Runner) => {
  const name = uniqueName(`${runner.unprivileged ? 'u' : 'r'}cfg`);
  let file = '';
  const sum = () => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const editor = (tag: string, lines: string[]) => {
    const p = path.join(WORK, `${runner.unprivileged ? 'u' : 'r'}-${tag}.sh`);
    fs.writeFileSync(p, `#!/bin/sh\n${lines.map((l) => `echo '${l}' >> "$1"`).join('\n')}\n`, { mode: 0o755 });
    return p;
  };
  const withEditor = (ed: string, args: string[]) => run(runner, ['env', `EDITOR=${ed}`, process.execPath, BIN, ...args]);

  beforeAll(async () => {
    fs.mkdirSync(WORK, { recursive: true });
    fs.chmodSync(WORK, 0o755);
    await destroy(runner, [name]);
    expect((await lxcdeck(runner, ['create', name], { timeoutMs: 120_000 })).code).toBe(0);
    file = (JSON.parse((await lxcdeck(runner, ['info', name, '--json'])).stdout) as { configFile: string }).configFile;
  }, 180_000);

  afterAll(async () => {
    await destroy(runner, [name]);
    fs.rmSync(WORK, { recursive: true, force: true });
  });

  it('set, get and unset go through liblxc', async () => {
    expect((await lxcdeck(runner, ['config', 'set', name, 'lxc.start.delay', '7'])).code).toBe(0);
    expect((await lxcdeck(runner, ['config', 'get', name, 'lxc.start.delay'])).stdout.trim()).toBe('7');
    expect(fs.readFileSync(file, 'utf8')).toContain('lxc.start.delay = 7\n');
    expect((await lxcdeck(runner, ['config', 'unset', name, 'lxc.start.delay'])).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('lxc.start.delay');
  });

  it('a key or value liblxc rejects is one line with the fix, and nothing is written', async () => {
    const before = sum();
    for (const argv of [['lxc.bogus', '1'], ['lxc.start.auto', 'banana']]) {
      const r = await lxcdeck(runner, ['config', 'set', name, ...argv]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(/liblxc rejects .*: see lxc.container.conf\(5\)/);
    }
    expect(sum()).toBe(before);
  });

  it('edit: invalid lines are reported with their line numbers and nothing is written', async () => {
    const before = sum();
    const lines = fs.readFileSync(file, 'utf8').split('\n').length;
    const r = await withEditor(editor('bad', ['lxc.bogus.key = 1', 'lxc.start.auto = x']), ['config', 'edit', name]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`line ${lines}: liblxc does not know the key lxc.bogus.key`);
    expect(r.stderr).toContain(`line ${lines + 1}: liblxc rejects lxc.start.auto = x`);
    expect(r.stderr).toMatch(/2 lines liblxc rejects; nothing was written/);
    expect(sum()).toBe(before);
  });

  it('edit: a valid edit shows the diff and is written; the mount lint warns about single-file binds', async () => {
    const r = await withEditor(editor('good', ['lxc.start.delay = 5', 'lxc.mount.entry = /etc/hostname etc/hostname none bind,optional 0 0']), ['config', 'edit', name, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+lxc.start.delay = 5');
    expect(r.stderr).toContain('single-file bind mount');
    expect(fs.readFileSync(file, 'utf8')).toContain('lxc.start.delay = 5\n');
  });

  it('kill -9 during saves leaves the old file or the new one, never a truncated one', async () => {
    const base = fs.readFileSync(file, 'utf8');
    expect(base).toContain('lxc.start.delay = 5\n');
    let killedMidway = 0;
    for (let i = 0; i < 12; i++) {
      const value = String(100 + i);
      const child = spawn(runner.prefix[0] ?? process.execPath, [...runner.prefix.slice(1), ...(runner.prefix.length ? [process.execPath] : []), BIN, 'config', 'set', name, 'lxc.start.delay', value], { stdio: 'ignore' });
      const closed = new Promise((r) => child.on('close', r));
      // kill it at a different moment each time, from start-up to the write
      await new Promise((r) => setTimeout(r, 60 + i * 25));
      try {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
        killedMidway++;
      } catch {
        // it had finished already: the new file must be whole too
      }
      await closed;
      const now = fs.readFileSync(file, 'utf8');
      const delays = now.match(/^lxc\.start\.delay = (\d+)$/gm) ?? [];
      expect(delays).toHaveLength(1);
      expect(now.endsWith('\n')).toBe(true);
      // the old text or the old text with one new value: nothing truncated, nothing else changed
      expect(now.replace(/^lxc\.start\.delay = \d+$/m, 'lxc.start.delay = 5')).toBe(base);
      await lxcdeck(runner, ['plan', 'ls', '--json']).then(async (p) => {
        for (const j of JSON.parse(p.stdout) as { id: string; title: string }[]) if (j.title.includes(name)) await lxcdeck(runner, ['plan', 'forget', j.id]);
      });
    }
    expect(killedMidway).toBeGreaterThan(0);
  }, 120_000);
});
