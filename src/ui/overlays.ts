import blessed from 'blessed';
import type { CommandSpec } from '../commands/registry.js';
import { displayKey } from '../commands/keytable.js';
import { fuzzyFilter } from '../commands/fuzzy.js';
import { esc, fg, type Palette as Colors } from './style.js';

/** Help overlay: every command with its effective keys, straight from the registry. */
export function helpText<C>(commands: CommandSpec<C>[], keys: (id: string) => string[], p: Colors, prefixNote: string): string {
  const scopes: [string, string][] = [
    ['global', 'anywhere'],
    ['list', 'container list'],
    ['detail', 'details'],
    ['pane', 'panes'],
  ];
  const lines: string[] = [];
  for (const [scope, title] of scopes) {
    const cs = commands.filter((c) => c.scope === scope);
    if (!cs.length) continue;
    lines.push(fg(p, 'title', `${title}`));
    for (const c of cs) {
      const k = keys(c.id).map(displayKey).join(' ');
      lines.push(`  ${fg(p, 'helpKey', esc(k.padEnd(16)))} ${esc(c.title)}${c.dangerous ? fg(p, 'dim', ' (asks first)') : ''}`);
    }
    lines.push('');
  }
  if (prefixNote) lines.push(fg(p, 'dim', esc(prefixNote)));
  lines.push(fg(p, 'dim', 'Esc or ? closes this help. Keys can be changed in the settings (lxcdeck keys lists them).'));
  return lines.join('\n');
}

export function createHelp(parent: blessed.Widgets.Screen, content: string): blessed.Widgets.BoxElement {
  const box = blessed.box({
    parent,
    top: 'center',
    left: 'center',
    width: '80%',
    height: '80%',
    border: { type: 'line' },
    label: ' help ',
    tags: true,
    scrollable: true,
    alwaysScroll: true,
    keys: true,
    vi: true,
    mouse: true,
    scrollbar: { ch: ' ', style: { inverse: true } } as never,
    content,
  });
  box.focus();
  return box;
}

/** Command palette: a query line over a fuzzy-filtered list of commands. */
export class Palette<C> {
  readonly box: blessed.Widgets.BoxElement;
  private query = '';
  private index = 0;
  private shown: CommandSpec<C>[] = [];

  constructor(
    parent: blessed.Widgets.Screen,
    private readonly commands: CommandSpec<C>[],
    private readonly keys: (id: string) => string[],
    private readonly p: Colors,
  ) {
    this.box = blessed.box({ parent, top: 2, left: 'center', width: '70%', height: '60%', border: { type: 'line' }, label: ' commands ', tags: true });
    this.update();
  }

  /** Returns the chosen command on enter, 'close' on escape, null otherwise. */
  key(ch: string | undefined, name: string): CommandSpec<C> | 'close' | null {
    if (name === 'escape') return 'close';
    if (name === 'enter') return this.shown[this.index] ?? 'close';
    if (name === 'up' || name === 'C-p') this.index = Math.max(0, this.index - 1);
    else if (name === 'down' || name === 'C-n') this.index = Math.min(this.shown.length - 1, this.index + 1);
    else if (name === 'backspace') this.query = this.query.slice(0, -1);
    else if (ch && ch >= ' ' && ch !== '\u007f') this.query += ch;
    this.update();
    return null;
  }

  private update(): void {
    this.shown = fuzzyFilter(this.query, this.commands, (c) => `${c.title} ${c.id}`);
    this.index = Math.max(0, Math.min(this.index, this.shown.length - 1));
    const rows = this.shown.map((c, i) => {
      const line = `${c.title.padEnd(40)} ${fg(this.p, 'dim', esc(c.id))}  ${fg(this.p, 'helpKey', esc(this.keys(c.id).map(displayKey).join(' ')))}`;
      return i === this.index ? `{inverse}${esc(c.title.padEnd(40))}{/inverse} ${fg(this.p, 'dim', esc(c.id))}` : line.replace(c.title.padEnd(40), esc(c.title.padEnd(40)));
    });
    this.box.setContent([`: ${esc(this.query)}█`, '', ...rows].join('\n'));
  }

  destroy(): void {
    this.box.destroy();
  }
}

export function createConfirm(parent: blessed.Widgets.Screen, question: string, p: Colors): blessed.Widgets.BoxElement {
  return blessed.box({
    parent,
    top: 'center',
    left: 'center',
    width: Math.min(70, Math.max(30, question.length + 6)),
    height: 5,
    border: { type: 'line' },
    label: ' confirm ',
    tags: true,
    content: `${esc(question)}\n\n${fg(p, 'helpKey', 'y')} yes   ${fg(p, 'helpKey', 'n')}/Esc no`,
  });
}
