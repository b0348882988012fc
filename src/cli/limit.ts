import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { cgroupSettings, hasLimits, type CgroupSetting } from '../core/limits.js';
import { loadNative, type ContainerHandle, type NativeLib } from '../lxc/native.js';
import { formatBytes, sanitize } from '../presentation/format.js';
import type { CliContext } from './context.js';
import { limitOptions, limitRequest } from './create.js';
import { cgroupVersion } from './createPrepare.js';
import type { CliIo } from './io.js';
import { applyPlan, printPlan, processTerminal } from './planOutput.js';

/**
 * `lxcdeck limit NAME --memory-max ...`: validated first, applied live to a
 * running container through liblxc's set_cgroup_item (on koffi's worker
 * thread: it may ask the monitor), then kept in the config through the
 * config-edit plan. A value the kernel refuses puts back the ones already
 * set and persists nothing.
 */
type Async = { async(...args: unknown[]): void };
const call = <T>(fn: unknown, ...args: unknown[]): Promise<T> =>
  new Promise((resolve, reject) => (fn as Async).async(...args, (err: unknown, res: T) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))));

function why(s: CgroupSetting, current: Map<string, string | null>): string {
  const usageFile = s.file.startsWith('memory.') ? (s.file === 'memory.max' ? 'memory.current' : 'memory.usage_in_bytes') : s.file === 'pids.max' ? 'pids.current' : null;
  const usage = usageFile ? current.get(usageFile) : null;
  if (usage && /^\d+$/.test(usage.trim()) && Number(usage) > Number(s.value)) return `below what it uses now (${s.file.startsWith('memory') ? formatBytes(Number(usage)) : usage.trim()})`;
  return 'the controller may not be delegated to you, or the value is out of range';
}

async function applyLive(lib: NativeLib, h: ContainerHandle, name: string, settings: CgroupSetting[]): Promise<void> {
  const current = new Map<string, string | null>();
  for (const f of [...settings.map((s) => s.file), 'memory.current', 'memory.usage_in_bytes', 'pids.current']) current.set(f, await call<string | null>(lib.lxcdeck_get_cgroup_item, h, f).catch(() => null));
  const done: CgroupSetting[] = [];
  for (const s of settings) {
    const ok = (await call<number>(lib.lxcdeck_set_cgroup_item, h, s.file, s.value)) === 0;
    if (ok) {
      done.push(s);
      continue;
    }
    // take back what this command set already, newest first
    for (const d of done.reverse()) {
      const old = current.get(d.file);
      if (old) await call<number>(lib.lxcdeck_set_cgroup_item, h, d.file, old.trim());
    }
    throw new LxcdeckError('invalid-argument', `the kernel refuses ${s.option} (${s.file} = ${s.value}) for ${name}: ${why(s, current)}`, 'give a value it can take; nothing was changed');
  }
}

export function registerLimitCommand(program: Command, io: CliIo, context: (cmd: Command) => CliContext): void {
  limitOptions(program.command('limit').description("set a container's resource limits: live when it runs, and kept in its config").argument('<name>'))
    .option('--dry-run', 'print the config change, set nothing')
    .option('--json', 'one JSON line per event')
    .action(async (name: string, opts: Record<string, unknown>, cmd: Command) => {
      const req = limitRequest(opts);
      if (!hasLimits(req)) throw new LxcdeckError('invalid-argument', 'no limit given', 'pass --memory-max, --memory-swap-max, --cpu-max, --cpus, --pids-max or --io-weight');
      const c = context(cmd);
      const settings = cgroupSettings(req, cgroupVersion(c));
      const editor = c.backend.configEditor;
      // liblxc judges the keys before anything is set
      const plan = editor.build(editor.prepare(name, settings.map((s) => ({ key: s.key, values: [s.value] })), `Limits of ${name}`));
      const mode = opts.json ? 'json' : 'text';
      if (opts.dryRun) return printPlan(plan, processTerminal(), mode);
      const running = c.backend.state(name) === 'RUNNING';
      if (running) {
        const lib = loadNative(c.logFile);
        const h = lib.lxcdeck_open(name, c.backend.lxcpath);
        if (!h) throw new LxcdeckError('liblxc-failed', `liblxc could not open ${name}`);
        try {
          await applyLive(lib, h, name, settings);
        } finally {
          lib.lxcdeck_close(h);
        }
      }
      const executor = c.planExecutor();
      await applyPlan(executor, () => executor.run(plan), processTerminal(), mode);
      if (mode === 'text') io.out(sanitize(`${name}: ${settings.map((s) => `${s.file} = ${s.value}`).join(', ')} ${running ? 'set now and kept in the config' : 'kept in the config (from its next start)'}`));
    });
}
