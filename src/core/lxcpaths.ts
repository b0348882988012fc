import { LxcdeckError } from './errors.js';

/**
 * Which of the listed lxcpaths a command's NAME means: the one that defines
 * it; none: the first (whose own "not defined" error then says so); more
 * than one: a one-line error naming them.
 */
export function chooseLxcpath(name: string, lxcpaths: readonly string[], defines: (lxcpath: string) => boolean): string {
  const first = lxcpaths[0];
  if (first === undefined) throw new LxcdeckError('internal', 'no lxcpath to look in', 'pass -P PATH');
  if (lxcpaths.length === 1) return first;
  const found = lxcpaths.filter(defines);
  if (found.length > 1) {
    const where = `${found.slice(0, -1).join(', ')} and ${found.at(-1) ?? ''}`;
    throw new LxcdeckError('invalid-argument', `${name} is in ${where}`, `pass -P to choose (e.g. -P ${found[0] ?? first} ${name})`);
  }
  return found[0] ?? first;
}

/** The lxcpaths to use: those on the command line, else the lxcpaths setting, else none (liblxc's default). */
export function effectiveLxcpaths(cli: readonly string[], setting: readonly string[]): string[] {
  return cli.length ? [...cli] : [...setting];
}
