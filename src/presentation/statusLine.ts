import { displayKey } from '../commands/keytable.js';
import type { ResolvedKeymap } from '../commands/keymap.js';
import { sanitize } from './format.js';
import { esc, fg, type Palette } from './tags.js';

/** Everything the status bar says, as plain data (the UI gathers it each frame). */
export interface StatusFacts {
  palette: Palette;
  keymap: ResolvedKeymap;
  filter: { editing: boolean; text: string };
  /** The pane prefix key while it waits for the command key. */
  prefixArmed: string | null;
  /** The focused pane, if any. */
  pane: { container: string; scroll: boolean } | null;
  rules: readonly { name: string; tripped: boolean }[];
  /** Lifecycle actions under way. */
  busy: number;
  /** The bar's width in columns: list hints give way to the message and the rules, help and quit stay. */
  width?: number;
  /** The current message (it fades: see state/statusMessage.ts). */
  status: { level: 'info' | 'warn' | 'error'; text: string } | null;
}

type Hint = [commandId: string, label: string];

const PREFIX_HINTS: Hint[] = [
  ['pane.split-right', 'split right'],
  ['pane.split-down', 'split down'],
  ['pane.focus-next', 'next'],
  ['pane.zoom', 'zoom'],
  ['pane.close', 'close'],
  ['pane.scroll-mode', 'scroll'],
  ['pane.attach', 'shell'],
  ['pane.console', 'console'],
  ['app.help', 'help'],
];
const PANE_HINTS: Hint[] = [
  ['pane.focus-next', 'next'],
  ['pane.split-right', 'split'],
  ['pane.zoom', 'zoom'],
  ['pane.scroll-mode', 'scroll'],
  ['pane.close', 'close'],
  ['app.help', 'help'],
];
const SCROLL_HINTS: Hint[] = [
  ['scroll.page-up', 'up'],
  ['scroll.page-down', 'down'],
  ['scroll.search', 'search'],
  ['scroll.next-match', 'next'],
  ['scroll.select', 'select'],
  ['scroll.copy', 'copy'],
  ['scroll.leave', 'leave'],
];
const LIST_HINTS: Hint[] = [
  ['app.help', 'help'],
  ['view.filter', 'filter'],
  ['view.details', 'details'],
  ['container.start', 'start'],
  ['container.stop', 'stop'],
  ['container.freeze-toggle', 'freeze'],
  ['pane.attach', 'shell'],
  ['app.palette', 'commands'],
  ['app.quit', 'quit'],
];

/** The status bar's text (blessed tags): the mode, its key hints, rules, work under way and the last problem. */
export function statusLine(f: StatusFacts): string {
  const p = f.palette;
  const km = f.keymap;
  if (f.filter.editing) {
    const keep = displayKey(km.byCommand.get('filter.keep')?.[0] ?? 'enter');
    const clear = displayKey(km.byCommand.get('filter.clear')?.[0] ?? 'escape');
    return `${fg(p, 'helpKey', '/')}${esc(f.filter.text)}█  ${fg(p, 'dim', `${esc(keep)} keeps the filter, ${esc(clear)} clears it`)}`;
  }
  const key = (id: string) => displayKey(km.byCommand.get(id)?.[0] ?? '');
  // a pane command's key after the prefix: the second half of its chord
  const chord = (id: string) => {
    const k = (km.byCommand.get(id) ?? []).find((x) => x.includes(' ') && x.length > 1);
    return k ? displayKey(k.slice(k.indexOf(' ') + 1)) : '';
  };
  const hints = (list: Hint[], keyOf: (id: string) => string) =>
    list
      .map(([id, label]) => [keyOf(id), label] as const)
      .filter(([k]) => k)
      .map(([k, label]) => `${fg(p, 'helpKey', esc(k))} ${label}`)
      .join('  ');
  const mode = (label: string) => `{inverse} ${label} {/inverse} `;
  if (f.prefixArmed !== null) return `${mode('PREFIX')}${hints(PREFIX_HINTS, chord)}  ${fg(p, 'helpKey', esc(displayKey(f.prefixArmed)))} sends it to the pane`;
  if (f.pane?.scroll) return `${mode('SCROLL')}${hints(SCROLL_HINTS, key)}`;
  if (f.pane) {
    const prefix = displayKey(km.byCommand.get('pane.prefix')?.[0] ?? 'C-b');
    return `${mode(`PANE ${esc(sanitize(f.pane.container))}`)}keys go to the pane; ${fg(p, 'helpKey', esc(prefix))} then ${hints(PANE_HINTS, chord)}${tail(f)}`;
  }
  const after = `${rulesStatus(f)}${tail(f)}`;
  const room = (f.width ?? Infinity) - visibleLength(after);
  // the least needed hint goes first; help and quit stay whatever the width
  let list = LIST_HINTS;
  for (const drop of DROP_ORDER) {
    if (visibleLength(hints(list, key)) <= room) break;
    list = list.filter(([id]) => id !== drop);
  }
  return `${hints(list, key)}${after}`;
}

/** The list hints to leave out, in order, when the bar is too narrow for them and the message. */
const DROP_ORDER = ['view.details', 'app.palette', 'pane.attach', 'container.freeze-toggle', 'container.stop', 'container.start', 'view.filter'];

/** The columns a tagged string takes on screen. */
function visibleLength(tagged: string): number {
  return tagged.replace(/\{[^{}]*\}/g, (t) => (t === '{open}' || t === '{close}' ? ' ' : '')).length;
}

/** Freeze rules at a glance: how many are armed, which have tripped. */
function rulesStatus(f: StatusFacts): string {
  if (!f.rules.length) return '';
  const p = f.palette;
  const tripped = f.rules.filter((r) => r.tripped).map((r) => r.name);
  const armed = f.rules.length - tripped.length;
  return `  ${fg(p, 'dim', 'rules')} ${armed ? `${armed} armed` : ''}${tripped.length ? `${armed ? ' ' : ''}${fg(p, 'logError', `TRIPPED ${esc(tripped.join(','))}`)}` : ''}`;
}

function tail(f: StatusFacts): string {
  const p = f.palette;
  const busy = f.busy ? fg(p, 'logWarn', ` working (${f.busy}) `) : '';
  const colour = f.status?.level === 'error' ? 'logError' : f.status?.level === 'warn' ? 'logWarn' : 'logInfo';
  const status = f.status ? `  ${fg(p, colour, esc(sanitize(f.status.text)))}` : '';
  return `${busy}${status}`;
}
