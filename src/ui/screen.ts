import blessed from 'blessed';
import type { Disposable } from '../base/disposable.js';

export interface ScreenIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * The blessed screen: alternate buffer, mouse, full Unicode. restore() leaves
 * the terminal as it was (normal buffer, cursor, no mouse reporting, cooked
 * mode); it is safe to call more than once, and it runs on quit, on an
 * uncaught error and on SIGTERM/SIGHUP.
 */
export function createScreen(io: ScreenIo, onFatal: (message: string) => void): { screen: blessed.Widgets.Screen; restore: () => void } & Disposable {
  const screen = blessed.screen({
    input: io.input as never,
    output: io.output as never,
    smartCSR: true,
    fullUnicode: true,
    // box-drawing characters, not the ACS charset: safer across terminals and tmux
    forceUnicode: true,
    autoPadding: true,
    warnings: false,
    title: 'lxcdeck',
    dockBorders: true,
    sendFocus: false,
  });
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      screen.destroy();
    } catch {
      /* best effort: fall through to the raw reset below */
    }
    // belt and braces: normal buffer, cursor on, mouse off, attributes reset
    io.output.write('\x1b[?2004l\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[0m');
    const stdin = io.input as NodeJS.ReadStream;
    if (typeof stdin.setRawMode === 'function' && stdin.isTTY) stdin.setRawMode(false);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    restore();
    process.exit(sig === 'SIGTERM' ? 143 : 129);
  };
  const onError = (e: unknown) => {
    restore();
    onFatal(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    screen,
    restore,
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
      restore();
    },
  };
}
