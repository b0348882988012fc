import * as os from 'node:os';
import type { HostFs } from './hostfs.js';

/** Who lxcdeck runs as: decides root vs unprivileged containers and default paths. */
export interface Identity {
  uid: number;
  gid: number;
  user: string;
  home: string;
  groups: string[];
}

/** Names of the groups whose member list in /etc/group names the user, plus the primary group. */
export function groupsOf(groupFile: string, user: string, gid: number): string[] {
  const out: string[] = [];
  for (const line of groupFile.split('\n')) {
    const [name, , id, members] = line.split(':');
    if (!name) continue;
    if (Number(id) === gid || (members ?? '').split(',').includes(user)) out.push(name);
  }
  return out;
}

export function currentIdentity(fs: HostFs): Identity {
  const info = os.userInfo();
  const home = process.env.HOME && process.env.HOME !== '' ? process.env.HOME : info.homedir;
  let groups: string[] | undefined;
  return {
    uid: info.uid,
    gid: info.gid,
    user: info.username,
    home,
    // read when first asked: ls, freeze and thaw never do
    get groups() {
      return (groups ??= groupsOf(fs.read('/etc/group') ?? '', info.username, info.gid));
    },
  };
}
