import type { SubIdRange } from '../core/idmap.js';
import { parseSubIdFile, rangesOf } from '../core/subid.js';

export { formatRange } from '../core/subid.js';

/** Ranges of /etc/subuid or /etc/subgid that belong to a user (malformed lines are skipped here; the idmap commands report them). */
export function parseSubIds(text: string, user: string, uid: number): SubIdRange[] {
  return rangesOf(parseSubIdFile(text), user, uid);
}
