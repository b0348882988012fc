/**
 * Commands are data: id, title, scope, dangerous flag, default keys and a
 * handler. The keymap, the help overlay, the palette, `lxcdeck keys` and the
 * README's key table are all generated from this one table, so they cannot
 * drift from the real keys.
 */
export type CommandScope = 'global' | 'list' | 'detail' | 'pane';

export interface CommandSpec<C> {
  /** Stable id; key overrides in the settings refer to it. */
  id: string;
  title: string;
  scope: CommandScope;
  /** Asks for confirmation before running (stop, kill). */
  dangerous?: boolean;
  /**
   * The question a dangerous command asks, from what it would act on; null
   * when there is nothing to ask about (it then runs and says why it did
   * nothing). Without it the question is the title and the targets.
   */
  question?: (ctx: C) => string | null;
  /** Key names in blessed's notation: 'q', 'C-c', 'S-tab', 'enter', 'space', 'f1'. */
  keys: string[];
  /** Hidden from help and the palette when false (e.g. needs a selection). */
  available?: (ctx: C) => boolean;
  run: (ctx: C) => void | Promise<void>;
}

export class CommandRegistry<C> {
  private readonly byId = new Map<string, CommandSpec<C>>();

  register(spec: CommandSpec<C>): void {
    if (this.byId.has(spec.id)) throw new Error(`command ${spec.id} registered twice`);
    this.byId.set(spec.id, spec);
  }

  get(id: string): CommandSpec<C> | undefined {
    return this.byId.get(id);
  }

  all(): CommandSpec<C>[] {
    return [...this.byId.values()];
  }
}
