import { choiceField, defineForm, textField, type FormIssue } from '../core/fields.js';
import type { NetRequest } from '../net/define.js';

/**
 * The fields of the `N` wizard and the request they make. IPv6 (nat) is a
 * choice: off, the proposed random ULA /64, or a typed prefix; a typed
 * prefix is checked on every key by the wizard's `checkIpv6` — the CLI's
 * `--ipv6` check, so the form and `net create` give the same one line.
 */
export const IPV6_CHOICES = ['off', 'random', 'typed'] as const;

export function netForm(ula: string, checkIpv6: (prefix: string) => string | null) {
  return defineForm(
    [
      choiceField({ key: 'kind', label: 'kind', choices: ['nat', 'bridge', 'macvlan'] as const, hint: 'nat: own subnet, DHCP, masquerade; bridge: a host bridge; macvlan: on a parent interface (←/→)' }),
      textField({ key: 'name', label: 'name', required: true, hint: '1 to 10 lowercase letters and digits; the bridge is ldk-<name>' }),
      textField({ key: 'subnet', label: 'subnet', hint: 'IPv4 prefix; proposed: a free /24 that overlaps no host address, route or network' }),
      choiceField({ key: 'ipv6', label: 'IPv6', choices: IPV6_CHOICES, hint: `random: ${ula} (proposed), typed: the IPv6 prefix below, off: none; nat: a ULA /64 with router advertisements (SLAAC) and NAT66 (←/→)` }),
      textField({ key: 'prefix6', label: 'IPv6 prefix', check: checkIpv6, hint: 'with IPv6 typed: a ULA /64 inside fd00::/8, e.g. fd12:3456:789a:1::/64' }),
      textField({ key: 'dhcp', label: 'DHCP range', hint: 'nat: START,END inside the subnet (empty: the upper half)' }),
      textField({ key: 'forwards', label: 'forwards', hint: 'nat: host-port[/udp]:container:port, comma separated, e.g. 8080:web:80' }),
      choiceField({ key: 'antiSpoof', label: 'anti-spoof', choices: ['no', 'yes'] as const, hint: 'bridge, nat: pin each container port to its MAC and addresses (←/→)' }),
      textField({ key: 'parent', label: 'parent', hint: 'macvlan: the host interface the containers sit on' }),
      textField({ key: 'shim', label: 'host shim', hint: 'macvlan: an address for a host shim; without it the host cannot reach its own macvlan containers' }),
    ] as const,
    (v) => {
      const issues: FormIssue<'prefix6'>[] = [];
      if (v.ipv6 === 'typed' && !v.prefix6) issues.push({ key: 'prefix6', error: 'IPv6 prefix is empty: type a ULA /64, e.g. fd12:3456:789a:1::/64, or pick IPv6 random' });
      // a typed prefix is never dropped silently
      else if (v.ipv6 !== 'typed' && v.prefix6) issues.push({ key: 'prefix6', error: `IPv6 is ${v.ipv6}, so this prefix would be ignored: pick IPv6 typed, or clear the prefix` });
      return issues;
    },
  );
}

/** The form's raw text as the request `net create` would make (IPv6 random: the very prefix the form proposed). */
export function netRequest(v: Readonly<Record<string, string | undefined>>, ula: string): NetRequest {
  const text = (k: string) => v[k]?.trim() ?? '';
  const opt = <K extends keyof NetRequest>(k: K, from: string) => (text(from) ? { [k]: text(from) } : {});
  const ipv6 = v.ipv6 === 'random' ? ula : v.ipv6 === 'typed' ? text('prefix6') : undefined;
  return {
    name: text('name'),
    kind: v.kind ?? 'nat',
    ...opt('subnet', 'subnet'),
    ...opt('dhcpRange', 'dhcp'),
    ...opt('parent', 'parent'),
    ...opt('shim', 'shim'),
    forwards: text('forwards').split(',').map((x) => x.trim()).filter(Boolean),
    antiSpoof: v.antiSpoof === 'yes',
    ...(ipv6 ? { ipv6 } : {}),
  };
}
