/**
 * Keys of workspace marks as command data (help, the palette's hints and
 * `lxcdeck keys` list them; the settings override them): the key mode after
 * `m` / `'` (a letter a–z is the mark itself, these are the other keys), the
 * marks overlay (registry id workspace.marks), and `s` in a pane that says
 * its container is stopped.
 */
export interface WorkspaceModeCommand {
  id: string;
  title: string;
  scope: 'mark' | 'marks' | 'pane-ended';
  keys: string[];
}

export const MARK_MODE_COMMANDS: readonly WorkspaceModeCommand[] = [
  { id: 'mark.back', title: "After ': back to the workspace before the last jump ('')", scope: 'mark', keys: ["'"] },
  { id: 'mark.cancel', title: 'Do not store or jump (any key but a–z does the same)', scope: 'mark', keys: ['escape'] },
];

export const MARKS_DIALOG_COMMANDS: readonly WorkspaceModeCommand[] = [
  { id: 'marks.jump', title: 'Marks: restore the selected mark', scope: 'marks', keys: ['enter'] },
  { id: 'marks.rename', title: 'Marks: rename the selected mark (another letter)', scope: 'marks', keys: ['r'] },
  { id: 'marks.tag', title: 'Marks: tag the mark with containers (names, a glob or group=NAME)', scope: 'marks', keys: ['t'] },
  { id: 'marks.delete', title: 'Marks: delete the selected mark', scope: 'marks', keys: ['d', 'delete'] },
  { id: 'marks.up', title: 'Marks: select the previous mark', scope: 'marks', keys: ['up', 'k'] },
  { id: 'marks.down', title: 'Marks: select the next mark', scope: 'marks', keys: ['down', 'j'] },
  { id: 'marks.close', title: 'Marks: close the overlay', scope: 'marks', keys: ['escape', 'q'] },
];

export const PANE_ENDED_WORKSPACE_COMMANDS: readonly WorkspaceModeCommand[] = [
  { id: 'pane.start-container', title: "Start the pane's stopped container (then Enter attaches)", scope: 'pane-ended', keys: ['s'] },
];

export const WORKSPACE_MODE_COMMANDS: readonly WorkspaceModeCommand[] = [...PANE_ENDED_WORKSPACE_COMMANDS, ...MARK_MODE_COMMANDS, ...MARKS_DIALOG_COMMANDS];
