import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command, Option } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import type { CliIo } from './io.js';

/**
 * `lxcdeck completion bash|zsh` prints a completion script; the script asks
 * `lxcdeck __complete CWORD WORDS...` for the candidates of the word being
 * typed: subcommands and options from the command definitions themselves, and
 * names from this host (containers in the lxcpath, jobs, rules, networks).
 */

export type NameKind = 'container' | 'job' | 'rule' | 'network';

export interface NameSource {
  names(kind: NameKind, lxcpath: string | undefined): Promise<string[]>;
}

/** What the `<name>` argument of a command names: the parent command decides. */
function nameKindOf(cmd: Command): NameKind | null {
  const parent = cmd.parent?.parent ? cmd.parent.name() : null;
  if (parent === 'job') return 'job';
  if (parent === 'rule') return 'rule';
  if (parent === 'net') return 'network';
  if (parent === 'plan' || cmd.name() === 'create') return null;
  return 'container';
}

function visibleOptions(cmd: Command): Option[] {
  return cmd.options.filter((o) => !o.hidden);
}

function optionTakesValue(cmd: Command, word: string): boolean {
  const all = [...visibleOptions(cmd), ...(cmd.parent ? optionsUp(cmd.parent) : [])];
  const o = all.find((x) => x.long === word || x.short === word);
  return !!o && (o.required || o.optional);
}

function optionsUp(cmd: Command): Option[] {
  return [...visibleOptions(cmd), ...(cmd.parent ? optionsUp(cmd.parent) : [])];
}

/** Candidates for words[cword] (words[0] is the program); filtering by prefix is left to the shell. */
export async function completionCandidates(program: Command, words: string[], cword: number, source: NameSource): Promise<string[]> {
  let cmd = program;
  let lxcpath: string | undefined;
  let positional = 0;
  for (let i = 1; i < cword; i++) {
    const w = words[i] ?? '';
    if (w === '-P' || w === '--lxcpath') lxcpath = words[i + 1];
    if (w.startsWith('-')) {
      if (optionTakesValue(cmd, w)) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub && positional === 0) cmd = sub;
    else positional++;
  }
  const current = words[cword] ?? '';
  const previous = words[cword - 1] ?? '';
  if (previous === '-P' || previous === '--lxcpath') return [];
  // create --net NETWORK
  if (previous === '--net') return source.names('network', lxcpath);
  if (cword > 1 && optionTakesValue(cmd, previous)) return [];
  if (current.startsWith('-')) return optionsUp(cmd).flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
  const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden && c.name() !== 'help').map((c) => c.name());
  if (subs.length && positional === 0) return cmd === program ? [...subs, 'help'] : subs;
  const arg = cmd.registeredArguments[positional] ?? cmd.registeredArguments.at(-1);
  // net join CONTAINER NETWORK, net forward add NETWORK SPEC
  if (arg?.name() === 'network') return source.names('network', lxcpath);
  if (arg?.name() === 'container') return source.names('container', lxcpath);
  if (!arg || arg.name() !== 'name') return [];
  const kind = nameKindOf(cmd);
  return kind ? source.names(kind, lxcpath) : [];
}

/** Names read from disk and settings: never through liblxc's per-container calls. */
export const hostNames: NameSource = {
  async names(kind, lxcpath) {
    try {
      if (kind === 'container') {
        const { loadNative } = await import('../lxc/native.js');
        const dir = lxcpath ?? loadNative(null).lxcdeck_default_lxcpath();
        if (!dir) return [];
        return fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'config'))).sort();
      }
      if (kind === 'job') {
        const [{ JobManager }, { readCgroupHost }, { realHostFs }, { currentIdentity }] = await Promise.all([
          import('../jobs/manager.js'),
          import('../host/cgroups.js'),
          import('../host/hostfs.js'),
          import('../host/identity.js'),
        ]);
        const jm = new JobManager({ host: readCgroupHost(realHostFs), identity: currentIdentity(realHostFs), fs: realHostFs });
        return jm.list().map((s) => s.record.name);
      }
      if (kind === 'network') {
        const { NetStore, lxcNetNetwork } = await import('../host/netStore.js');
        return [...new NetStore().list().map((d) => d.name), ...(lxcNetNetwork() ? ['lxcnet'] : [])].sort();
      }
      const [{ SettingsStore }, { RuleStore }] = await Promise.all([import('../settings/settings.js'), import('../rules/ruleStore.js')]);
      return new RuleStore(new SettingsStore()).list().rules.map((r) => r.name);
    } catch {
      return []; // completion never prints errors into the user's command line
    }
  },
};

export function registerCompletionCommands(program: Command, io: CliIo): void {
  program
    .command('completion')
    .description("print the shell completion script: eval \"$(lxcdeck completion bash)\" in ~/.bashrc, or zsh's in ~/.zshrc")
    .argument('<shell>', 'bash or zsh')
    .action(async (shell: string) => {
      const { completionScript } = await import('./completionScripts.js');
      if (shell !== 'bash' && shell !== 'zsh') throw new LxcdeckError('invalid-argument', `no completion for shell ${JSON.stringify(shell)}`, 'use bash or zsh');
      io.out(completionScript(shell));
    });

  program
    .command('__complete', { hidden: true })
    .argument('<cword>')
    .argument('[words...]')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (cword: string, words: string[]) => {
      const found = await completionCandidates(program, words, Number(cword), hostNames);
      if (found.length) io.out(found.join('\n'));
    });
}
