import type { FormAction } from '../state/formState.js';
import { resolveKeymap } from './keymap.js';

/**
 * Keys of the modal scopes (forms, the preview page of a wizard, the rules
 * list) as plain command data, so help, the palette and `lxcdeck keys` can
 * list them and users can override them like any other key. The scopes are
 * modal: while a form is open only its own scope resolves, and a key bound to
 * nothing there is typed into the field.
 */
export type ModalScope = 'form' | 'preview' | 'rules';

export interface ModalCommand {
  id: string;
  title: string;
  scope: ModalScope;
  keys: string[];
}

/**
 * Resolves a key name (blessed notation) to a command id of one scope. A
 * plain function will do; one from scopeResolver also tells a command's
 * effective keys, for footers.
 */
export interface KeyResolver {
  (key: string): string | undefined;
  keysOf?: (id: string) => string[];
}

export const FORM_COMMANDS: readonly ModalCommand[] = [
  { id: 'form.next-field', title: 'Form: next field', scope: 'form', keys: ['tab', 'down'] },
  { id: 'form.prev-field', title: 'Form: previous field', scope: 'form', keys: ['S-tab', 'up'] },
  { id: 'form.submit', title: 'Form: go on (save, or the next step)', scope: 'form', keys: ['enter'] },
  { id: 'form.cancel', title: 'Form: cancel', scope: 'form', keys: ['escape'] },
  { id: 'form.clear-field', title: 'Form: clear the field', scope: 'form', keys: ['C-u'] },
  { id: 'form.delete-back', title: 'Form: delete the character before the cursor', scope: 'form', keys: ['backspace'] },
  { id: 'form.delete-forward', title: 'Form: delete the character under the cursor', scope: 'form', keys: ['delete', 'C-d'] },
  { id: 'form.cursor-left', title: 'Form: cursor left (previous choice in a choice field)', scope: 'form', keys: ['left'] },
  { id: 'form.cursor-right', title: 'Form: cursor right (next choice in a choice field)', scope: 'form', keys: ['right'] },
  { id: 'form.cursor-home', title: 'Form: cursor to the start', scope: 'form', keys: ['home', 'C-a'] },
  { id: 'form.cursor-end', title: 'Form: cursor to the end', scope: 'form', keys: ['end', 'C-e'] },
];

/** The form action of a form command id ('form.next-field' -> 'next-field'). */
export function formAction(id: string | undefined): FormAction | undefined {
  const cmd = FORM_COMMANDS.find((c) => c.id === id);
  return cmd ? (cmd.id.slice('form.'.length) as FormAction) : undefined;
}

export const PREVIEW_COMMANDS: readonly ModalCommand[] = [
  { id: 'preview.confirm', title: 'Preview: confirm and apply', scope: 'preview', keys: ['enter'] },
  { id: 'preview.back', title: 'Preview: back to the form', scope: 'preview', keys: ['escape'] },
  { id: 'preview.scroll-up', title: 'Preview: scroll up', scope: 'preview', keys: ['up', 'k'] },
  { id: 'preview.scroll-down', title: 'Preview: scroll down', scope: 'preview', keys: ['down', 'j'] },
  { id: 'preview.page-up', title: 'Preview: page up', scope: 'preview', keys: ['pageup'] },
  { id: 'preview.page-down', title: 'Preview: page down', scope: 'preview', keys: ['pagedown', 'space'] },
];

export const RULES_DIALOG_COMMANDS: readonly ModalCommand[] = [
  { id: 'rules.add', title: 'Rules: add a freeze rule', scope: 'rules', keys: ['a'] },
  { id: 'rules.delete', title: 'Rules: delete the selected rule (asks first)', scope: 'rules', keys: ['d', 'delete'] },
  { id: 'rules.delete-yes', title: 'Rules: yes, delete it (any other key: no)', scope: 'rules', keys: ['y'] },
  { id: 'rules.up', title: 'Rules: select the previous rule', scope: 'rules', keys: ['up', 'k'] },
  { id: 'rules.down', title: 'Rules: select the next rule', scope: 'rules', keys: ['down', 'j'] },
  { id: 'rules.close', title: 'Rules: close the dialog', scope: 'rules', keys: ['escape', 'q'] },
];

/** Every modal command, for merging into the command table. */
export const MODAL_COMMANDS: readonly ModalCommand[] = [...FORM_COMMANDS, ...PREVIEW_COMMANDS, ...RULES_DIALOG_COMMANDS];

/**
 * A resolver for one scope's commands with the user's overrides (only those
 * of these ids are looked at). The default of every widget that takes a
 * resolver; the app builds the same from its effective keymap.
 */
export function scopeResolver(commands: readonly ModalCommand[], overrides: Record<string, string[]> = {}): KeyResolver {
  const ids = new Set(commands.map((c) => c.id));
  const mine = Object.fromEntries(Object.entries(overrides).filter(([id]) => ids.has(id)));
  const { byKey, byCommand } = resolveKeymap(commands.map((c) => ({ id: c.id, keys: c.keys })), mine);
  return Object.assign((key: string) => byKey.get(key), { keysOf: (id: string) => byCommand.get(id) ?? [] });
}

/** The keys of a command as a resolver sees them (for footers): its own answer, else the default keys it still resolves. */
export function keysOf(commands: readonly ModalCommand[], resolve: KeyResolver): (id: string) => string[] {
  return resolve.keysOf ?? ((id) => (commands.find((c) => c.id === id)?.keys ?? []).filter((k) => resolve(k) === id));
}
