import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import type { Json, Plan } from '../core/plan.js';
import { realNetHost } from '../host/netHost.js';
import { NetStore } from '../host/netStore.js';
import { disabledLxcNetText, importDefinition, LXC_NET_DEFAULTS, LXC_NET_NAME, LXC_NET_SCRIPT, LXC_NET_UP_FLAG, parseLxcNetConf } from '../net/lxcNet.js';
import { defFromParams, upSteps } from '../net/plans.js';
import { commandStep, fileStep } from '../net/steps.js';
import type { NetworkDef } from '../net/definition.js';
import type { PlanRegistry } from '../plan/registry.js';
import { sanitize } from '../presentation/format.js';
import type { CliIo } from './io.js';
import { hostPlanRunner, runNetPlan } from './netPlanRun.js';
import { storeStep } from './netWizard.js';

/**
 * `lxcdeck net import [lxcnet] [--as NAME]`: lxcdeck takes over Debian's
 * lxc-net bridge. One plan: store the definition, `lxc-net stop`, turn
 * USE_LXC_BRIDGE off in /etc/default/lxc-net (so lxc-net never brings the
 * bridge back against lxcdeck), then the network's own up steps on the same
 * bridge name, subnet and DHCP range, and the bridge's LXC_BRIDGE_MAC. A failure undoes all of it, lxc-net
 * started again with its old configuration.
 */
export const NET_IMPORT_KIND = 'net.import';

export function importPlan(store: NetStore, def: NetworkDef, defaultsText: string): Plan {
  const steps = [
    storeStep(store, def),
    commandStep(realNetHost, {
      description: `stop lxc-net (its dnsmasq and firewall rules; ${def.bridge ?? ''} goes when no container is attached)`,
      argv: [LXC_NET_SCRIPT, 'stop'],
      undo: [LXC_NET_SCRIPT, 'start'],
      check: async () => (await realNetHost.read(LXC_NET_UP_FLAG)) === null,
    }),
    fileStep(realNetHost, `set USE_LXC_BRIDGE="false" in ${LXC_NET_DEFAULTS} (lxc-net leaves ${def.bridge ?? ''} to lxcdeck at boot)`, LXC_NET_DEFAULTS, disabledLxcNetText(defaultsText, def.name)),
    ...upSteps(realNetHost, def),
  ];
  return { kind: NET_IMPORT_KIND, title: `Import lxc-net's ${def.bridge ?? ''} as network ${def.name} (${def.subnet ?? ''})`, params: { def: def as unknown as Json, defaults: defaultsText }, steps };
}

export function registerNetImportPlan(registry: PlanRegistry, store = new NetStore()): void {
  registry.register(NET_IMPORT_KIND, (p: Json) => {
    const text = (p as { defaults?: unknown } | null)?.defaults;
    return importPlan(store, defFromParams(p), typeof text === 'string' ? text : '');
  });
}

export function registerNetImportCommand(net: Command, io: CliIo, store: NetStore): void {
  net
    .command('import')
    .description("take over Debian's lxc-net bridge (lxcbr0) as an lxcdeck NAT network, same subnet and DHCP range")
    .argument('[source]', 'what to import: lxcnet (Debian\'s lxc-net)', LXC_NET_NAME)
    .option('--as <name>', 'the lxcdeck network name', LXC_NET_NAME)
    .option('--dry-run', 'print the plan, change nothing')
    .option('--json', 'one JSON line per event (with --dry-run: the plan)')
    .action(async (source: string, o: { as: string; dryRun?: boolean; json?: boolean }) => {
      if (source !== LXC_NET_NAME) throw new LxcdeckError('invalid-argument', `cannot import ${JSON.stringify(source)}`, `only ${LXC_NET_NAME} (Debian's lxc-net) can be imported`);
      if (process.getuid?.() !== 0) throw new LxcdeckError('permission', 'importing lxc-net needs root', 'run: sudo lxcdeck net import');
      const text = await realNetHost.read(LXC_NET_DEFAULTS);
      if (text === null) throw new LxcdeckError('not-defined', `${LXC_NET_DEFAULTS} does not exist: lxc-net is not set up here`, 'nothing to import; create a network with lxcdeck net create');
      const def = importDefinition(parseLxcNetConf(text), o.as, { networks: store.list() });
      if (!(await runNetPlan(hostPlanRunner(), importPlan(store, def, text), o))) return;
      if (!o.json) io.out(sanitize(`lxc-net's ${def.bridge ?? ''} is now lxcdeck network ${def.name}; containers on ${def.bridge ?? ''} keep their config`));
    });
}
