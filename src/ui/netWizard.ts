import type blessed from 'blessed';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import { defineForm } from '../core/fields.js';
import { esc } from '../presentation/tags.js';
import { errorText } from '../core/plan.js';
import type { NetworkWizard } from '../net/wizard.js';
import { FormView } from './form.js';
import { netForm, netRequest } from './netForm.js';
import type { OverlayHost } from './overlayHost.js';
import { openPlanFlow, type PlanFlowDeps } from './planFlow.js';
import type { Palette } from './style.js';

/**
 * `N`: a new network in one form (kind, name, subnet with a free /24
 * proposed, IPv6 off / a proposed ULA / typed, DHCP range, forwards, anti-spoofing, macvlan parent and host
 * shim), then the plan flow: every host command and the ruleset in the
 * preview, apply with each step shown, the result (rolled back on failure).
 */

export interface NetWizardDeps extends PlanFlowDeps {
  screen: blessed.Widgets.Screen;
  palette: Palette;
  keymap: ResolvedKeymap;
  overlays: OverlayHost;
  wizard: NetworkWizard;
}

export async function openNetWizard(d: NetWizardDeps): Promise<void> {
  let facts: Awaited<ReturnType<NetworkWizard['prepare']>>;
  try {
    facts = await d.wizard.prepare();
  } catch (e) {
    return d.log('error', `network wizard: ${errorText(e)}`);
  }
  if (!facts.root) {
    const allowed = facts.usernet.map((u) => `${u.bridge} (${u.left} of ${u.quota} veths left)`).join(', ');
    return d.log('warn', allowed
      ? `new networks (nat, macvlan, anti-spoofing) need root (sudo lxcdeck); lxc-usernet gives you ${allowed}: lxcdeck net join CONTAINER ${facts.usernet[0]?.bridge ?? ''}`
      : `new networks need root (sudo lxcdeck), and /etc/lxc/lxc-usernet gives you no bridge: as root add the line '${facts.user} veth lxcbr0 10' to it`);
  }
  const km = d.keymap;
  const form = new FormView(d.screen, d.palette, netForm(facts.ula, (p) => d.wizard.checkIpv6(p)), {
    label: ' new network ',
    heading: `new network — parents: ${facts.parents.slice(0, 6).join(', ')}`,
    initial: { kind: 'nat', subnet: facts.subnet, ipv6: 'off', antiSpoof: 'no' },
    submitTitle: 'preview',
    cancelTitle: 'cancel',
    resolve: (k) => commandFor(km, 'form', k),
    keysOf: (id) => km.byCommand.get(id) ?? [],
  });
  let busy = false;
  const submit = async () => {
    busy = true;
    try {
      const plan = await d.wizard.createPlan(netRequest(form.state.rawValues(), facts.ula));
      openPlanFlow(d, plan.title, [plan]);
    } catch (e) {
      form.showError(errorText(e));
      d.changed();
    } finally {
      busy = false;
    }
  };
  d.overlays.open(
    { kind: 'plan', title: 'new network' },
    {
      key: (k) => {
        if (busy) return undefined;
        const r = form.key(k.ch, k.name);
        if (r === 'cancel') return 'close';
        if (r === 'submit') void submit();
        return undefined;
      },
      dispose: () => form.dispose(),
      resize: () => form.draw(),
    },
  );
  d.changed();
}

/** `W`: the networks view (read-only): bridge or parent, subnet, state, members, forwards, DHCP leases. */
export async function openNetworksView(d: NetWizardDeps): Promise<void> {
  let rows: Awaited<ReturnType<NetworkWizard['list']>>;
  try {
    rows = await d.wizard.list();
  } catch (e) {
    return d.log('error', `networks: ${errorText(e)}`);
  }
  const view = new FormView(d.screen, d.palette, defineForm([]), { label: ' networks ', heading: 'networks', previewResolve: (k) => commandFor(d.keymap, 'preview', k), keysOf: (id) => d.keymap.byCommand.get(id) ?? [] });
  const text = rows.length
    ? rows.flatMap((r) => [
        `${r.name}  ${r.kind}  ${r.state}  ${r.link}  ${r.subnet}`,
        `   members: ${r.members.join(', ') || '-'}`,
        `   forwards: ${r.forwards.join(', ') || '-'}`,
        `   leases: ${r.leases.join(', ') || '-'}`,
      ])
    : ['no networks: N creates one'];
  view.showPreview('N: new network   (lxcdeck net ls|show does the same)', text.map(esc).join('\n'), 'close');
  d.overlays.open(
    { kind: 'plan', title: 'networks' },
    {
      key: (k) => {
        const r = view.key(k.ch, k.name);
        return r === 'confirm' || r === 'back' || r === 'cancel' ? 'close' : undefined;
      },
      dispose: () => view.dispose(),
      resize: () => view.draw(),
    },
  );
  d.changed();
}
