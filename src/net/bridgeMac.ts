import { must, type NetHost, type NetStep } from './steps.js';

/**
 * The bridge's own MAC (lxc-net's LXC_BRIDGE_MAC, carried over by `net
 * import`): set like lxc-net's _ifup does, so the host keeps the address its
 * containers and their neighbour caches know. The MAC goes with the bridge,
 * so taking the network down has nothing to undo here; a rollback puts back
 * the MAC the bridge had before.
 */
export function bridgeMacStep(host: NetHost, bridge: string, mac: string): NetStep {
  const now = async () => (await host.read(`/sys/class/net/${bridge}/address`))?.trim().toLowerCase() ?? null;
  const set = (to: string) => ['ip', 'link', 'set', 'dev', bridge, 'address', to];
  let before: string | null = null;
  return {
    description: `set the MAC of ${bridge} to ${mac}`,
    shows: [{ kind: 'command', argv: set(mac) }],
    undoShows: [{ kind: 'note', text: `the MAC goes with ${bridge}` }],
    check: async () => (await now()) === mac,
    gone: async () => true,
    apply: async () => {
      before = await now();
      await must(host, set(mac));
    },
    undo: async () => {
      if (before && before !== mac && (await now()) === mac) await must(host, set(before));
    },
  };
}
