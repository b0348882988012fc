import { hasIdmapMount, hostIdForRoot, parseIdMapLines } from '../core/idmap.js';
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

  // containers linked by shared host ids, as groups: with the default map all of them share one range
  const groupOf = new Map<string, Set<string>>();
  for (const c of usage.containers)
    for (const other of c.uses.flatMap((u) => u.sharedWith.map((x) => x.name))) {
      const merged = new Set([...(groupOf.get(c.name) ?? [c.name]), ...(groupOf.get(other) ?? [other])]);
      for (const n of merged) groupOf.set(n, merged);
    }
  const groups = [...new Set(groupOf.values())].map((g) => [...g].sort());
  if (groups.length) {
    checks.push({
      id: 'idmap-isolated',
      title: 'isolated idmaps',
      status: 'warn',
      detail: `containers sharing host ids, so root in one owns the others' files: ${groups.map((g) => g.join(', ')).join('; ')}`,
      fix: "give each its own range ('lxcdeck idmap usage' shows what is free and who uses what)",
    });
  } else if (mapped.length > 1) checks.push({ id: 'idmap-isolated', title: 'isolated idmaps', status: 'ok', detail: 'no two containers share host ids' });

  const forgotten = mapped.flatMap((c) => {
    const entries = parseIdMapLines(c.idmap).entries;
    const root = { uid: hostIdForRoot(entries, 'u'), gid: hostIdForRoot(entries, 'g') };
    const values = containers.find((x) => x.name === c.name) as ContainerIdMapValues;
    // mounted idmapped, the files keep container ids on disk: container root is host 0 there
    if (hasIdmapMount(values.rootfsOptions)) Object.assign(root, { uid: 0, gid: 0 });
    const owner = rootfsOwner(values);
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
