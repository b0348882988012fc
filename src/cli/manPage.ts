import type { Command } from 'commander';

/** lxcdeck(1) in roff, from the command definitions and the command registry's default keys. */

// groff reads ASCII: anything else (an en dash in a title, an arrow) as its \[uXXXX] name
const esc = (s: string) =>
  s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1')
    .replace(/[^\x00-\x7f]/gu, (ch) => `\\[u${(ch.codePointAt(0) ?? 0x3f).toString(16).toUpperCase().padStart(4, '0')}]`);

function usage(cmd: Command, prefix: string): string {
  const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`));
  return [prefix, cmd.name(), cmd.options.length ? '[options]' : '', ...args].filter(Boolean).join(' ');
}

function commandSection(cmd: Command, prefix: string, out: string[]): void {
  for (const sub of cmd.commands) {
    if ((sub as unknown as { _hidden?: boolean })._hidden) continue;
    if (sub.commands.length) {
      commandSection(sub, `${prefix} ${sub.name()}`.trim(), out);
      continue;
    }
    out.push('.TP', `.B ${esc(usage(sub, prefix))}`, esc(sub.description()));
    for (const o of sub.options) out.push('.RS', '.TP', `.B ${esc(o.flags)}`, esc(o.description + (o.defaultValue !== undefined ? ` (default: ${String(o.defaultValue)})` : '')), '.RE');
  }
}

export async function manPage(program: Command): Promise<string> {
  const { KEYED_COMMANDS, displayKey } = await import('../commands/keytable.js');
  const out = [
    '.TH LXCDECK 1 "" "lxcdeck" "User Commands"',
    '.SH NAME',
    'lxcdeck \\- ' + esc(program.description()),
    '.SH SYNOPSIS',
    '.B lxcdeck',
    '[\\-P \\fIlxcpath\\fR]',
    '.br',
    '.B lxcdeck',
    '[\\-P \\fIlxcpath\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIargs\\fR]',
    '.SH DESCRIPTION',
    'Without a command, lxcdeck runs the full-screen workstation in this terminal; with one, it runs that command and exits.',
    'Quitting never stops a container.',
    '.SH GLOBAL OPTIONS',
  ];
  for (const o of program.options) out.push('.TP', `.B ${esc(o.flags)}`, esc(o.description));
  out.push('.SH COMMANDS');
  commandSection(program, 'lxcdeck', out);
  out.push('.SH KEYS', 'The workstation\'s default keys, by command (see also \\fBlxcdeck help keys\\fR, which shows your overrides too):');
  for (const c of KEYED_COMMANDS) {
    if (!c.keys.length) continue;
    out.push('.TP', `.B ${esc(c.keys.map(displayKey).join(', '))}`, esc(`${c.title} (${c.id}, ${c.scope})`));
  }
  out.push('.SH EXIT STATUS', '0 success, 1 internal error, 2 invalid argument, 3 not defined, 4 wrong state, 5 permission or no delegated cgroup, 6 liblxc missing, 7 liblxc failed, 8 timeout.');
  out.push('.SH ENVIRONMENT', '.TP', '.B NO_COLOR', 'no colour in any output.', '.TP', '.B LXCDECK_NATIVE_DIR', 'where the native shim and helper are.');
  out.push('.SH SEE ALSO', 'lxc-ls(1), lxc-freeze(1), lxc-attach(1), lxc.container.conf(5)');
  return `${out.join('\n')}\n`;
}
