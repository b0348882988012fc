import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import type { CliIo } from './io.js';

/**
 * `lxcdeck help [COMMAND...]`, `lxcdeck help keys` (the key table),
 * `lxcdeck keys` and `lxcdeck man` (lxcdeck(1), built from the command
 * definitions and the command registry's keys, as scripts/bundle.mjs installs it).
 */

/** The effective key table (defaults plus the user's overrides), as text or JSON. */
export async function printKeys(io: CliIo, json: boolean): Promise<void> {
  const { SettingsStore } = await import('../settings/settings.js');
  const { effectiveKeymap, displayKey, KEYED_COMMANDS } = await import('../commands/keytable.js');
  const { formatTable } = await import('../presentation/format.js');
  const settings = new SettingsStore();
  const km = effectiveKeymap(settings.get().keys);
  for (const w of [...settings.warnings, ...km.problems]) io.err(`lxcdeck: ${w}`);
  const rows = KEYED_COMMANDS.map((c) => ({ id: c.id, title: c.title, scope: c.scope, dangerous: c.dangerous ?? false, keys: km.byCommand.get(c.id) ?? [] }));
  if (json) return io.out(JSON.stringify(rows, null, 2));
  io.out(formatTable(['COMMAND', 'KEYS', 'WHAT'], rows.map((r) => [r.id, r.keys.map(displayKey).join(' '), r.title])));
}

export function registerHelpCommands(program: Command, io: CliIo): void {
  program.helpCommand(false);
  program
    .command('help')
    .description("show help for a command, or 'help keys' for the TUI's key table")
    .argument('[topic...]', "a command (e.g. 'job run') or keys")
    .action(async (topic: string[]) => {
      if (topic.length === 1 && topic[0] === 'keys') return printKeys(io, false);
      let cmd = program;
      for (const word of topic) {
        const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
        if (!sub) throw new LxcdeckError('invalid-argument', `no command ${JSON.stringify(topic.join(' '))}`, "see 'lxcdeck --help'");
        cmd = sub;
      }
      io.out(cmd.helpInformation());
    });

  program
    .command('keys')
    .description('print the effective keymap: command id -> keys (defaults plus your overrides)')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => printKeys(io, opts.json ?? false));

  program
    .command('man')
    .description('print the lxcdeck(1) manual page (roff): lxcdeck man | man -l -')
    .action(async () => {
      const { manPage } = await import('./manPage.js');
      io.out(await manPage(program));
    });
}
