import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoFile } from '../../src/lxc/listMemo.js';
import { BIN, hostUnavailable, settled, uniqueName, v1FreezerState } from './host.js';

/**
 * `ls` keeps the config facts it read for the next `ls` (src/lxc/listMemo.ts):
 * every change another tool makes between two runs must still show, checked
 * against lxc-info; a garbage memo is not believed.
 */
const skip = hostUnavailable();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-memo-'));
const P = path.join(tmp, 'lxc');
const MEMO = path.join(tmp, 'memo');
const name = uniqueName('memo');

// bounded: a freeze that never completes must fail the test, not hang the worker (spawnSync blocks it)
const tool = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
const lxcInfo = (flag: string) => tool('lxc-info', '-P', P, '-n', name, flag, '-H').stdout.trim();
function ls(): { name: string; state: string; pid: number | null; autostart: boolean; groups: string[] } {
  const r = spawnSync(process.execPath, [BIN, '-P', P, 'ls', '--json'], { encoding: 'utf8', env: { ...process.env, LXCDECK_LIST_MEMO_DIR: MEMO } });
  if (r.status !== 0) throw new Error(`ls failed: ${r.stderr}`);
  const rows = JSON.parse(r.stdout) as ReturnType<typeof ls>[];
  const row = rows.find((x) => x.name === name);
  if (!row) throw new Error(`ls did not list ${name}`);
  return row;
}
const memoPath = () => memoFile(MEMO, P);
const readMemo = () => JSON.parse(fs.readFileSync(memoPath(), 'utf8')) as { memo: { configs: Record<string, { autostart: boolean }> } };

beforeAll(() => {
  if (skip) return;
  fs.mkdirSync(P);
  const r = tool('lxc-create', '-P', P, '-t', 'busybox', '-n', name);
  if (r.status !== 0) throw new Error(`lxc-create failed: ${r.stderr}`);
  tool('lxc-start', '-P', P, '-n', name);
}, 120_000);
afterAll(() => {
  tool('lxc-stop', '-k', '-P', P, '-n', name);
  tool('lxc-destroy', '-f', '-P', P, '-n', name);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(skip)('the listing memo between two ls runs', () => {
  it('the first ls writes it; its pid and state are liblxc’s', () => {
    const row = ls();
    expect(row.state).toBe('RUNNING');
    expect(row.pid).toBe(Number(lxcInfo('-p')));
    expect(readMemo().memo.configs[name]).toMatchObject({ autostart: false });
  });

  it('a freeze and a thaw by lxc-freeze between two runs show', async () => {
    await settled(P, name);
    expect(tool('lxc-freeze', '-P', P, '-n', name).status).toBe(0);
    expect(ls().state).toBe('FROZEN');
    expect(tool('lxc-unfreeze', '-P', P, '-n', name).status).toBe(0);
    expect(ls().state).toBe('RUNNING');
  });

  it('a stop and a start by lxc-* show, with the new init pid', () => {
    const before = ls().pid;
    expect(tool('lxc-stop', '-k', '-P', P, '-n', name).status).toBe(0);
    expect(ls()).toMatchObject({ state: 'STOPPED', pid: null });
    expect(tool('lxc-start', '-P', P, '-n', name).status).toBe(0);
    const row = ls();
    expect(row.state).toBe('RUNNING');
    expect(row.pid).toBe(Number(lxcInfo('-p')));
    expect(row.pid).not.toBe(before);
  });

  it("a stopped container's config facts come from the memo while its config is unchanged, and are re-read once it changes", () => {
    // running, the probe asks liblxc anyway (state and pid) and reads the config items with them
    expect(tool('lxc-stop', '-k', '-P', P, '-n', name).status).toBe(0);
    ls();
    // a lie about an unchanged config is believed: proof the memo is used at all
    const m = readMemo();
    (m.memo.configs[name] as { autostart: boolean }).autostart = true;
    fs.writeFileSync(memoPath(), JSON.stringify(m));
    expect(ls().autostart).toBe(true);
    // the config changes (as lxc-* or an editor would): re-read
    fs.appendFileSync(path.join(P, name, 'config'), 'lxc.group = memo-g\n');
    const row = ls();
    expect(row.autostart).toBe(false);
    expect(row.groups).toEqual(['memo-g']);
    expect(tool('lxc-start', '-P', P, '-n', name).status).toBe(0);
  });

  it('liblxc frozen over a cgroup thawed by hand between two runs shows as the disagreement it is', async () => {
    await settled(P, name);
    ls();
    expect(tool('lxc-freeze', '-P', P, '-n', name).status).toBe(0);
    const pid = Number(lxcInfo('-p'));
    const state = v1FreezerState(pid);
    if (state) {
      fs.writeFileSync(state, 'THAWED');
      expect((ls() as { disagreement?: unknown }).disagreement).toEqual({ liblxc: 'FROZEN', cgroup: 'THAWED' });
    } else expect(ls().state).toBe('FROZEN');
    expect(tool('lxc-unfreeze', '-P', P, '-n', name).status).toBe(0);
    expect(ls().state).toBe('RUNNING');
  });

  it('a garbage memo is ignored, and replaced', () => {
    fs.writeFileSync(memoPath(), '{"v":1,"boot":');
    expect(ls().pid).toBe(Number(lxcInfo('-p')));
    expect(readMemo().memo.configs[name]).toMatchObject({ autostart: false });
  });
});
