import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { Rect } from '../pane/layout.js';
import type { OverlayWidget } from './overlayHost.js';
import type { KeyPress } from './keyRouter.js';
import { color, type Palette } from './style.js';

/**
 * tmux's display-panes: a number in the middle of every pane (the list is
 * one of them), the focused one in the focus colour; a digit focuses that
 * pane, any other key just closes the numbers.
 */
export function paneNumbers(screen: blessed.Widgets.Screen, places: readonly [string, Rect][], focused: string, p: Palette, focus: (id: string) => void): OverlayWidget {
  const boxes = places.slice(0, 10).map(([id, r], i) =>
    widgets.box({
      parent: screen,
      top: r.y + Math.max(0, Math.floor(r.h / 2) - 1),
      left: r.x + Math.max(0, Math.floor(r.w / 2) - 3),
      width: 7,
      height: 3,
      border: { type: 'line' },
      align: 'center',
      content: String(i),
      style: { bold: true, fg: color(p, id === focused ? 'borderFocus' : 'title'), border: { fg: color(p, id === focused ? 'borderFocus' : 'border') } } as never,
    }),
  );
  return {
    key: (k: KeyPress) => {
      const id = /^[0-9]$/.test(k.name) ? places[Number(k.name)]?.[0] : undefined;
      if (id !== undefined) focus(id);
      return 'close';
    },
    dispose: () => {
      for (const b of boxes) b.destroy();
    },
  };
}
