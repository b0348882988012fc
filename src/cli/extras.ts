import * as fs from 'node:fs';
import * as path from 'node:path';
import { configValues } from '../core/configText.js';
import { netInterfaces, type ContainerExtras, type ContainerExtrasSource, type NetJoin } from '../core/details.js';
import { parseIdMapLines } from '../core/idmap.js';
import { checkIdMapValues, findingLine, type IdMapSubject, type OtherMap } from '../core/idmapCheck.js';
import { NetStore } from '../host/netStore.js';
import { readIdMapSubject } from '../host/subid.js';
import { readSnapshots } from '../lxc/copies.js';
import { runDir, type NetworkDef } from '../net/definition.js';
import type { CliContext } from './context.js';
import { allNetworks, readLeases } from './net.js';

/**
 * The detail view's extras for the TUI (AppContext.extras): snapshots from
 * <lxcpath>/<name>/snaps, the config's lxc.net.N matched with lxcdeck's
 * network definitions and their DHCP leases, and the idmap checked as
 * `lxcdeck idmap check` does. Files are read asynchronously; what the other
 * containers map (for the "shared ids" warning), the network definitions and
 * the subordinate ranges change rarely and are kept for OTHERS_MS.
 */
const OTHERS_MS = 10_000;

const readText = (f: string) => fs.promises.readFile(f, 'utf8').catch(() => '');

export function containerExtras(c: Pick<CliContext, 'backend' | 'fs' | 'identity'>, store = new NetStore(), leaseFile = (net: string) => path.join(runDir(net), 'leases')): ContainerExtrasSource {
  let others: { at: number; maps: Promise<(OtherMap & { values: string[] })[]> } | null = null;
  const otherMaps = () => {
    if (others && Date.now() - others.at < OTHERS_MS) return others.maps;
    const lxcpath = c.backend.lxcpath;
    const maps = fs.promises
      .readdir(lxcpath)
      .catch(() => [] as string[])
      .then((names) => Promise.all(names.map(async (n) => ({ name: n, values: configValues(await readText(path.join(lxcpath, n, 'config')), 'lxc.idmap') }))))
      .then((all) => all.filter((o) => o.values.length).map((o) => ({ ...o, entries: parseIdMapLines(o.values).entries })));
    others = { at: Date.now(), maps };
    return maps;
  };
  // network definitions and the user's subordinate ranges: small sync reads, kept as long as the other maps
  let kept: { at: number; defs: NetworkDef[]; subject: IdMapSubject } | null = null;
  const slow = () => {
    if (!kept || Date.now() - kept.at >= OTHERS_MS) kept = { at: Date.now(), defs: allNetworks(store), subject: readIdMapSubject(c.fs, c.identity).subject };
    return kept;
  };
  return {
    async read(name): Promise<ContainerExtras> {
      const lxcpath = c.backend.lxcpath;
      const [config, snaps] = await Promise.all([readText(path.join(lxcpath, name, 'config')), readSnapshots(lxcpath, name)]);
      const map = configValues(config, 'lxc.idmap');
      let idmap: ContainerExtras['idmap'] = { map, error: null, warnings: 0 };
      if (map.length) {
        const { subject } = slow();
        const rest = (await otherMaps()).filter((o) => o.name !== name);
        const findings = checkIdMapValues(map, subject, rest).findings;
        const err = findings.find((f) => f.severity === 'error');
        idmap = { map, error: err ? findingLine(err) : null, warnings: findings.filter((f) => f.severity === 'warning').length };
      }
      return { snapshots: snaps.map(({ name: n, time, comment }) => ({ name: n, time, comment })), networks: await joins(name, config, slow().defs, leaseFile), idmap };
    },
  };
}

/** Each lxc.net.N with the network it is on (a member slot, else the bridge) and its address: static, lease or config. */
async function joins(name: string, config: string, defs: readonly NetworkDef[], leaseFile: (net: string) => string): Promise<NetJoin[]> {
  return Promise.all(
    netInterfaces(config).map(async (i) => {
      const def = defs.find((d) => d.members.some((m) => m.container === name && m.slot === i.index)) ?? defs.find((d) => i.link !== '' && (d.bridge === i.link || (i.type === 'macvlan' && d.parent === i.link)));
      const member = def?.members.find((m) => m.container === name && m.slot === i.index);
      let address = member?.ip ?? i.ipv4;
      if (!address && def && def.dhcp) {
        const leases = readLeases(await readText(leaseFile(def.name)));
        address = leases.find((l) => l.name === name || (member && l.mac.toLowerCase() === member.mac.toLowerCase()))?.ip ?? null;
      }
      return { index: i.index, type: i.type, link: i.link, network: def?.name ?? null, address: address ?? null };
    }),
  );
}
