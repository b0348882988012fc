import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, hostUnavailable, lxcdeck, REPO, ROOT, run, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();

/**
 * IdMapWriter (LiblxcIdMapSource.setIdMap) run in a real process as each
 * subject: liblxc judges each value, the config is replaced atomically, and a
 * rejected value or a running container leaves the file byte for byte as it was.
 */
async function setIdMap(r: Runner, name: string, values: string[]): Promise<{ code: number; out: string }> {
  const code = `
    const { loadNative } = await import(${JSON.stringify(path.join(REPO, 'dist/src/lxc/native.js'))});
    const { LiblxcIdMapSource } = await import(${JSON.stringify(path.join(REPO, 'dist/src/lxc/idmaps.js'))});
    const lib = loadNative(null);
    try {
      new LiblxcIdMapSource(lib, lib.lxcdeck_default_lxcpath()).setIdMap(process.argv[1], JSON.parse(process.argv[2]));
      console.log('ok');
    } catch (e) {
      console.log(e.code + ' ' + e.line);
      process.exitCode = 1;
    }`;
  const res = await run(r, [process.execPath, '--input-type=module', '-e', code, name, JSON.stringify(values)]);
  return { code: res.code, out: (res.stdout + res.stderr).trim() };
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe.skipIf(skip).each([ROOT, USER])('idmap writer through liblxc as $label', (runner: Runner) => {
  const name = uniqueName(`${runner.unprivileged ? 'u' : 'r'}imw`);
  let config = '';
  let original: string[] = [];

  beforeAll(async () => {
    await destroy(runner, [name]);
    await createBusybox(runner, name);
    const info = JSON.parse((await lxcdeck(runner, ['info', name, '--json'])).stdout) as { configFile: string; idmap: string[] };
    config = info.configFile;
    original = info.idmap;
  });
  afterAll(async () => {
    if (runner.unprivileged && original.length) await setIdMap(runner, name, original);
    await destroy(runner, [name]);
  });

  const idmapLines = () => fs.readFileSync(config, 'utf8').split('\n').filter((l) => l.startsWith('lxc.idmap'));
  // liblxc's save drops blank lines; every other line stays
  const otherLines = () => fs.readFileSync(config, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('lxc.idmap'));

  it('replaces every lxc.idmap, in order, and leaves the rest of the config as it was', async () => {
    const before = otherLines();
    const stat = fs.statSync(config);
    const map = runner.unprivileged
      ? original.flatMap((l) => {
          // the same ids split in two: a change liblxc accepts and the user may make
          const [k, ns, host, range] = l.split(' ');
          const half = Number(range) / 2;
          return [`${k} ${ns} ${host} ${half}`, `${k} ${Number(ns) + half} ${Number(host) + half} ${half}`];
        })
      : ['u 0 3000000 65536', 'g 0 3000000 65536'];
    expect(await setIdMap(runner, name, map)).toEqual({ code: 0, out: 'ok' });
    expect(idmapLines()).toEqual(map.map((v) => `lxc.idmap = ${v}`));
    expect(otherLines()).toEqual(before);
    expect(fs.statSync(config).uid).toBe(stat.uid);
    // liblxc reads it back the same, and the validator agrees it is fine
    const check = await lxcdeck(runner, ['idmap', 'check', name, '--json']);
    expect((JSON.parse(check.stdout) as { valid: boolean }).valid).toBe(true);
    // no temp file left beside the config
    expect(fs.readdirSync(path.dirname(config)).filter((f) => f.includes('.lxcdeck-'))).toEqual([]);
  });

  it('a value liblxc rejects: config-key error, the file unchanged byte for byte', async () => {
    const sum = sha(config);
    const r = await setIdMap(runner, name, ['u 0 100000 65536', 'g 0 x 65536']);
    expect(r).toEqual({ code: 1, out: 'config-key liblxc rejected lxc.idmap = "g 0 x 65536": write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"' });
    expect(sha(config)).toBe(sum);
  });

  it('a running container: wrong-state error, the file unchanged', async () => {
    if (runner.unprivileged) expect(await setIdMap(runner, name, original)).toEqual({ code: 0, out: 'ok' });
    else expect(await setIdMap(runner, name, [])).toEqual({ code: 0, out: 'ok' });
    expect((await lxcdeck(runner, ['start', name])).code).toBe(0);
    try {
      const sum = sha(config);
      const r = await setIdMap(runner, name, ['u 0 100000 65536', 'g 0 100000 65536']);
      expect(r).toEqual({ code: 1, out: `wrong-state container ${name} must be stopped to change its idmap (state RUNNING): stop it first with 'lxcdeck stop ${name}'` });
      expect(sha(config)).toBe(sum);
    } finally {
      await run(runner, ['lxc-stop', '-k', '-n', name]);
    }
  });
});
