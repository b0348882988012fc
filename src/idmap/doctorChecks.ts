import { hostIdForRoot, parseIdMapLines } from '../core/idmap.js';
import type { IdMapSubject } from '../core/idmapCheck.js';
import type { ContainerIdMapValues } from '../core/idmapSource.js';
import { idmapUsage } from './usage.js';

/**
 * What `doctor` says about the containers' maps: maps outside the user's
 * ranges (they cannot start), containers sharing host ids (not isolated), and
 * rootfs owners that are not the map's root (a shift forgotten after the map
 * changed). Shaped like doctor's checks; pure over the maps and owners.
 * Warnings, not failures: doctor's status says whether this host and user can
 * run containers; a broken map is one container's problem, named with its fix.
 */
export interface IdmapDoctorCheck {
  id: string;
  title: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

export function idmapDoctorChecks(
  subject: IdMapSubject,
  containers: readonly ContainerIdMapValues[],
  /** Owner of each container's rootfs directory (null: not visible or not a directory rootfs). */
  rootfsOwner: (c: ContainerIdMapValues) => { uid: number; gid: number } | null,
): IdmapDoctorCheck[] {
  const usage = idmapUsage(subject, containers);
  const checks: IdmapDoctorCheck[] = [];
  const mapped = usage.containers.filter((c) => c.idmap.length > 0);

  const invalid = usage.containers.flatMap((c) => c.findings.filter((f) => f.severity === 'error').map((f) => ({ name: c.name, f })));
  if (invalid.length) {
    const first = invalid[0] as (typeof invalid)[number];
    checks.push({
      id: 'idmap-valid',
      title: 'container idmaps',
      status: 'warn',
      detail: `${invalid.length} error${invalid.length > 1 ? 's' : ''} in the maps of ${[...new Set(invalid.map((x) => x.name))].join(', ')}; first: ${first.name}: ${first.f.message}`,
      fix: `${first.f.fix} (all of them: 'lxcdeck idmap check --all')`,
    });
  } else if (mapped.length) checks.push({ id: 'idmap-valid', title: 'container idmaps', status: 'ok', detail: `${mapped.length} map${mapped.length > 1 ? 's' : ''} valid` });

  // each sharing pair once
  const pairs = new Map<string, string>();
  for (const c of usage.containers)
    for (const u of c.uses)
      for (const s of u.sharedWith.filter((x) => c.name < x.name)) {
        const key = `${c.name} and ${s.name}`;
        pairs.set(key, [pairs.get(key), `${u.kind === 'u' ? 'uids' : 'gids'} ${s.ids}`].filter(Boolean).join(', '));
      }
  if (pairs.size) {
    const list = [...pairs].map(([who, ids]) => `${who} (${ids})`);
    checks.push({
      id: 'idmap-isolated',
      title: 'isolated idmaps',
      status: 'warn',
      detail: `${list.length} pair${list.length > 1 ? 's' : ''} of containers share host ids, so root in one owns the other's files: ${list.slice(0, 3).join('; ')}${list.length > 3 ? '; …' : ''}`,
      fix: "give each its own range ('lxcdeck idmap usage' shows what is free)",
    });
  } else if (mapped.length > 1) checks.push({ id: 'idmap-isolated', title: 'isolated idmaps', status: 'ok', detail: 'no two containers share host ids' });

  const forgotten = mapped.flatMap((c) => {
    const entries = parseIdMapLines(c.idmap).entries;
    const root = { uid: hostIdForRoot(entries, 'u'), gid: hostIdForRoot(entries, 'g') };
    const owner = rootfsOwner(containers.find((x) => x.name === c.name) as ContainerIdMapValues);
    return owner && root.uid !== null && root.gid !== null && (owner.uid !== root.uid || owner.gid !== root.gid) ? [{ name: c.name, owner, root }] : [];
  });
  if (forgotten.length) {
    const f = forgotten[0] as (typeof forgotten)[number];
    checks.push({
      id: 'idmap-rootfs',
      title: 'rootfs owners',
      status: 'warn',
      detail: `rootfs not owned by the map's root (a shift forgotten after the map changed): ${forgotten.map((x) => `${x.name} (rootfs ${x.owner.uid}:${x.owner.gid}, map root ${x.root.uid}:${x.root.gid})`).join('; ')}`,
      fix: `map container root of ${f.name} to ${f.owner.uid}:${f.owner.gid} again, or re-own its rootfs to the current map`,
    });
  }
  return checks;
}
