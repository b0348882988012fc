import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';
import type { Json, PlanStep } from '../../src/core/plan.js';
import { CONFIG_EDIT_KIND, LiblxcConfigEditor } from '../../src/lxc/configEdit.js';
import type { ContainerHandle, NativeLib } from '../../src/lxc/native.js';
import { PlanRegistry } from '../../src/plan/registry.js';

/**
 * The config-edit plan over a fake liblxc: each open() parses the file like a
 * fresh handle (the last lxc.console.buffer.size wins, read back in bytes as
 * liblxc 5.0.2 does: "128kB" -> 131072, "128k" -> 4096).
 */
let dir: string;
let file: string;
let opens = 0;

function bytesOf(v: string): string {
  const m = /^(\d+)\s*(kB|MB)?/i.exec(v);
  if (!m) return '0';
  const n = Number(m[1]) * (m[2]?.toLowerCase() === 'kb' ? 1024 : m[2] ? 1 << 20 : 1);
  let p = 4096;
  while (p < n) p *= 2;
  return String(p);
}

function fakeLib(): NativeLib {
  const state = new Map<ContainerHandle, { set: Map<string, string> }>();
  const lib: Partial<NativeLib> = {
    lxcdeck_open: (name: string) => {
      opens++;
      const h = { name } as unknown as ContainerHandle;
      state.set(h, { set: new Map() });
      return name === 'nope' ? null : h;
    },
    lxcdeck_close: (c) => void state.delete(c),
    lxcdeck_is_defined: (c) => ((c as unknown as { name: string }).name === 'c1' ? 1 : 0),
    lxcdeck_config_file_name: () => file,
    lxcdeck_set_config_item: (c, key, value) => {
      if (!/^\d/.test(value) && value !== 'auto') return -1;
      state.get(c)?.set.set(key, value);
      return 0;
    },
    lxcdeck_get_config_item: (_c, key) => {
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.split('=')[0]?.trim() === key);
      const last = lines.at(-1);
      return last === undefined ? '0' : bytesOf(last.slice(last.indexOf('=') + 1).trim());
    },
  };
  return lib as NativeLib;
}

const ORIGINAL = '# mine\n\nlxc.tty.max = 5\n\n';

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-cfgedit-'));
  file = path.join(dir, 'config');
  fs.writeFileSync(file, ORIGINAL);
  opens = 0;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const step = (p: { steps: readonly PlanStep[] }) => p.steps[0] as PlanStep;

describe('the console buffer plan (a config-edit plan)', () => {
  it('previews the key and the diff, writes nothing until applied, then reads the value back on a fresh handle', async () => {
    const editor = new LiblxcConfigEditor(fakeLib(), '/lxc');
    const plan = editor.consoleBufferPlan('c1');
    expect(plan.kind).toBe(CONFIG_EDIT_KIND);
    expect(step(plan).shows[0]).toEqual({ kind: 'config', container: 'c1', file, changes: [{ key: 'lxc.console.buffer.size', old: [], new: ['128kB'] }] });
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(await step(plan).check()).toBe(false);
    const before = opens;
    await step(plan).apply(() => {});
    expect(opens - before).toBe(2); // one to judge the value, one to read it back
    expect(fs.readFileSync(file, 'utf8')).toBe(`${ORIGINAL}lxc.console.buffer.size = 128kB\n`);
    expect(await step(plan).check()).toBe(true);
    await step(plan).undo();
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('refuses to apply or undo over a file someone changed since the plan was made, and leaves it', async () => {
    const plan = new LiblxcConfigEditor(fakeLib(), '/lxc').consoleBufferPlan('c1');
    fs.appendFileSync(file, 'lxc.pty.max = 1\n');
    const changed = fs.readFileSync(file, 'utf8');
    await expect(step(plan).apply(() => {})).rejects.toThrow(/changed since this plan was made; left as it is/);
    await expect(step(plan).undo()).rejects.toThrow(/changed since this plan was made/);
    expect(fs.readFileSync(file, 'utf8')).toBe(changed);
  });

  it('an undo of a step that never ran is a no-op (what rollback does after a kill before the write)', async () => {
    const plan = new LiblxcConfigEditor(fakeLib(), '/lxc').consoleBufferPlan('c1');
    const ino = fs.statSync(file).ino;
    await step(plan).undo();
    expect(fs.statSync(file).ino).toBe(ino);
  });

  it('liblxc rejecting the value fails the plan build with one line (nothing written)', () => {
    const editor = new LiblxcConfigEditor(fakeLib(), '/lxc');
    const e = (() => {
      try {
        editor.prepare('c1', [{ key: 'lxc.console.buffer.size', values: ['big'] }], 't');
      } catch (x) {
        return x as LxcdeckError;
      }
      return null;
    })();
    expect(e?.line).toBe('liblxc rejects lxc.console.buffer.size = big: see lxc.container.conf(5) for the values it takes');
    expect(() => editor.consoleBufferPlan('other')).toThrow(/container other is not defined in \/lxc/);
    expect(() => editor.consoleBufferPlan('../x')).toThrow(/invalid container name/);
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('a read-back that disagrees (an lxc.include later sets it) fails the apply and restores the file', async () => {
    fs.writeFileSync(file, `${ORIGINAL}lxc.console.buffer.size = 4096\nlxc.console.buffer.size = 8192\n`);
    // the fake reads the last line, like an include after the edited line would win
    const plan = new LiblxcConfigEditor(fakeLib(), '/lxc').prepare('c1', [{ key: 'lxc.console.buffer.size', values: ['128kB', '8192'] }], 't');
    const editor = new LiblxcConfigEditor(fakeLib(), '/lxc');
    const before = fs.readFileSync(file, 'utf8');
    expect(() => editor.applyNow(plan)).toThrow(/reads lxc.console.buffer.size of c1 back as "8192", not 128kB, 8192/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('rebuilds the same plan from its journalled params (JSON round trip) through the registry', async () => {
    const editor = new LiblxcConfigEditor(fakeLib(), '/lxc');
    const registry = new PlanRegistry();
    editor.register(registry);
    const plan = editor.consoleBufferPlan('c1', '1MB');
    const again = registry.build(CONFIG_EDIT_KIND, JSON.parse(JSON.stringify(plan.params)) as Json);
    expect(again.title).toBe(plan.title);
    expect(step(again).description).toBe(step(plan).description);
    expect(step(again).shows).toEqual(step(plan).shows);
    // even after the file changed: the journal's before-text is what undo restores
    await step(plan).apply(() => {});
    await step(again).undo();
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(() => registry.build(CONFIG_EDIT_KIND, { name: 'c1' })).toThrow(/journal lacks lxcpath/);
    expect(() => registry.build(CONFIG_EDIT_KIND, { ...(plan.params as object), edits: [{ key: 'lxc.x', values: ['1\nlxc.hook.pre-start=/evil'] }] } as Json)).toThrow(/line break/);
  });
});
