import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusybox, destroy, hostUnavailable, lxcdeck, ROOT, run, uniqueName, USER, type Runner } from './host.js';

const skip = hostUnavailable();

/**
 * A new map written by `lxcdeck idmap set NAME --map ...` (no shift) as each
 * subject: the text-preserving config edit (liblxc judges each value, the
 * config is replaced atomically, liblxc's save_config is never used), and a
 * rejected value or a running container leaves the file byte for byte as it was.
 */
async function setIdMap(r: Runner, name: string, values: string[]): Promise<{ code: number; out: string }> {
  const res = await lxcdeck(r, ['idmap', 'set', name, ...values.flatMap((v) => ['--map', v])]);
  return { code: res.code, out: (res.stdout + res.stderr).trim() };
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe.skipIf(skip).each([ROOT, USER])('idmap set --map writes the config as $label', (runner: Runner) => {
  const name = uniqueName(`${runner.unprivileged ? 'u' : 'r'}imw`);
  let config = '';
  let original: string[] = [];
  let originalText = '';

  beforeAll(async () => {
    await destroy(runner, [name]);
    await createBusybox(runner, name);
    const info = JSON.parse((await lxcdeck(runner, ['info', name, '--json'])).stdout) as { configFile: string; idmap: string[] };
    config = info.configFile;
    original = info.idmap;
    originalText = fs.readFileSync(config, 'utf8');
  });
  afterAll(async () => {
    await destroy(runner, [name]);
  });

  const idmapLines = () => fs.readFileSync(config, 'utf8').split('\n').filter((l) => l.startsWith('lxc.idmap'));
  // the edit keeps every other line, blank lines and comments included
  const otherLines = () => fs.readFileSync(config, 'utf8').split('\n').filter((l) => !l.startsWith('lxc.idmap'));

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
    const set = await setIdMap(runner, name, map);
    expect(set).toMatchObject({ code: 0 });
    expect(set.out).toContain(`idmap set ${name}: applied (${map.join('; ')})`);
    expect(idmapLines()).toEqual(map.map((v) => `lxc.idmap = ${v}`));
    expect(otherLines()).toEqual(before);
    expect(fs.statSync(config).uid).toBe(stat.uid);
    // liblxc reads it back the same, and the validator agrees it is fine
    const check = await lxcdeck(runner, ['idmap', 'check', name, '--json']);
    expect((JSON.parse(check.stdout) as { valid: boolean }).valid).toBe(true);
    // no temp file left beside the config
    expect(fs.readdirSync(path.dirname(config)).filter((f) => f.includes('.lxcdeck-'))).toEqual([]);
  });

  it('a value that is not an entry: one-line error, the file unchanged byte for byte', async () => {
    const sum = sha(config);
    const r = await setIdMap(runner, name, ['u 0 100000 65536', 'g 0 x 65536']);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('invalid --map "g 0 x 65536": HOSTID "x" is not a whole number: write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"');
    expect(r.out.split('\n')).toHaveLength(1);
    expect(sha(config)).toBe(sum);
  });

  it('a running container: wrong-state error, the file unchanged', async () => {
    // back to the map it was made with (root's: none, privileged)
    fs.writeFileSync(config, originalText);
    expect((await lxcdeck(runner, ['start', name])).code).toBe(0);
    try {
      const sum = sha(config);
      const r = await setIdMap(runner, name, ['u 0 100000 65536', 'g 0 100000 65536']);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain(`${name} is RUNNING: stop it first with 'lxcdeck stop ${name}'`);
      expect(sha(config)).toBe(sum);
    } finally {
      await run(runner, ['lxc-stop', '-k', '-n', name]);
    }
  });
});
