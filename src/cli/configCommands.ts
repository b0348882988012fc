import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import type { Command } from 'commander';
import { configValues } from '../core/configText.js';
import { LxcdeckError } from '../core/errors.js';
import { lintMounts } from '../core/mountLint.js';
import { validateContainerName } from '../core/names.js';
import { buildConfigReplacePlan, checkConfigText, keyLines } from '../lxc/configCheck.js';
import { loadNative } from '../lxc/native.js';
import { sanitize } from '../presentation/format.js';
import { unifiedDiff } from '../presentation/lineDiff.js';
import type { CliContext } from './context.js';
import type { CliIo } from './io.js';
import { guardOriginal } from './overlayGuard.js';
import { applyPlan, printPlan, processTerminal } from './planOutput.js';

/** `lxcdeck config get|set|unset|edit`: every key judged by liblxc before anything is written. */

function configFile(c: CliContext, name: string): string {
  validateContainerName(name);
  if (!c.backend.isDefined(name)) throw new LxcdeckError('not-defined', `container ${name} is not defined in ${c.backend.lxcpath}`, "see 'lxcdeck ls'");
  return c.backend.info(name).configFile;
}

const kindOf = (p: string) => {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  return st ? (st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other') : null;
};

function lint(text: string): string[] {
  return lintMounts(keyLines(text, 'lxc.mount.entry'), { kind: kindOf }).map((f) => `line ${f.line}: warning: ${f.text}`);
}

async function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim().toLowerCase();
  } finally {
    rl.close();
  }
}

function runEditor(file: string): Promise<void> {
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
  return new Promise((resolve, reject) => {
    // through the shell: $EDITOR may carry arguments ("code -w")
    const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new LxcdeckError('invalid-argument', `the editor (${editor}) exited with status ${code}; nothing was written`, 'set $VISUAL or $EDITOR to an editor that exits 0 on save'))));
  });
}

export function registerConfigEditCommands(program: Command, io: CliIo, context: (cmd: Command) => CliContext): void {
  const config = program.command('config').description("read and change a container's config, every key judged by liblxc first");

  config
    .command('get')
    .description('print the value(s) liblxc reads for a key')
    .argument('<name>')
    .argument('<key>')
    .action((name: string, key: string, _o: unknown, cmd: Command) => {
      const c = context(cmd);
      configFile(c, name);
      const lib = loadNative(c.logFile);
      const h = lib.lxcdeck_open(name, c.backend.lxcpath);
      if (!h) throw new LxcdeckError('liblxc-failed', `liblxc could not open ${name}`);
      try {
        const v = lib.lxcdeck_get_config_item(h, key);
        if (v === null) throw new LxcdeckError('config-key', `liblxc does not know the key ${key}`, 'see lxc.container.conf(5)');
        io.out(sanitize(v.replace(/\n$/, '')));
      } finally {
        lib.lxcdeck_close(h);
      }
    });

  for (const verb of ['set', 'unset'] as const) {
    config
      .command(verb)
      .description(verb === 'set' ? 'set a key (replacing its values); liblxc judges it first' : 'remove every line of a key')
      .argument('<name>')
      .argument('<key>')
      .argument(verb === 'set' ? '<value...>' : '[value...]')
      .option('--add', 'set: add the value(s) to the key\'s lines (lxc.mount.entry, lxc.idmap, ...) instead of replacing them')
      .option('--force', 'go on although overlay clones depend on the container')
      .option('--dry-run', 'print the change, write nothing')
      .option('--json', 'one JSON line per event')
      .action(async (name: string, key: string, values: string[], opts: { add?: boolean; force?: boolean; dryRun?: boolean; json?: boolean }, cmd: Command) => {
        const c = context(cmd);
        if (verb === 'unset' && values.length) throw new LxcdeckError('invalid-argument', 'unset takes no value', `use 'lxcdeck config unset ${name} ${key}'`);
        const file = configFile(c, name);
        const current = configValues(fs.readFileSync(file, 'utf8'), key);
        if (verb === 'unset' && !current.length) throw new LxcdeckError('invalid-argument', `${key} is not set in ${file}`, `see 'lxcdeck config get ${name} ${key}' (it may come from an lxc.include)`);
        const editor = c.backend.configEditor;
        const next = verb === 'unset' ? [] : opts.add ? [...current, ...values] : values;
        const plan = editor.build(editor.prepare(name, [{ key, values: next }], `${verb} ${key} of ${name}`));
        const mode = opts.json ? 'json' : 'text';
        if (key === 'lxc.mount.entry') for (const w of lint(values.map((v) => `${key} = ${v}`).join('\n'))) io.err(sanitize(`lxcdeck: ${w.replace(/^line \d+: /, '')}`));
        if (opts.dryRun) return printPlan(plan, processTerminal(), mode);
        await guardOriginal(c.backend.lxcpath, name, 'change', io, opts.force);
        const executor = c.planExecutor();
        await applyPlan(executor, () => executor.run(plan), processTerminal(), mode);
      });
  }

  config
    .command('edit')
    .description('edit the config in $VISUAL/$EDITOR; saved only when liblxc takes every line (diff shown first)')
    .argument('<name>')
    .option('-y, --yes', 'write without asking after the diff')
    .option('--force', 'go on although overlay clones depend on the container')
    .action(async (name: string, opts: { yes?: boolean; force?: boolean }, cmd: Command) => {
      const c = context(cmd);
      const file = configFile(c, name);
      await guardOriginal(c.backend.lxcpath, name, 'change', io, opts.force);
      const before = fs.readFileSync(file, 'utf8');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-edit-'));
      const scratch = path.join(dir, `${name}.config`);
      fs.writeFileSync(scratch, before, { mode: 0o600 });
      const tty = process.stdin.isTTY === true;
      try {
        for (;;) {
          await runEditor(scratch);
          const after = fs.readFileSync(scratch, 'utf8');
          if (after === before) return io.out(`${name}: no change`);
          const problems = checkConfigText(loadNative(c.logFile), c.backend.lxcpath, after);
          if (problems.length) {
            for (const p of problems) io.err(sanitize(`${file}: line ${p.line}: ${p.text}`));
            if (tty && (await ask('fix it in the editor again? [Y/n] ')) !== 'n') continue;
            throw new LxcdeckError('config-key', `${problems.length} line${problems.length === 1 ? '' : 's'} liblxc rejects; nothing was written`, 'fix them and edit again');
          }
          for (const w of lint(after)) io.err(sanitize(`${file}: ${w}`));
          for (const l of unifiedDiff(file, before, after)) io.out(sanitize(l));
          if (!opts.yes) {
            if (!tty) throw new LxcdeckError('invalid-argument', 'not on a terminal: nothing was written', 'pass --yes to write after the diff');
            const a = await ask('write it? [y/N/e(dit again)] ');
            if (a === 'e') continue;
            if (a !== 'y') return io.out(`${name}: discarded, nothing written`);
          }
          const executor = c.planExecutor();
          await applyPlan(executor, () => executor.run(buildConfigReplacePlan({ name, file, before, after })), processTerminal(), 'text');
          return;
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
}
