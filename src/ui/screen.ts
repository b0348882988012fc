import type blessed from 'blessed';
import widgets from './blessedParts.js';
import { asciiWidthFirst } from './charWidth.js';
import { clearOnlyWhatWasDrawn } from './clearPos.js';
import type { Disposable } from '../base/disposable.js';
import { Emitter, type Event } from '../base/event.js';
import type { ColorDepth } from '../settings/colors.js';
import { useColorDepth, useSgrMouse } from './terminalModes.js';

export interface ScreenIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The terminal's colour depth as detected (settings/colors.ts); blessed's own guess otherwise. */
  colorDepth?: ColorDepth;
}

/** Why the workstation must end now: a signal, or an error nothing caught. */
export type ScreenEnd = { kind: 'signal'; signal: NodeJS.Signals } | { kind: 'fatal'; message: string };

export interface WorkstationScreen extends Disposable {
  screen: blessed.Widgets.Screen;
  /** Leaves the terminal as it was; safe to call more than once. */
  restore(): void;
  /** Writes the frame render() made now: blessed writes it on its next setImmediate, after whatever else is queued. */
  flush(): void;
  /** SIGTERM, SIGHUP or an uncaught error: main decides what happens (release, restore, exit). */
  onEnd: Event<ScreenEnd>;
}

/**
 * The blessed screen: alternate buffer, mouse, full Unicode. restore() leaves
 * the terminal as it was (normal buffer, cursor, no mouse reporting, cooked
 * mode). Signals and uncaught errors are reported as onEnd, never acted on
 * here: only main exits the process.
 */
export function createScreen(io: ScreenIo): WorkstationScreen {
  compileTerminfoLazily();
  clearOnlyWhatWasDrawn();
  asciiWidthFirst();
  const screen = widgets.screen({
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
  speedUpDockBorders(screen);
  useColorDepth(screen, io.colorDepth);
  useSgrMouse(screen);
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
  const ended = new Emitter<ScreenEnd>();
  const onSignal = (signal: NodeJS.Signals) => ended.fire({ kind: 'signal', signal });
  const onError = (e: unknown) => {
    // the terminal first: whatever happens next, the user gets their shell back
    restore();
    ended.fire({ kind: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    screen,
    restore,
    flush: () => (screen as unknown as { program: { flush(): void } }).program.flush(),
    onEnd: ended.event,
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
      restore();
    },
  };
}

type CapFn = (this: unknown, params: unknown) => unknown;
interface TputProto {
  _compile(this: { options?: { stringify?: boolean } }, info: unknown, key: string, str: unknown): unknown;
  __lxcdeckLazy?: boolean;
}

/**
 * blessed turns every string capability of the terminfo entry (~400) into a
 * JavaScript function with `new Function` when the screen is made, a quarter
 * of the time to the first frame; a screen uses a few dozen. Compile each on
 * its first call instead: same code, same result, only later.
 */
export function compileTerminfoLazily(): void {
  const proto = (widgets.Tput as { prototype: TputProto }).prototype;
  if (proto.__lxcdeckLazy) return;
  proto.__lxcdeckLazy = true;
  const compile = proto._compile;
  proto._compile = function lazyCompile(info, key, str) {
    // booleans, numbers, files to read and stringified output keep blessed's eager path
    if (typeof str !== 'string' || str === '' || key === 'init_file' || key === 'reset_file' || this.options?.stringify) return compile.call(this, info, key, str);
    let fn: CapFn | null = null;
    const tput = this;
    return function capability(this: unknown, params: unknown) {
      fn ??= compile.call(tput, info, key, str) as CapFn;
      return fn.call(this, params);
    };
  };
}

/**
 * blessed answers every resize of a labelled element with a whole-screen
 * render on the next tick (to move the label of a scrolled box). For boxes
 * that never scroll that render is wasted: the layout at startup made three
 * before the first frame, and the scheduler renders after a layout anyway.
 */
export function noLabelRenderOnResize(el: blessed.Widgets.BoxElement): void {
  const e = el as unknown as { _labelResize?: () => void; removeListener(ev: string, f: () => void): void };
  if (e._labelResize) e.removeListener('resize', e._labelResize);
}

interface SceneScreen {
  lines: unknown[];
  renders: number;
  cols: number;
  rows: number;
  children: { uid: number; hidden: boolean; aleft: number; atop: number; width: number; height: number }[];
}

const scenes = new WeakMap<object, { frame: number; lines: unknown[]; key: string }>();
/** A number per screen buffer: blessed's alloc (Ctrl-l's realloc, fg after Ctrl-z, a resize) makes a new, blank one. */
const buffers = new WeakMap<unknown[], number>();
let nextBuffer = 0;

/** Where the screen's top-level elements are and which buffer they are drawn into, once per frame: an overlay opened or closed, a layout change, a new buffer changes it. */
function sceneKey(screen: SceneScreen): string {
  const cached = scenes.get(screen);
  if (cached && cached.frame === screen.renders && cached.lines === screen.lines) return cached.key;
  let buffer = buffers.get(screen.lines);
  if (buffer === undefined) buffers.set(screen.lines, (buffer = nextBuffer++));
  const key = `${buffer}|${screen.cols}x${screen.rows}|${screen.children.map((c) => (c.hidden ? `${c.uid}h` : `${c.uid}:${c.aleft},${c.atop},${c.width},${c.height}`)).join('|')}`;
  scenes.set(screen, { frame: screen.renders, lines: screen.lines, key });
  return key;
}

/**
 * Skips blessed's render of a top-level box whose frame would come out the
 * same as last time: same text, label, colours and place, and the same top-
 * level elements in the same places (so nothing was drawn over it and taken
 * away since, like an overlay), and the same screen buffer (no resize or
 * redraw). Its cells are then still in the buffer from the last frame. For
 * boxes that change rarely, like a header or a status line, while the rest
 * of the screen changes every tick.
 */
export function renderOnlyWhenChanged(box: blessed.Widgets.BoxElement): void {
  const el = box as unknown as BoxInternals & {
    render(): unknown;
    screen: SceneScreen;
    parent: unknown;
    hidden: boolean;
    content: string;
    _label?: { content: string };
  };
  const blessedRender = el.render.bind(el);
  let last = '';
  el.render = () => {
    const screen = el.screen;
    if (el.hidden || el.parent !== screen) {
      last = '';
      return blessedRender();
    }
    const key = `${sceneKey(screen)}\0${el.aleft},${el.atop},${el.width},${el.height}\0${el.sattr(el.style)},${el.style.border ? el.sattr(el.style.border) : ''}\0${el._label?.content ?? ''}\0${el.content}`;
    if (key === last && el.lpos) return el.lpos;
    const coords = blessedRender();
    last = coords ? key : '';
    return coords;
  };
}

/**
 * setContent for a box that fills its own area (no shrink, no transparency):
 * nothing when the text is the same, and no clearing first otherwise. blessed
 * blanks an element's area on every setContent and then paints it again, so
 * every line under it went out to the diff as changed, every frame.
 */
export function setText(el: blessed.Widgets.BoxElement, content: string): void {
  if (el.content === content) return;
  (el as unknown as { setContent(text: string, noClear: boolean): void }).setContent(content, true);
}

type Cell = [number, string];
/** A row of blessed's screen buffer: [attr, char] cells; dirty rows go out to the diff. */
export type Line = Cell[] & { dirty?: boolean };

export type Coords = { xi: number; xl: number; yi: number; yl: number };

/** The blessed box internals lxcdeck's render-skipping and self-drawn boxes use. */
export interface BoxInternals {
  lpos?: Coords;
  aleft: number;
  atop: number;
  width: number;
  height: number;
  style: { border?: unknown };
  sattr(style: unknown): number;
}

/** The blessed element internals a self-drawn element uses. */
export interface DrawnElement extends BoxInternals {
  render(): Coords | undefined;
  _emit(type: string, args?: unknown[]): void;
  _getCoords(get: boolean): Coords | undefined;
  screen: { lines: Line[]; _borderStops: Record<number, boolean> };
}

/**
 * Paints a line border around an element's area (clipped to `coords`),
 * touching only cells that change; a label is written into the top edge.
 */
export function paintBorder(el: DrawnElement, coords: Coords, attr: number, label?: { text: string; attr: number }): void {
  const lines = el.screen.lines;
  const left = el.aleft;
  const top = el.atop;
  const right = left + el.width - 1;
  const bottom = top + el.height - 1;
  const put = (x: number, y: number, ch: string, a = attr) => {
    if (x < coords.xi || x >= coords.xl || y < coords.yi || y >= coords.yl) return;
    const line = lines[y];
    const cell = line?.[x];
    if (!line || !cell || (cell[0] === a && cell[1] === ch)) return;
    cell[0] = a;
    cell[1] = ch;
    line.dirty = true;
  };
  for (let x = left + 1; x < right; x++) {
    const li = x - left - 2;
    if (label && li >= 0 && li < label.text.length && x < right - 1) put(x, top, label.text[li] as string, label.attr);
    else put(x, top, '─');
    put(x, bottom, '─');
  }
  for (let y = top + 1; y < bottom; y++) {
    put(left, y, '│');
    put(right, y, '│');
  }
  put(left, top, '┌');
  put(right, top, '┐');
  put(left, bottom, '└');
  put(right, bottom, '┘');
}

interface FramedElement extends DrawnElement {
  children: { index: number; render(): unknown }[];
  screen: { lines: Line[]; _borderStops: Record<number, boolean>; _ci: number };
}

/**
 * Draws a line-bordered box without blessed's content pass: its border, then
 * `paintInner` (which must cover every inner cell not covered by a child),
 * then its children (a label is one). blessed walks every inner cell of a box
 * through its tag and unicode handling, about as costly per cell as the rest
 * of a frame together; for boxes whose inside is painted or tiled by children
 * that walk only wrote blanks to be overwritten. While `useBlessed()` says so
 * (say, a message in the box's text), blessed renders it as before. For plain
 * boxes only: no padding, scrollbar, shadow or transparency.
 */
export function drawFramed(box: blessed.Widgets.BoxElement, paintInner: (coords: Coords) => void, useBlessed: () => boolean = () => false): void {
  const el = box as unknown as FramedElement;
  const blessedRender = el.render.bind(el);
  el.render = () => {
    if (useBlessed()) return blessedRender();
    el._emit('prerender');
    const coords = el._getCoords(true);
    if (!coords) {
      delete el.lpos;
      return undefined;
    }
    if (coords.xl - coords.xi <= 0 || coords.yl - coords.yi <= 0) return undefined;
    el.lpos = coords;
    const screen = el.screen;
    // as blessed registers a bordered element's edges, for dockBorders
    screen._borderStops[coords.yi] = true;
    screen._borderStops[coords.yl - 1] = true;
    paintBorder(el, coords, el.sattr(el.style.border ?? {}));
    paintInner(coords);
    for (const child of el.children) {
      if (screen._ci !== -1) child.index = screen._ci++;
      child.render();
    }
    el._emit('render', [coords]);
    return coords;
  };
}
interface DockingScreen {
  lines: Line[];
  width: number;
  _borderStops: Record<number, boolean>;
  _dockBorders(): void;
  _getAngle(lines: Line[], x: number, y: number): string;
}

// blessed's own tables (widgets/screen.js): which box-drawing characters join a
// neighbour, as bits in a table over U+2500..U+257F (a string Set per cell was
// most of this pass)
const ANGLE = 1;
const JOINS_FROM_LEFT = 2; // blessed's langles
const JOINS_FROM_ABOVE = 4; // uangles
const JOINS_FROM_RIGHT = 8; // rangles
const JOINS_FROM_BELOW = 16; // dangles
const BOX = new Uint8Array(0x80);
for (const [chars, bit] of [
  ['┘┐┌└┼├┤┴┬│─', ANGLE],
  ['┌└┼├┴┬─', JOINS_FROM_LEFT],
  ['┐┌┼├┤┬│', JOINS_FROM_ABOVE],
  ['┘┐┼┤┴┬─', JOINS_FROM_RIGHT],
  ['┘└┼├┤┴│', JOINS_FROM_BELOW],
] as const)
  for (const ch of chars) BOX[ch.charCodeAt(0) - 0x2500] = (BOX[ch.charCodeAt(0) - 0x2500] as number) | bit;

function boxBits(cell: Cell | undefined): number {
  if (!cell) return 0;
  const ch = cell[1];
  if (ch.length !== 1) return 0;
  const i = ch.charCodeAt(0) - 0x2500;
  return i >= 0 && i < 0x80 ? (BOX[i] as number) : 0;
}

/**
 * blessed's dockBorders (joining touching borders into ┬ ┤ ┼ ...) asks its
 * angle function about every line character of every row that holds a border
 * edge, each render: with a dozen bordered boxes that was a third of a frame.
 * A straight piece whose perpendicular neighbours do not join it always comes
 * back unchanged (blessed's table maps left/right-only to ─ and up/down-only
 * to │), so it is skipped; every other piece still goes through blessed.
 */
export function speedUpDockBorders(screen: blessed.Widgets.Screen): void {
  const s = screen as unknown as DockingScreen;
  s._dockBorders = function dockBorders(this: DockingScreen) {
    const lines = this.lines;
    const stops = Object.keys(this._borderStops)
      .map(Number)
      .sort((a, b) => a - b);
    for (const y of stops) {
      const line = lines[y];
      if (!line) continue;
      const above = lines[y - 1];
      const below = lines[y + 1];
      for (let x = 0; x < this.width; x++) {
        const bits = boxBits(line[x]);
        if (!(bits & ANGLE)) continue;
        const ch = (line[x] as Cell)[1];
        if (ch === '─' && !(boxBits(above?.[x]) & JOINS_FROM_ABOVE) && !(boxBits(below?.[x]) & JOINS_FROM_BELOW)) continue;
        if (ch === '│' && !(boxBits(line[x - 1]) & JOINS_FROM_LEFT) && !(boxBits(line[x + 1]) & JOINS_FROM_RIGHT)) continue;
        const angle = this._getAngle(lines, x, y);
        if (angle !== ch) {
          (line[x] as Cell)[1] = angle;
          line.dirty = true;
        }
      }
    }
  };
}
