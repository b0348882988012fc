import { execFile } from 'node:child_process';
import type { ContainerFactory } from '../core/backend.js';
import { LxcdeckError } from '../core/errors.js';
import { validateContainerName } from '../core/names.js';
import type { LiblxcBackend } from './backend.js';

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

/** Creates and destroys containers with lxc-create and lxc-destroy, checked first through liblxc. */
export class LxcToolsFactory implements ContainerFactory {
  constructor(private readonly backend: LiblxcBackend) {}

  async create(name: string, template: string): Promise<void> {
    validateContainerName(name);
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(template)) throw new LxcdeckError('invalid-argument', `invalid template name ${JSON.stringify(template)}`, 'use a template from /usr/share/lxc/templates, e.g. busybox');
    if (this.backend.isDefined(name)) throw new LxcdeckError('wrong-state', `container ${name} already exists in ${this.backend.lxcpath}`, 'choose another name');
    await runLxcTool('lxc-create', ['-n', name, '-P', this.backend.lxcpath, '-t', template]);
    // every shell or console pane takes a terminal of the container's own devpts, and the
    // busybox template allows one (lxc.pty.max = 1): give the demo a few
    if (template === 'busybox') {
      const editor = this.backend.configEditor;
      editor.applyNow(editor.prepare(name, [{ key: 'lxc.pty.max', values: ['16'] }], `terminals of ${name}`));
    }
  }

  async destroy(name: string, force: boolean): Promise<void> {
    const state = this.backend.state(name);
    if (state !== 'STOPPED') {
      if (!force) throw new LxcdeckError('wrong-state', `container ${name} is ${state}`, `stop it first, or pass --force`);
      await this.backend.kill(name);
    }
    await runLxcTool('lxc-destroy', ['-n', name, '-P', this.backend.lxcpath]);
  }
}
