import { describe, expect, it } from 'vitest';
import { isLxcdeckError } from '../../src/core/errors.js';
import { disabledLxcNetText, importDefinition, lxcNetDefinition, parseLxcNetConf } from '../../src/net/lxcNet.js';

describe("Debian's lxc-net", () => {
  it('reads its defaults file over lxc-net\'s own defaults', () => {
    const c = parseLxcNetConf('USE_LXC_BRIDGE="true"\nLXC_NETWORK=10.9.0.0/24 # mine\nLXC_ADDR=\'10.9.0.1\'\n#LXC_DOMAIN="x"\n');
    expect(c).toMatchObject({ USE_LXC_BRIDGE: 'true', LXC_BRIDGE: 'lxcbr0', LXC_NETWORK: '10.9.0.0/24', LXC_ADDR: '10.9.0.1', LXC_DOMAIN: '' });
    expect(lxcNetDefinition(parseLxcNetConf('USE_LXC_BRIDGE="true"\n'))).toMatchObject({ readOnly: true, subnet: '10.0.3.0/24', address: '10.0.3.1/24', dhcp: { start: '10.0.3.2', end: '10.0.3.254' } });
  });

  it('imports it as a NAT network, refusing a clash, a custom dnsmasq config or a disabled lxc-net', () => {
    const conf = parseLxcNetConf('USE_LXC_BRIDGE="true"\nLXC_DOMAIN="lxc"\n');
    const def = importDefinition(conf, 'lxcnet', { networks: [] });
    expect(def).toMatchObject({ name: 'lxcnet', kind: 'nat', bridge: 'lxcbr0', existingBridge: false, domain: 'lxc' });
    expect(def.readOnly).toBeUndefined();
    const line = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return isLxcdeckError(e) ? e.line : String(e);
      }
      return 'no error';
    };
    expect(line(() => importDefinition(conf, 'lxcnet', { networks: [def] }))).toMatch(/network lxcnet exists already: import under another name/);
    expect(line(() => importDefinition(conf, 'other', { networks: [def] }))).toMatch(/bridge lxcbr0 belongs to lxcdeck network lxcnet/);
    expect(line(() => importDefinition(parseLxcNetConf('LXC_DHCP_CONFILE=/etc/dnsmasq.conf'), 'x', { networks: [] }))).toMatch(/own dnsmasq configuration/);
    expect(line(() => importDefinition(parseLxcNetConf('USE_LXC_BRIDGE=false'), 'x', { networks: [] }))).toMatch(/does not manage a bridge/);
  });

  it('turns USE_LXC_BRIDGE off with a note, once', () => {
    const once = disabledLxcNetText('USE_LXC_BRIDGE="true"\n\n# Honor\n', 'lxcnet');
    expect(once).toBe('# lxcdeck net import: lxcdeck runs this bridge as network lxcnet (lxcdeck net show lxcnet)\nUSE_LXC_BRIDGE="false"\n\n# Honor\n');
    expect(disabledLxcNetText(once, 'lxcnet')).toBe(once);
  });
});
