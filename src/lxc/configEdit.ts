import * as fs from 'node:fs';
import type { ConfigEditor } from '../core/backend.js';
import { applyConfigEdits, configValues, validateConfigEdit, type ConfigEdit } from '../core/configText.js';
import { CONSOLE_BUFFER_KEY, consoleBufferTook, DEFAULT_CONSOLE_BUFFER, parseConsoleBufferSize } from '../core/consoleBuffer.js';
import { LxcdeckError } from '../core/errors.js';
import { validateContainerName } from '../core/names.js';
import type { Json, Plan, PlanStep } from '../core/plan.js';
import { writeFileAtomic } from '../host/atomicWrite.js';
import type { PlanRegistry } from '../plan/registry.js';
import type { ContainerHandle, NativeLib } from './native.js';

/**
 * Config edits as one-step plans: the user's config file is edited as text
 * (core/configText: every other line kept byte for byte), liblxc's own
 * set_config_item judges each value first, the file is replaced atomically,
 * and a fresh liblxc handle reads the key back to prove it took. Undo puts
 * the old text back. Apply and undo refuse to touch a file that someone else
 * changed since the plan was made.
 */
export const CONFIG_EDIT_KIND = 'lxc.config-edit';

/** The journal's params: the text before is kept so undo works after a crash. */
export interface ConfigEditParams {
  name: string;
  lxcpath: string;
  file: string;
  title: string;
  edits: ConfigEdit[];
  before: string;
}

function parseParams(p: Json): ConfigEditParams {
  const o = (typeof p === 'object' && p !== null && !Array.isArray(p) ? p : {}) as Record<string, Json>;
  const str = (k: string): string => {
    const v = o[k];
    if (typeof v !== 'string') throw new LxcdeckError('internal', `config-edit plan journal lacks ${k}`, 'delete the journal after checking the config by hand');
    return v;
  };
  const edits = Array.isArray(o.edits) ? o.edits : [];
  const parsed = edits.map((e) => {
    const r = (e ?? {}) as Record<string, Json>;
    const values = Array.isArray(r.values) ? r.values.filter((v): v is string => typeof v === 'string') : [];
    const edit = { key: typeof r.key === 'string' ? r.key : '', values };
    validateConfigEdit(edit);
    return edit;
  });
  return { name: validateContainerName(str('name')), lxcpath: str('lxcpath'), file: str('file'), title: str('title'), edits: parsed, before: str('before') };
}

/** Whether the value liblxc reads back (get_config_item) is what the edit asked for. */
function tookEffect(edit: ConfigEdit, got: string | null, unsetValue: () => string | null): boolean {
  if (edit.key === CONSOLE_BUFFER_KEY) return got !== null && consoleBufferTook(edit.values[0] === undefined ? null : parseConsoleBufferSize(edit.values[0]), got);
  // a removed key reads back as nothing (an lxc.net.N that is gone) or as liblxc's
  // default for a config that never set it (lxc.start.delay reads "0")
  if (edit.values.length === 0) return got === null || got.trim() === '' || got.trim() === (unsetValue() ?? '').trim();
  return got !== null;
}

/** What liblxc reads for a key no config sets: its value on a scratch container object. */
function defaultOf(lib: NativeLib, lxcpath: string, key: string): string | null {
  const c = lib.lxcdeck_open(`lxcdeck-scratch-${process.pid}`, lxcpath);
  if (!c) return null;
  try {
    // a harmless key first, so the object has a config to read from
    lib.lxcdeck_set_config_item(c, 'lxc.uts.name', 'scratch');
    return lib.lxcdeck_get_config_item(c, key);
  } finally {
    lib.lxcdeck_close(c);
  }
}

export class LiblxcConfigEditor implements ConfigEditor {
  /** lxcpath: where new plans look for containers (a journalled plan keeps its own). */
  constructor(
    private readonly lib: NativeLib,
    private readonly lxcpath: string,
  ) {}

  /** Makes journalled config edits rebuildable after a crash. */
  register(registry: PlanRegistry): void {
    registry.register(CONFIG_EDIT_KIND, (p) => this.build(parseParams(p)));
  }

  consoleBufferPlan(name: string, size: string | null = DEFAULT_CONSOLE_BUFFER): Plan {
    return this.build(this.consoleBufferParams(name, size));
  }

  consoleBufferParams(name: string, size: string | null = DEFAULT_CONSOLE_BUFFER): ConfigEditParams {
    const asked = size === null ? null : parseConsoleBufferSize(size);
    const title = asked ? `Console ring buffer of ${name}: ${asked.value} (from its next start)` : `No console ring buffer for ${name} (from its next start)`;
    return this.prepare(name, [{ key: CONSOLE_BUFFER_KEY, values: asked ? [asked.value] : [] }], title);
  }

  /** Reads the config and has liblxc judge the values; writes nothing. */
  prepare(name: string, edits: ConfigEdit[], title: string): ConfigEditParams {
    return this.prepareFrom(name, title, () => edits);
  }

  /** prepare() for edits that depend on the config as it is (the next free lxc.net.N of a join). */
  prepareFrom(name: string, title: string, editsFor: (before: string) => ConfigEdit[]): ConfigEditParams {
    validateContainerName(name);
    let edits: ConfigEdit[] = [];
    let before = '';
    const file = this.withHandle(name, this.lxcpath, (c) => {
      const f = this.lib.lxcdeck_config_file_name(c);
      if (!f) throw new LxcdeckError('liblxc-failed', `liblxc does not know the config file of ${name}`);
      before = readConfig(f, name);
      edits = editsFor(before);
      for (const e of edits) validateConfigEdit(e);
      this.judge(c, edits);
      return f;
    });
    return { name, lxcpath: this.lxcpath, file, title, edits, before };
  }

  build(params: ConfigEditParams): Plan {
    const after = applyConfigEdits(params.before, params.edits);
    const what = params.edits.map((e) => (e.values.length ? `set ${e.key} = ${e.values.join(', ')}` : `remove ${e.key}`)).join('; ');
    const onlyRemoves = params.edits.every((e) => e.values.length === 0);
    const step: PlanStep = {
      description: `${what} ${onlyRemoves ? 'from' : 'in'} ${params.file}`,
      shows: [
        { kind: 'config', container: params.name, file: params.file, changes: params.edits.map((e) => ({ key: e.key, old: configValues(params.before, e.key), new: e.values })) },
        { kind: 'file', path: params.file, before: params.before, after },
      ],
      check: async () => readConfig(params.file, params.name) === after,
      apply: async () => this.applyNow(params),
      undo: async () => this.undoNow(params),
    };
    return { kind: CONFIG_EDIT_KIND, title: params.title, params: params as unknown as Json, steps: [step] };
  }

  /** The step's apply, synchronous (the TUI's direct call uses it until it runs plans). */
  applyNow(params: ConfigEditParams): void {
    const after = applyConfigEdits(params.before, params.edits);
    const current = readConfig(params.file, params.name);
    if (current === after) return this.verify(params);
    if (current !== params.before) throw changedSince(params);
    this.withHandle(params.name, params.lxcpath, (c) => this.judge(c, params.edits));
    writeFileAtomic(params.file, after);
    try {
      this.verify(params);
    } catch (e) {
      // a failing apply leaves the file as it found it
      writeFileAtomic(params.file, params.before);
      throw e;
    }
  }

  undoNow(params: ConfigEditParams): void {
    const after = applyConfigEdits(params.before, params.edits);
    const current = readConfig(params.file, params.name);
    if (current === params.before) return;
    if (current !== after) throw changedSince(params);
    writeFileAtomic(params.file, params.before);
  }

  /** A fresh handle parses the file again: the values must read back as asked. */
  private verify(params: ConfigEditParams): void {
    this.withHandle(params.name, params.lxcpath, (c) => {
      for (const e of params.edits) {
        const got = this.lib.lxcdeck_get_config_item(c, e.key);
        if (!tookEffect(e, got, () => defaultOf(this.lib, params.lxcpath, e.key)))
          throw new LxcdeckError('liblxc-failed', `liblxc reads ${e.key} of ${params.name} back as ${JSON.stringify(got?.trim() ?? null)}, not ${e.values.join(', ') || 'unset'}`, `check ${params.file} for an lxc.include that sets it too`);
      }
    });
  }

  /** liblxc's set_config_item on a handle that is never saved: the judge of keys and values. */
  private judge(c: ContainerHandle, edits: ConfigEdit[]): void {
    for (const e of edits)
      for (const v of e.values)
        if (this.lib.lxcdeck_set_config_item(c, e.key, v) !== 0)
          throw new LxcdeckError('config-key', `liblxc rejects ${e.key} = ${v}`, 'see lxc.container.conf(5) for the values it takes');
  }

  private withHandle<T>(name: string, lxcpath: string, fn: (c: ContainerHandle) => T): T {
    const c = this.lib.lxcdeck_open(name, lxcpath);
    if (!c) throw new LxcdeckError('liblxc-failed', `liblxc could not open ${name} in ${lxcpath}`, 'check that the lxcpath is readable');
    try {
      if (!this.lib.lxcdeck_is_defined(c))
        throw new LxcdeckError('not-defined', `container ${name} is not defined in ${lxcpath}`, "see 'lxcdeck ls', or pass --lxcpath");
      return fn(c);
    } finally {
      this.lib.lxcdeck_close(c);
    }
  }
}

function readConfig(file: string, name: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') throw new LxcdeckError('not-defined', `the config of ${name} (${file}) is gone`, "see 'lxcdeck ls'");
    throw new LxcdeckError('permission', `cannot read the config of ${name} (${file}: ${code})`, 'run lxcdeck as the owner of the container');
  }
}

function changedSince(p: ConfigEditParams): LxcdeckError {
  return new LxcdeckError('wrong-state', `the config of ${p.name} (${p.file}) changed since this plan was made; left as it is`, 'look at the file, then run the command again');
}

/**
 * liblxc's judgement of keys for a container that does not exist yet (create):
 * set_config_item on a handle of a name that is never defined or saved.
 */
export function judgeOnScratch(lib: NativeLib, lxcpath: string, edits: readonly ConfigEdit[]): void {
  const c = lib.lxcdeck_open(`lxcdeck-scratch-${process.pid}`, lxcpath);
  if (!c) throw new LxcdeckError('liblxc-failed', `liblxc could not make a scratch container object in ${lxcpath}`, 'check that the lxcpath is readable');
  try {
    for (const e of edits) {
      validateConfigEdit(e);
      for (const v of e.values)
        if (lib.lxcdeck_set_config_item(c, e.key, v) !== 0) throw new LxcdeckError('config-key', `liblxc rejects ${e.key} = ${v}`, 'see lxc.container.conf(5) for the values it takes');
    }
  } finally {
    lib.lxcdeck_close(c);
  }
}
