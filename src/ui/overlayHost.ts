import type blessed from 'blessed';
import type { Disposable } from '../base/disposable.js';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import type { CommandSpec } from '../commands/registry.js';
import { sanitize } from '../presentation/format.js';
import type { AppStore, Overlay } from '../state/store.js';
import { typedChar, type KeyMode, type KeyPress } from './keyRouter.js';
import { createConfirm, createHelp, Palette as PaletteOverlay } from './overlays.js';
import type { Palette } from './style.js';

/** An open overlay: takes every key while it is open; 'close' ends it. */
export interface OverlayWidget extends Disposable {
  key(k: KeyPress): 'close' | undefined;
  /** The screen changed size: lay out again (boxes that size themselves when they draw). */
  resize?(): void;
}

/**
 * The one place overlays live: at most one is open (opening another closes
 * it), it takes every key, and the store says which one it is. Dialogs to
 * come (forms, previews) open here the same way.
 */
export class OverlayHost implements KeyMode, Disposable {
  readonly id = 'overlay';
  private current: OverlayWidget | null = null;

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    private readonly store: AppStore,
    private readonly keymap: ResolvedKeymap,
    private readonly palette: () => Palette,
    /** Something changed on screen: render. */
    private readonly changed: () => void,
  ) {}

  active(): boolean {
    return this.current !== null;
  }

  handle(k: KeyPress): boolean {
    if (this.current?.key(k) === 'close') this.close();
    this.changed();
    return true;
  }

  resize(): void {
    this.current?.resize?.();
  }

  open(kind: NonNullable<Overlay>, widget: OverlayWidget): void {
    this.close();
    this.current = widget;
    this.store.overlay = kind;
    this.store.notify();
  }

  close(): void {
    if (!this.current) return;
    const w = this.current;
    this.current = null;
    w.dispose();
    this.store.overlay = null;
    this.store.notify();
  }

  /** A yes/no question; any key but yes closes it. */
  confirm(question: string, onYes: () => void): void {
    this.close();
    const box = createConfirm(this.screen, sanitize(question), this.palette());
    this.open(
      { kind: 'confirm', question },
      {
        key: (k) => {
          // close first: the answer may open another overlay
          this.close();
          if (commandFor(this.keymap, 'confirm', k.name) === 'confirm.yes') onYes();
          return undefined;
        },
        dispose: () => box.destroy(),
      },
    );
  }

  help(content: string): void {
    this.close();
    const box = createHelp(this.screen, content);
    const page = () => Math.max(1, (box.height as number) - 3);
    const scroll: Record<string, () => void> = {
      'help.down': () => box.scroll(1),
      'help.up': () => box.scroll(-1),
      'help.page-down': () => box.scroll(page()),
      'help.page-up': () => box.scroll(-page()),
      'help.top': () => box.setScrollPerc(0),
      'help.bottom': () => box.setScrollPerc(100),
    };
    this.open(
      { kind: 'help' },
      {
        key: (k) => {
          const id = commandFor(this.keymap, 'help', k.name);
          if (id === 'help.close') return 'close';
          if (id) scroll[id]?.();
          return undefined;
        },
        dispose: () => box.destroy(),
      },
    );
  }

  commandPalette<C>(commands: CommandSpec<C>[], keys: (id: string) => string[], run: (cmd: CommandSpec<C>) => void): void {
    this.close();
    const pal = new PaletteOverlay(this.screen, commands, keys, this.palette());
    this.open(
      { kind: 'palette' },
      {
        key: (k) => {
          const r = pal.key(commandFor(this.keymap, 'palette', k.name), typedChar(k));
          if (r === null) return undefined;
          this.close();
          if (r !== 'close') run(r);
          return undefined;
        },
        dispose: () => pal.destroy(),
      },
    );
  }

  dispose(): void {
    this.close();
  }
}
