import { execFile } from 'node:child_process';
import { LxcdeckError } from '../core/errors.js';
import type { CliContext } from './context.js';

/** Runs one of LXC's own tools (they fork; Node must not) and turns a failure into one line. */
function runLxcTool(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new LxcdeckError('liblxc-missing', `${tool} is not installed`, 'sudo apt-get install lxc lxc-templates'));
      const line = stderr.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? err.message;
      reject(new LxcdeckError('liblxc-failed', `${tool} failed: ${line}`));
    });
  });
}

export async function createContainer(ctx: CliContext, name: string, template: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(template)) throw new LxcdeckError('invalid-argument', `invalid template name ${JSON.stringify(template)}`, 'use a template from /usr/share/lxc/templates, e.g. busybox');
  if (ctx.lib.lxcdeck_list(ctx.backend.lxcpath, 0)?.split('\n').includes(name))
    throw new LxcdeckError('wrong-state', `container ${name} already exists in ${ctx.backend.lxcpath}`, 'choose another name');
  await runLxcTool('lxc-create', ['-n', name, '-P', ctx.backend.lxcpath, '-t', template]);
}

export async function destroyContainer(ctx: CliContext, name: string, force: boolean): Promise<void> {
  const state = ctx.backend.state(name);
  if (state !== 'STOPPED') {
    if (!force) throw new LxcdeckError('wrong-state', `container ${name} is ${state}`, `stop it first, or pass --force`);
    await ctx.backend.kill(name);
  }
  await runLxcTool('lxc-destroy', ['-n', name, '-P', ctx.backend.lxcpath]);
}
