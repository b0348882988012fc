import * as fs from 'node:fs';
import { lineKey } from '../core/configText.js';
import { LxcdeckError } from '../core/errors.js';
import type { Json, Plan } from '../core/plan.js';
import { writeFileAtomic } from '../host/atomicWrite.js';
import type { PlanRegistry } from '../plan/registry.js';
import type { NativeLib } from './native.js';

/**
 * A whole config text judged by liblxc line by line (set_config_item on a
 * scratch container object, never saved), with the line numbers of what it
 * rejects; and the one-step plan that replaces the file atomically.
 */
export interface ConfigProblem {
  line: number;
  text: string;
}

export function checkConfigText(lib: NativeLib, lxcpath: string, text: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const c = lib.lxcdeck_open(`lxcdeck-scratch-${process.pid}`, lxcpath);
  if (!c) throw new LxcdeckError('liblxc-failed', `liblxc could not make a scratch container object in ${lxcpath}`, 'check that the lxcpath is readable');
  try {
    text.split('\n').forEach((raw, i) => {
      const body = raw.replace(/^[ \t]+/, '');
      if (body === '' || body.startsWith('#')) return;
      const key = lineKey(raw);
      if (key === null) return problems.push({ line: i + 1, text: `not a key = value line: ${JSON.stringify(raw.slice(0, 60))}` });
      const value = raw.slice(raw.indexOf('=') + 1).trim();
      if (lib.lxcdeck_set_config_item(c, key, value) === 0) return;
      // is_supported does not know indexed keys (lxc.net.0.type): those are known, their value is not
      const known = lib.lxcdeck_config_item_is_supported(key) || /^lxc\.net\.\d+\./.test(key);
      problems.push({ line: i + 1, text: known ? `liblxc rejects ${key} = ${value}` : `liblxc does not know the key ${key}` });
    });
  } finally {
    lib.lxcdeck_close(c);
  }
  return problems;
}

/** Every value of a key with its line number. */
export function keyLines(text: string, key: string): [number, string][] {
  return text.split('\n').flatMap((l, i): [number, string][] => (lineKey(l) === key ? [[i + 1, l.slice(l.indexOf('=') + 1).trim()]] : []));
}

export const CONFIG_REPLACE_KIND = 'lxc.config-replace';

export interface ConfigReplaceParams {
  name: string;
  file: string;
  before: string;
  after: string;
}

export function buildConfigReplacePlan(p: ConfigReplaceParams): Plan {
  const read = () => fs.readFileSync(p.file, 'utf8');
  const changed = () => new LxcdeckError('wrong-state', `${p.file} changed since it was opened for editing; left as it is`, 'edit it again');
  return {
    kind: CONFIG_REPLACE_KIND,
    title: `Edit the config of ${p.name}`,
    params: p as unknown as Json,
    steps: [
      {
        description: `write ${p.file}`,
        shows: [{ kind: 'file', path: p.file, before: p.before, after: p.after }],
        check: async () => read() === p.after,
        apply: async () => {
          if (read() !== p.before) throw changed();
          writeFileAtomic(p.file, p.after);
        },
        undo: async () => {
          const now = read();
          if (now === p.before) return;
          if (now !== p.after) throw changed();
          writeFileAtomic(p.file, p.before);
        },
      },
    ],
  };
}

export function registerConfigReplacePlan(registry: PlanRegistry): void {
  registry.register(CONFIG_REPLACE_KIND, (j) => {
    const p = j as unknown as ConfigReplaceParams;
    if (!p || typeof p.file !== 'string' || typeof p.before !== 'string' || typeof p.after !== 'string') throw new LxcdeckError('internal', 'config-replace plan journal is unreadable', 'check the config by hand, then delete the journal');
    return buildConfigReplacePlan(p);
  });
}
