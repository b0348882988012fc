import * as fs from 'node:fs';
import * as path from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** Where ncurses looks for compiled terminfo entries, in its order. */
export function terminfoDirs(env: Env): string[] {
  const dirs: string[] = [];
  if (env.TERMINFO) dirs.push(env.TERMINFO);
  if (env.HOME) dirs.push(path.join(env.HOME, '.terminfo'));
  for (const d of (env.TERMINFO_DIRS ?? '').split(':')) dirs.push(d || '/usr/share/terminfo');
  dirs.push('/etc/terminfo', '/lib/terminfo', '/usr/share/terminfo');
  return [...new Set(dirs)];
}

const MAX_COLORS = 13; // index of max_colors among terminfo's numeric capabilities

/**
 * max_colors from a compiled terminfo entry: the legacy format (magic 0432,
 * 16-bit numbers) and ncurses 6's (01036, 32-bit numbers, which tmux-256color
 * and xterm-direct use on Debian 12 and blessed cannot read). null when the
 * entry is absent, unreadable or says nothing.
 */
export function parseMaxColors(data: Uint8Array): number | null {
  if (data.length < 12) return null;
  const u16 = (i: number) => (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8);
  const magic = u16(0);
  const width = magic === 0o432 ? 2 : magic === 0o1036 ? 4 : 0;
  if (!width) return null;
  const [names, bools, nums] = [u16(2), u16(4), u16(6)];
  if (nums <= MAX_COLORS) return null;
  let at = 12 + names + bools;
  if (at % 2) at++; // numbers start on an even byte
  at += MAX_COLORS * width;
  if (at + width > data.length) return null;
  const v = width === 2 ? (u16(at) << 16) >> 16 : (u16(at) | (u16(at + 2) << 16)) | 0;
  return v < 0 ? null : v;
}

/** The terminal's colour count from its terminfo entry, or null when there is none to read. */
export function terminfoColors(term: string, env: Env, read: (file: string) => Uint8Array = (f) => fs.readFileSync(f)): number | null {
  if (!term || term.includes('/') || term.startsWith('.')) return null;
  for (const dir of terminfoDirs(env))
    // ncurses files entries under their first letter, or its hex code (macOS)
    for (const sub of [term[0] as string, (term.codePointAt(0) ?? 0).toString(16)]) {
      let data: Uint8Array;
      try {
        data = read(path.join(dir, sub, term));
      } catch {
        continue;
      }
      return parseMaxColors(data);
    }
  return null;
}
