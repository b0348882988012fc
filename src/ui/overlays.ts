import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { CommandSpec } from '../commands/registry.js';
import { displayKey } from '../commands/keytable.js';
import { fuzzyFilter } from '../commands/fuzzy.js';
import { MODE_TITLES } from '../commands/modes.js';

/** A command as help lists it (the main table's and the modes' alike). */
export interface HelpCommand {
  id: string;
  title: string;
  scope: string;
  dangerous?: boolean;
}
import { esc, fg, type Palette as Colors } from './style.js';

/**
 * Help overlay: every command with its effective keys, straight from the
 * registry. When it is taller than `height` and there is room, the sections
 * flow into two columns (titles shortened to fit; keys never are).
 */
export function helpText(commands: readonly HelpCommand[], keys: (id: string) => string[], p: Colors, prefixNote: string, size = { width: 0, height: 0 }): string {
  const scopes: [string, string][] = [
    ['global', 'anywhere'],
    ['list', 'container list'],
    ['detail', 'details'],
    ['pane', 'panes'],
    ...MODE_TITLES,
  ];
  type Line = { header?: string; key?: string; title?: string; asks?: boolean };
  const lines: Line[] = [];
  const shown = (c: HelpCommand) => keys(c.id).map(displayKey).join(' ');
  const pad = Math.min(28, Math.max(...commands.map((c) => shown(c).length)));
  const sectionStarts: number[] = [];
  for (const [scope, title] of scopes) {
    const cs = commands.filter((c) => c.scope === scope);
    if (!cs.length) continue;
    sectionStarts.push(lines.length);
    lines.push({ header: title });
    for (const c of cs) lines.push({ key: shown(c).padEnd(pad), title: c.title, asks: c.dangerous === true });
    lines.push({});
  }
  // a title too long for its column wraps under itself: help never cuts a description
  const render = (l: Line, width: number): [number, string][] => {
    if (l.header !== undefined) return [[l.header.length, fg(p, 'title', esc(l.header))]];
    if (l.key === undefined) return [[0, '']];
    const asks = l.asks ? ' (asks first)' : '';
    const indent = 2 + l.key.length + 1;
    const parts = wrapWords(`${l.title ?? ''}${asks}`, Math.max(12, width - indent));
    return parts.map((part, i) => {
      const dim = asks && i === parts.length - 1 && part.endsWith(asks.trim()) ? part.length - asks.trim().length : part.length;
      const body = `${esc(part.slice(0, dim))}${dim < part.length ? fg(p, 'dim', esc(part.slice(dim))) : ''}`;
      return [indent + part.length, i === 0 ? `  ${fg(p, 'helpKey', esc(l.key as string))} ${body}` : `${' '.repeat(indent)}${body}`] as [number, string];
    });
  };
  const footer: string[] = [];
  if (prefixNote) footer.push(fg(p, 'dim', esc(prefixNote)));
  footer.push(fg(p, 'dim', 'Esc or ? closes this help. Keys can be changed in the settings (lxcdeck keys lists them).'));
  const split = sectionStarts.find((i) => i >= lines.length / 2 - 4) ?? 0;
  const colWidth = Math.floor(size.width / 2);
  if (lines.length + footer.length <= size.height || colWidth < pad + 24 || split === 0)
    return [...lines.flatMap((l) => render(l, Infinity).map(([, t]) => t)), ...footer].join('\n');
  const left = lines.slice(0, split).flatMap((l) => render(l, colWidth - 1));
  const right = lines.slice(split).flatMap((l) => render(l, colWidth - 1));
  const rows: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const [lw, lt] = left[i] ?? [0, ''];
    const [, rt] = right[i] ?? [0, ''];
    rows.push(`${lt}${' '.repeat(Math.max(1, colWidth - lw))}${rt}`);
  }
  return [...rows, ...footer].join('\n');
}

/** Words of `text` in lines of at most `width` (a longer word gets a line of its own). */
function wrapWords(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

export function createHelp(parent: blessed.Widgets.Screen, content: string): blessed.Widgets.BoxElement {
  const box = widgets.box({
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
    // keys come from the keymap (help.* commands), not blessed's own handlers
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
    this.box = widgets.box({ parent, top: 2, left: 'center', width: '70%', height: '60%', border: { type: 'line' }, label: ' commands ', tags: true });
    this.update();
  }

  /** Runs a palette command (palette.* from the keymap) or types a character; the chosen command on run, 'close', or null. */
  key(command: string | undefined, typed: string | null): CommandSpec<C> | 'close' | null {
    if (command === 'palette.close') return 'close';
    if (command === 'palette.run') return this.shown[this.index] ?? 'close';
    if (command === 'palette.up') this.index = Math.max(0, this.index - 1);
    else if (command === 'palette.down') this.index = Math.min(this.shown.length - 1, this.index + 1);
    else if (command === 'palette.delete-char') this.setQuery(this.query.slice(0, -1));
    else if (typed) this.setQuery(this.query + typed);
    this.update();
    return null;
  }

  /** A new query ranks the list anew: the highlight goes back to the best match. */
  private setQuery(q: string): void {
    if (q === this.query) return;
    this.query = q;
    this.shown = fuzzyFilter(this.query, this.commands, (c) => `${c.title} ${c.id}`);
    this.index = 0;
  }

  private update(): void {
    if (!this.query) this.shown = [...this.commands];
    this.index = Math.max(0, Math.min(this.index, this.shown.length - 1));
    const rows = this.shown.map((c, i) => {
      const title = esc(c.title.padEnd(40));
      const keys = fg(this.p, 'helpKey', esc(this.keys(c.id).map(displayKey).join(' ')));
      return `${i === this.index ? `{inverse}${title}{/inverse}` : title} ${fg(this.p, 'dim', esc(c.id))}  ${keys}`;
    });
    this.box.setContent([`: ${esc(this.query)}█`, '', ...(rows.length ? rows : [fg(this.p, 'dim', '  no command matches')])].join('\n'));
  }

  destroy(): void {
    this.box.destroy();
  }
}

export function createConfirm(parent: blessed.Widgets.Screen, question: string, p: Colors): blessed.Widgets.BoxElement {
  return widgets.box({
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
