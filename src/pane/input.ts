/**
 * What the user's keys, pastes and mouse become for the program in a pane:
 * the bytes a real terminal in the program's current modes would send.
 */

export type MouseTracking = 'none' | 'x10' | 'vt200' | 'drag' | 'any';

export interface PaneMouseEvent {
  action: 'down' | 'up' | 'move' | 'wheelup' | 'wheeldown';
  button: 'left' | 'middle' | 'right' | 'none';
  /** 0-based, inside the pane. */
  x: number;
  y: number;
  shift?: boolean;
  meta?: boolean;
  ctrl?: boolean;
}

const BUTTON = { left: 0, middle: 1, right: 2, none: 3 } as const;

/** The report for a mouse event, or null when the program did not ask for it. */
export function encodeMouse(ev: PaneMouseEvent, tracking: MouseTracking, encoding: string): string | null {
  if (tracking === 'none') return null;
  if (tracking === 'x10' && ev.action !== 'down') return null;
  if (ev.action === 'move' && (tracking === 'vt200' || (tracking === 'drag' && ev.button === 'none'))) return null;
  let code: number = BUTTON[ev.button];
  if (ev.action === 'wheelup') code = 64;
  else if (ev.action === 'wheeldown') code = 65;
  else if (ev.action === 'move') code += 32;
  if (tracking !== 'x10') code |= (ev.shift ? 4 : 0) | (ev.meta ? 8 : 0) | (ev.ctrl ? 16 : 0);
  if (encoding === 'SGR' || encoding === 'SGR_PIXELS') return `\x1b[<${code};${ev.x + 1};${ev.y + 1}${ev.action === 'up' ? 'm' : 'M'}`;
  // X10 bytes: a release is button 3; coordinates past 223 cannot be sent
  if (ev.action === 'up') code = (code & ~3) | 3;
  if (ev.x > 222 || ev.y > 222) return null;
  return `\x1b[M${String.fromCharCode(32 + code, 33 + ev.x, 33 + ev.y)}`;
}

const CSI_CURSOR = /^\x1b\[([ABCDHF])$/;

/**
 * A key as the host terminal sent it (blessed's key.sequence), in the form
 * the program expects: arrows become SS3 in application cursor mode.
 */
export function keyBytes(sequence: string, applicationCursor: boolean): string {
  if (applicationCursor) {
    const m = CSI_CURSOR.exec(sequence);
    if (m) return `\x1bO${m[1]}`;
  }
  return sequence;
}

const PASTE_END = /\x1b\[201~/g;

/** Pasted text: bracketed when the program asked, and never able to end the bracket early. */
export function pasteBytes(text: string, bracketed: boolean): string {
  const clean = text.replace(PASTE_END, '');
  return bracketed ? `\x1b[200~${clean}\x1b[201~` : clean;
}
