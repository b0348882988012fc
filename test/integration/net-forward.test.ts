import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostUnavailable } from './host.js';
import { inPrivateNet } from './netPeers.js';

/**
 * Forwarding held by several NAT networks: taking one down must not turn
 * off forwarding another still needs; the last one down puts back the value
 * the host had before lxcdeck (so a host that forwarded keeps forwarding).
 * Everything runs in a private network namespace (ip_forward is per netns).
 */
const skip = hostUnavailable();
const netDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-netsfw-'));

afterAll(() => fs.rmSync(netDir, { recursive: true, force: true }));

const readBoth = 'echo "$1 $(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/net/ipv6/conf/all/forwarding)"';

describe.skipIf(skip)('forwarding with two NAT networks', () => {
  it('stays on while either network is up and is turned off only by the last one down', async () => {
    const r = await inPrivateNet(
      [
        `fw() { ${readBoth}; }`,
        'sysctl -q -w net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0',
        '$LXCDECK net create fa --kind nat --subnet 10.61.0.0/24 --ipv6 fd61::/64 >/dev/null',
        'fw a-up',
        '$LXCDECK net create fb --kind nat --subnet 10.62.0.0/24 --ipv6 fd62::/64 >/dev/null',
        'fw both-up',
        '$LXCDECK net down fa >/dev/null',
        'fw a-down',
        '$LXCDECK net up fa >/dev/null',
        '$LXCDECK net down fb >/dev/null',
        'fw b-down',
        '$LXCDECK net down fa >/dev/null',
        'fw all-down',
        'ls /run/lxcdeck | tr "\\n" " "; echo',
        // a host that forwarded before lxcdeck keeps forwarding
        'sysctl -q -w net.ipv4.ip_forward=1',
        '$LXCDECK net up fa >/dev/null',
        '$LXCDECK net up fb >/dev/null',
        '$LXCDECK net down fb >/dev/null',
        '$LXCDECK net down fa >/dev/null',
        'fw host-had-v4',
        '$LXCDECK net rm fa >/dev/null; $LXCDECK net rm fb >/dev/null',
      ].join('\n'),
      { LXCDECK_NET_DIR: netDir },
      120_000,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['a-up 1 1', 'both-up 1 1', 'a-down 1 1', 'b-down 1 1', 'all-down 0 0', '', 'host-had-v4 1 0']);
  }, 150_000);
});
