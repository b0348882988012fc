import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYED_COMMANDS } from '../../src/commands/keytable.js';
import { BIN, hostUnavailable, uniqueName } from './host.js';

/** Shell completion run in bash as bash runs it (COMP_WORDS/COMP_CWORD), `help keys`, and lxcdeck(1). */
const skip = hostUnavailable();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-compl-'));
const lxcpath = path.join(tmp, 'lxc');
const name = uniqueName('compl');
// a network definition of the test's own (completion reads the store; nothing is brought up)
const netName = `nc${process.pid}`.slice(0, 10);
process.env.LXCDECK_NET_DIR = path.join(tmp, 'nets');

beforeAll(() => {
  if (skip) return;
  fs.mkdirSync(lxcpath);
  fs.mkdirSync(path.join(tmp, 'nets'));
  fs.writeFileSync(path.join(tmp, 'nets', `${netName}.json`), JSON.stringify({ version: 1, name: netName, kind: 'bridge', bridge: `ldk-${netName}`, existingBridge: false, subnet: null, address: null, dhcp: null, domain: null, antiSpoof: false, uplink: null, moveAddresses: [], parent: null, mode: null, shim: null, forwards: [], members: [] }));
  const r = spawnSync('lxc-create', ['-P', lxcpath, '-t', 'busybox', '-n', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lxc-create failed: ${r.stderr}`);
  // `lxcdeck` on PATH, as an installed one would be
  fs.mkdirSync(path.join(tmp, 'bin'));
  fs.writeFileSync(path.join(tmp, 'bin', 'lxcdeck'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`, { mode: 0o755 });
}, 120_000);
afterAll(() => {
  spawnSync('lxc-destroy', ['-f', '-P', lxcpath, '-n', name]);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const lxcdeck = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

/** COMPREPLY after bash's completion function ran for `words`, the last being the word typed so far. */
function bashComplete(words: string[]): string[] {
  const script = lxcdeck('completion', 'bash');
  expect(script.status, script.stderr).toBe(0);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const program = `${script.stdout}
COMP_WORDS=(${words.map(q).join(' ')}); COMP_CWORD=${words.length - 1}
_lxcdeck; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8', env: { ...process.env, PATH: `${path.join(tmp, 'bin')}:${process.env.PATH}` } });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe.skipIf(skip)('completion, help keys, man page', () => {
  it('bash completes a container name from the lxcpath given with -P', () => {
    expect(bashComplete(['lxcdeck', '-P', lxcpath, 'freeze', name.slice(0, -2)])).toEqual([name]);
    expect(bashComplete(['lxcdeck', '-P', lxcpath, 'info', ''])).toEqual([name]);
  });

  it('bash completes network names: net subcommands, net join, forward add, create --net', () => {
    const prefix = netName.slice(0, -1);
    expect(bashComplete(['lxcdeck', 'net', 'show', prefix])).toEqual([netName]);
    expect(bashComplete(['lxcdeck', 'net', 'down', prefix])).toEqual([netName]);
    expect(bashComplete(['lxcdeck', '-P', lxcpath, 'net', 'join', name.slice(0, -2)])).toEqual([name]);
    expect(bashComplete(['lxcdeck', '-P', lxcpath, 'net', 'join', name, prefix])).toEqual([netName]);
    expect(bashComplete(['lxcdeck', 'net', 'forward', 'add', prefix])).toEqual([netName]);
    expect(bashComplete(['lxcdeck', 'create', 'new1', '--net', prefix])).toEqual([netName]);
    expect(bashComplete(['lxcdeck', 'net', ''])).toEqual(expect.arrayContaining(['create', 'ls', 'show', 'up', 'down', 'import', 'join']));
  });

  it('bash completes options of the command being typed, and subcommands', () => {
    expect(bashComplete(['lxcdeck', 'ls', '--a'])).toEqual(['--active']);
    expect(bashComplete(['lxcdeck', 'ls', '--'])).toEqual(expect.arrayContaining(['--json', '--active', '--lxcpath']));
    expect(bashComplete(['lxcdeck', 'fr'])).toEqual(['freeze']);
    expect(bashComplete(['lxcdeck', 'job', ''])).toEqual(expect.arrayContaining(['run', 'ls', 'freeze', 'thaw']));
    // an option's value is not completed as a command
    expect(bashComplete(['lxcdeck', '-P', ''])).toEqual([]);
  });

  it('zsh gets a script that asks the same completer', () => {
    const r = lxcdeck('completion', 'zsh');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^#compdef lxcdeck/);
    expect(r.stdout).toContain('__complete');
    const bad = lxcdeck('completion', 'fish');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^lxcdeck: no completion for shell "fish": use bash or zsh\n$/);
  });

  it('help keys prints the key table of every keyed command', () => {
    const r = lxcdeck('help', 'keys');
    expect(r.status, r.stderr).toBe(0);
    for (const c of KEYED_COMMANDS) expect(r.stdout).toContain(c.id);
  });

  it('lxcdeck(1) lists every command and the default keys, and is what the build installs', () => {
    const r = lxcdeck('man');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\.TH LXCDECK 1 /);
    for (const cmd of ['ls', 'freeze', 'thaw', 'completion', 'job run', 'idmap show']) expect(r.stdout).toContain(`.B lxcdeck ${cmd.replace(/-/g, '\\-')}`);
    for (const c of KEYED_COMMANDS.filter((k) => k.keys.length)) expect(r.stdout).toContain(c.id.replace(/-/g, '\\-'));
    const installed = fs.readFileSync(path.join(path.dirname(BIN), '..', 'dist', 'man', 'lxcdeck.1'), 'utf8');
    expect(installed).toBe(r.stdout);
    // groff reads it without a warning
    const g = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input: r.stdout, encoding: 'utf8' });
    if (g.error === undefined) expect(g.stderr).toBe('');
  });
});
