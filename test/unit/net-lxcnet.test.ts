import { describe, expect, it } from 'vitest';
import { isLxcdeckError } from '../../src/core/errors.js';
import { bridgeMacStep } from '../../src/net/bridgeMac.js';
import { disabledLxcNetText, importDefinition, lxcNetDefinition, parseLxcNetConf } from '../../src/net/lxcNet.js';
import type { NetHost } from '../../src/net/steps.js';
import { errorLine } from './errorLine.js';

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

  it('carries LXC_BRIDGE_MAC (lxc-net\'s default 00:16:3e:00:00:00 when unset), and refuses one that is no unicast MAC', () => {
    expect(parseLxcNetConf('').LXC_BRIDGE_MAC).toBe('00:16:3e:00:00:00');
    expect(importDefinition(parseLxcNetConf('USE_LXC_BRIDGE="true"\n'), 'lxcnet', { networks: [] }).mac).toBe('00:16:3e:00:00:00');
    const own = parseLxcNetConf('USE_LXC_BRIDGE="true"\nLXC_BRIDGE_MAC="02:AB:cd:00:00:07"\n');
    expect(importDefinition(own, 'lxcnet', { networks: [] }).mac).toBe('02:ab:cd:00:00:07');
    expect(lxcNetDefinition(own)).toMatchObject({ readOnly: true, mac: '02:ab:cd:00:00:07' });
    // empty: lxcdeck leaves the kernel's MAC
    expect(importDefinition(parseLxcNetConf('USE_LXC_BRIDGE="true"\nLXC_BRIDGE_MAC=""\n'), 'lxcnet', { networks: [] })).not.toHaveProperty('mac');
    for (const bad of ['01:00:5e:00:00:01', '00:16:3e:00:00', 'zz:16:3e:00:00:00']) {
      const conf = parseLxcNetConf(`USE_LXC_BRIDGE="true"\nLXC_BRIDGE_MAC=${bad}\n`);
      expect(lxcNetDefinition(conf)).not.toHaveProperty('mac');
      expect(errorLine(() => importDefinition(conf, 'lxcnet', { networks: [] }))).toBe(`LXC_BRIDGE_MAC "${bad}" in /etc/default/lxc-net is not a unicast MAC: fix it (lxc-net's default is 00:16:3e:00:00:00), or remove the line`);
    }
  });

  it('sets the bridge MAC as lxc-net does, checks it, and puts the old one back on rollback', async () => {
    let mac = 'fe:01:ef:5a:55:01\n';
    const ran: string[][] = [];
    const host = {
      read: async (p: string) => (p === '/sys/class/net/lxcbr0/address' ? mac : null),
      run: async (argv: readonly string[]) => {
        ran.push([...argv]);
        mac = `${argv.at(-1) ?? ''}\n`;
        return { code: 0, stdout: '', stderr: '' };
      },
    } as unknown as NetHost;
    const step = bridgeMacStep(host, 'lxcbr0', '00:16:3e:00:00:00');
    expect(await step.check()).toBe(false);
    await step.apply(() => undefined);
    expect(ran).toEqual([['ip', 'link', 'set', 'dev', 'lxcbr0', 'address', '00:16:3e:00:00:00']]);
    expect(await step.check()).toBe(true);
    expect(await step.gone()).toBe(true);
    await step.undo();
    expect(mac.trim()).toBe('fe:01:ef:5a:55:01');
  });

  it('turns USE_LXC_BRIDGE off with a note, once', () => {
    const once = disabledLxcNetText('USE_LXC_BRIDGE="true"\n\n# Honor\n', 'lxcnet');
    expect(once).toBe('# lxcdeck net import: lxcdeck runs this bridge as network lxcnet (lxcdeck net show lxcnet)\nUSE_LXC_BRIDGE="false"\n\n# Honor\n');
    expect(disabledLxcNetText(once, 'lxcnet')).toBe(once);
  });
});
