import { LxcdeckError } from '../core/errors.js';
import type { CgroupSetting } from '../core/limits.js';
import type { Plan, PlanStep } from '../core/plan.js';
import type { LiblxcConfigEditor } from './configEdit.js';
import type { ContainerHandle, NativeLib } from './native.js';

/**
 * Limits as a plan: set live through liblxc's set_cgroup_item (on koffi's
 * worker thread: it may ask the monitor) when the container runs, then kept
 * in the config by the config-edit step. A value the kernel refuses puts
 * back what the step set; the config is then not touched.
 */
type Async = { async(...args: unknown[]): void };
const call = <T>(fn: unknown, ...args: unknown[]): Promise<T> =>
  new Promise((resolve, reject) => (fn as Async).async(...args, (err: unknown, res: T) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))));

const USAGE: Record<string, string> = { 'memory.max': 'memory.current', 'memory.limit_in_bytes': 'memory.usage_in_bytes', 'pids.max': 'pids.current' };

function formatUsage(file: string, usage: string): string {
  if (!file.startsWith('memory')) return usage;
  const n = Number(usage);
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`;
}

export interface LimitPlanDeps {
  lib: NativeLib;
  lxcpath: string;
  editor: LiblxcConfigEditor;
  isRunning(name: string): boolean;
}

export function buildLimitPlan(d: LimitPlanDeps, name: string, settings: readonly CgroupSetting[]): Plan {
  // liblxc judges the keys before anything is set
  const persist = d.editor.build(d.editor.prepare(name, settings.map((s) => ({ key: s.key, values: [s.value] })), `Limits of ${name}`));
  const old = new Map<string, string>();
  const withHandle = async <T>(fn: (h: ContainerHandle) => Promise<T>): Promise<T> => {
    const h = d.lib.lxcdeck_open(name, d.lxcpath);
    if (!h) throw new LxcdeckError('liblxc-failed', `liblxc could not open ${name}`);
    try {
      return await fn(h);
    } finally {
      d.lib.lxcdeck_close(h);
    }
  };
  const read = (h: ContainerHandle, file: string) => call<string | null>(d.lib.lxcdeck_get_cgroup_item, h, file).then((v) => v?.trim() ?? null, () => null);
  const restore = (h: ContainerHandle, done: readonly CgroupSetting[]) =>
    [...done].reverse().reduce(async (p, s) => {
      await p;
      const v = old.get(s.file);
      if (v) await call<number>(d.lib.lxcdeck_set_cgroup_item, h, s.file, v);
    }, Promise.resolve());
  const live: PlanStep = {
    description: `set ${settings.map((s) => `${s.file} = ${s.value}`).join(', ')} on the running ${name}`,
    shows: settings.map((s) => ({ kind: 'note' as const, text: `cgroup ${s.file} = ${s.value} (set_cgroup_item)` })),
    check: async () => !d.isRunning(name) || withHandle(async (h) => (await Promise.all(settings.map(async (s) => (await read(h, s.file)) === s.value))).every(Boolean)),
    apply: () =>
      withHandle(async (h) => {
        for (const s of settings) old.set(s.file, (await read(h, s.file)) ?? '');
        const done: CgroupSetting[] = [];
        for (const s of settings) {
          // v2 takes a memory.max below memory.current and OOM-kills inside the
          // container until it fits (v1 refuses with EBUSY): judge it before writing
          const current = s.file === 'memory.max' ? await read(h, 'memory.current') : null;
          const below = current !== null && /^\d+$/.test(current) && Number(current) > Number(s.value);
          if (!below && (await call<number>(d.lib.lxcdeck_set_cgroup_item, h, s.file, s.value)) === 0) {
            done.push(s);
            continue;
          }
          const usageFile = USAGE[s.file];
          const usage = usageFile ? await read(h, usageFile) : null;
          await restore(h, done);
          const why = usage && /^\d+$/.test(usage) && Number(usage) > Number(s.value) ? `below what it uses now (${formatUsage(s.file, usage)})` : 'the controller may not be delegated to you, or the value is out of range';
          throw new LxcdeckError('invalid-argument', `the kernel refuses ${s.option} (${s.file} = ${s.value}) for ${name}: ${why}`, 'give a value it can take; nothing was changed');
        }
      }),
    undo: async () => {
      if (d.isRunning(name) && old.size) await withHandle((h) => restore(h, settings));
    },
  };
  return { ...persist, title: `Limits of ${name}`, steps: d.isRunning(name) ? [live, ...persist.steps] : persist.steps };
}
