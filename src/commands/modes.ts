/**
 * The keys of the modes: scroll mode in a pane, typing a search or a filter,
 * the confirm question, the help and the palette. They are command-table
 * entries like every other key (help, the palette's key hints and `lxcdeck
 * keys` list them; the settings override them), but a mode's handler runs
 * them, so they are data here: id, title, scope, default keys.
 */
export interface ModeCommand {
  id: string;
  title: string;
  scope: ModeScope;
  keys: string[];
}

export type ModeScope = 'scroll' | 'search' | 'filter' | 'confirm' | 'help' | 'palette' | 'pane-ended' | 'log' | 'processes';

/** Help's section titles for the modes, in the order help shows them. */
export const MODE_TITLES: [string, string][] = [
  ['scroll', 'pane scroll mode'],
  ['search', 'typing a search (scroll mode, event log)'],
  ['log', 'the event log, focused'],
  ['processes', 'a process list'],
  ['pane-ended', 'a pane whose program ended'],
  ['filter', 'typing a filter'],
  ['palette', 'command palette'],
  ['confirm', 'confirm questions'],
  ['rules', 'the freeze rules dialog'],
  ['form', 'forms (dialogs and wizards)'],
  ['preview', 'a plan preview'],
  ['mark', "after m or ' (then a letter a–z: the mark)"],
  ['marks', 'the marks overlay'],
  ['help', 'this help'],
];

export const MODE_COMMANDS: ModeCommand[] = [
  { id: 'scroll.up', title: 'Scroll up a line', scope: 'scroll', keys: ['up', 'k'] },
  { id: 'scroll.down', title: 'Scroll down a line', scope: 'scroll', keys: ['down', 'j'] },
  { id: 'scroll.page-up', title: 'Scroll up a page', scope: 'scroll', keys: ['pageup', 'C-u'] },
  { id: 'scroll.page-down', title: 'Scroll down a page', scope: 'scroll', keys: ['pagedown', 'C-d', 'space'] },
  { id: 'scroll.top', title: 'Go to the oldest line', scope: 'scroll', keys: ['g', 'home'] },
  { id: 'scroll.bottom', title: 'Go to the newest line', scope: 'scroll', keys: ['G', 'end'] },
  { id: 'scroll.search', title: 'Search the scrollback', scope: 'scroll', keys: ['/', '?'] },
  { id: 'scroll.next-match', title: 'Next match (towards older lines)', scope: 'scroll', keys: ['n'] },
  { id: 'scroll.prev-match', title: 'Previous match (towards newer lines)', scope: 'scroll', keys: ['N'] },
  { id: 'scroll.select', title: 'Start or end a line selection', scope: 'scroll', keys: ['v'] },
  { id: 'scroll.copy', title: 'Copy the selection (or the line) and leave', scope: 'scroll', keys: ['y', 'enter'] },
  { id: 'scroll.leave', title: 'Leave scroll mode', scope: 'scroll', keys: ['q', 'escape'] },
  { id: 'log.up', title: 'Event log: scroll up a line (older)', scope: 'log', keys: ['up', 'k'] },
  { id: 'log.down', title: 'Event log: scroll down a line (newer)', scope: 'log', keys: ['down', 'j'] },
  { id: 'log.page-up', title: 'Event log: page up', scope: 'log', keys: ['pageup', 'C-u'] },
  { id: 'log.page-down', title: 'Event log: page down', scope: 'log', keys: ['pagedown', 'space', 'C-d'] },
  { id: 'log.top', title: 'Event log: the oldest line', scope: 'log', keys: ['g', 'home'] },
  { id: 'log.bottom', title: 'Event log: the newest line', scope: 'log', keys: ['G', 'end'] },
  { id: 'log.search', title: 'Event log: search (towards older lines)', scope: 'log', keys: ['/'] },
  { id: 'log.next-match', title: 'Event log: next match (older)', scope: 'log', keys: ['n'] },
  { id: 'log.prev-match', title: 'Event log: previous match (newer)', scope: 'log', keys: ['N'] },
  { id: 'log.leave', title: 'Event log: give the keys back to the list', scope: 'log', keys: ['escape', 'q', 'e'] },
  { id: 'processes.down', title: 'Processes: scroll down', scope: 'processes', keys: ['down', 'j'] },
  { id: 'processes.up', title: 'Processes: scroll up', scope: 'processes', keys: ['up', 'k'] },
  { id: 'processes.page-down', title: 'Processes: page down', scope: 'processes', keys: ['pagedown', 'space'] },
  { id: 'processes.page-up', title: 'Processes: page up', scope: 'processes', keys: ['pageup'] },
  { id: 'processes.close', title: 'Processes: close the list', scope: 'processes', keys: ['escape', 'q', 'p'] },
  { id: 'search.find', title: 'Find the text typed', scope: 'search', keys: ['enter'] },
  { id: 'search.cancel', title: 'Stop typing the search', scope: 'search', keys: ['escape'] },
  { id: 'search.delete-char', title: 'Delete the last character', scope: 'search', keys: ['backspace'] },
  { id: 'pane.reattach', title: 'Attach again (the same shell or console)', scope: 'pane-ended', keys: ['enter', 'r'] },
  { id: 'filter.keep', title: 'Keep the filter and go back to the list', scope: 'filter', keys: ['enter'] },
  { id: 'filter.clear', title: 'Clear the filter and go back to the list', scope: 'filter', keys: ['escape'] },
  { id: 'filter.delete-char', title: 'Delete the last character', scope: 'filter', keys: ['backspace'] },
  { id: 'filter.erase', title: 'Erase the filter text (keep typing a new one)', scope: 'filter', keys: ['C-u'] },
  { id: 'palette.up', title: 'Highlight the previous command', scope: 'palette', keys: ['up', 'C-p'] },
  { id: 'palette.down', title: 'Highlight the next command', scope: 'palette', keys: ['down', 'C-n'] },
  { id: 'palette.run', title: 'Run the highlighted command', scope: 'palette', keys: ['enter'] },
  { id: 'palette.close', title: 'Close the palette', scope: 'palette', keys: ['escape'] },
  { id: 'palette.delete-char', title: 'Delete the last character', scope: 'palette', keys: ['backspace'] },
  { id: 'confirm.yes', title: 'Yes (any other key: no)', scope: 'confirm', keys: ['y', 'Y'] },
  { id: 'help.close', title: 'Close the help', scope: 'help', keys: ['escape', 'q', '?'] },
  { id: 'help.down', title: 'Scroll the help down a line', scope: 'help', keys: ['down', 'j'] },
  { id: 'help.up', title: 'Scroll the help up a line', scope: 'help', keys: ['up', 'k'] },
  { id: 'help.page-down', title: 'Scroll the help down a page', scope: 'help', keys: ['pagedown', 'space', 'C-f', 'C-d'] },
  { id: 'help.page-up', title: 'Scroll the help up a page', scope: 'help', keys: ['pageup', 'C-u'] },
  { id: 'help.top', title: 'Go to the top of the help', scope: 'help', keys: ['g', 'home'] },
  { id: 'help.bottom', title: 'Go to the end of the help', scope: 'help', keys: ['G', 'end'] },
];
