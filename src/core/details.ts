/**
 * What the detail view shows about a container besides its live facts:
 * snapshots, the networks it joins and whether its idmap validates. These
 * change rarely, so the TUI reads them in the background and caches them
 * (state/extrasCache.ts); the CLI side reads them from disk without
 * blocking (cli/extras.ts).
 */
export interface SnapshotRow {
  name: string;
  /** liblxc's timestamp ("2026:12:01 08:32:40"). */
  time: string;
  comment: string;
}

/** One lxc.net.N of the container. */
export interface NetJoin {
  index: number;
  type: string;
  /** The bridge or parent (lxc.net.N.link), '' when none. */
  link: string;
  /** The lxcdeck (or lxc-net) network this interface is on, null for none. */
  network: string | null;
  /** A static address or the DHCP lease when known (no prefix), null otherwise. */
  address: string | null;
}

export interface IdmapStatus {
  /** The lxc.idmap entries; [] for a privileged container. */
  map: string[];
  /** The first error (`what: fix`), null when it validates. */
  error: string | null;
  warnings: number;
}

export interface ContainerExtras {
  snapshots: SnapshotRow[];
  networks: NetJoin[];
  idmap: IdmapStatus;
}

export interface ContainerExtrasSource {
  /** Reads the extras of one container; never throws for a missing file (empty parts instead). */
  read(name: string): Promise<ContainerExtras>;
}

/** The lxc.net.N interfaces a config declares, by index: type and link. */
export function netInterfaces(config: string): { index: number; type: string; link: string; ipv4: string | null }[] {
  const byIndex = new Map<number, { index: number; type: string; link: string; ipv4: string | null }>();
  for (const raw of config.split('\n')) {
    const m = /^\s*lxc\.net\.(\d+)\.(type|link|ipv4\.address)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    const index = Number(m[1]);
    const e = byIndex.get(index) ?? { index, type: '', link: '', ipv4: null };
    if (m[2] === 'type') e.type = m[3] as string;
    else if (m[2] === 'link') e.link = m[3] as string;
    else e.ipv4 = (m[3] as string).replace(/\/\d+$/, '') || null;
    byIndex.set(index, e);
  }
  return [...byIndex.values()].filter((e) => e.type !== '' && e.type !== 'empty' && e.type !== 'none').sort((a, b) => a.index - b.index);
}
