import type blessed from 'blessed';
import { depthColors, type ColorDepth } from '../settings/colors.js';
import { emitTrueColor } from './trueColor.js';

/**
 * Mouse reporting in SGR 1006 encoding (`CSI < b;x;y M`), which has no
 * column limit: blessed asks xterm-likes for X10/UTF-8 (1005), where a click
 * beyond column 223 cannot be encoded. blessed parses SGR reports already.
 */
export function useSgrMouse(screen: blessed.Widgets.Screen): void {
  const program = screen.program as unknown as { enableMouse(): unknown; setMouse(opts: Record<string, boolean>, enable: boolean): unknown };
  program.enableMouse = () => program.setMouse({ vt200Mouse: true, sgrMouse: true, cellMotion: true, allMotion: true }, true);
}

/**
 * blessed reads only the legacy terminfo format: for ncurses 6's entries
 * (tmux-256color, screen-256color on Debian 12) it falls back to xterm's and
 * draws with 8 colours. The depth we detected (terminfo read properly, and
 * COLORTERM) is the one it must reduce colours to; truecolor also turns on
 * 24-bit pane colours.
 */
export function useColorDepth(screen: blessed.Widgets.Screen, depth: ColorDepth | undefined): void {
  const colors = depth === undefined ? null : depthColors(depth);
  if (colors === null) return;
  (screen as unknown as { tput: { colors: number } }).tput.colors = colors;
  if (depth === 'truecolor') emitTrueColor(screen);
}
