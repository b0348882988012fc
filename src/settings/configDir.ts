import * as os from 'node:os';
import * as path from 'node:path';

/**
 * $XDG_CONFIG_HOME/lxcdeck, else ~/.config/lxcdeck — what conf itself computes
 * for projectName 'lxcdeck' with no suffix. We compute it so the path is known
 * even when conf cannot open the file; a relative XDG_CONFIG_HOME is ignored,
 * as the XDG spec asks.
 */
export function defaultConfigDir(env: Readonly<Record<string, string | undefined>> = process.env, home: string = os.homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'lxcdeck');
}
