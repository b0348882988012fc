import type blessed from 'blessed';
import widgets from './blessedParts.js';
import type { ProcessInfo } from '../host/processes.js';
import { processLines, processTree } from '../presentation/processTree.js';
import type { KeyPress } from './keyRouter.js';
import type { OverlayWidget } from './overlayHost.js';
import { esc, fg, type Palette } from './style.js';

const REFRESH_MS = 1000;

/**
 * A container's processes as a tree (htop's F5), from its cgroup.procs,
 * read again every second while open. Keys: the 'processes' scope.
 */
export function processesOverlay(
  screen: blessed.Widgets.Screen,
  title: string,
  read: () => ProcessInfo[],
  p: Palette,
  command: (k: KeyPress) => string | undefined,
  changed: () => void,
): OverlayWidget {
  const box = widgets.box({ parent: screen, top: 'center', left: 'center', width: '90%', height: '80%', border: { type: 'line' }, label: ` processes of ${esc(title)} `, tags: true, scrollable: true, alwaysScroll: true });
  const fill = () => {
    let rows: ProcessInfo[];
    try {
      rows = read();
    } catch (e) {
      return box.setContent(fg(p, 'logError', esc(e instanceof Error ? e.message : String(e))));
    }
    const [head, ...lines] = processLines(processTree(rows));
    box.setContent([fg(p, 'header', esc(head ?? '')), ...lines.map(esc), '', fg(p, 'dim', `${rows.length} processes (cgroup.procs) — ↑↓ PgUp PgDn scroll, Esc closes`)].join('\n'));
  };
  fill();
  const timer = setInterval(() => {
    fill();
    changed();
  }, REFRESH_MS);
  timer.unref();
  const page = () => Math.max(1, (box.height as number) - 3);
  const moves: Record<string, () => void> = {
    'processes.down': () => box.scroll(1),
    'processes.up': () => box.scroll(-1),
    'processes.page-down': () => box.scroll(page()),
    'processes.page-up': () => box.scroll(-page()),
  };
  return {
    key: (k) => {
      const id = command(k);
      if (id === 'processes.close') return 'close';
      if (id) moves[id]?.();
      return undefined;
    },
    dispose: () => {
      clearInterval(timer);
      box.destroy();
    },
  };
}
