import { describe, expect, it } from 'vitest';
import { netInterfaces, type ContainerExtras } from '../../src/core/details.js';
import { idmapLine, networkLine, snapshotLines, snapshotTime } from '../../src/presentation/detailRows.js';
import { ExtrasCache } from '../../src/state/extrasCache.js';

const snap = (i: number, comment = '') => ({ name: `snap${i}`, time: `2026:12:0${i + 1} 08:3${i}:40`, comment });

describe('detail view: snapshot rows', () => {
  it('shows name, date and comment, newest first, cut to the room with …', () => {
    expect(snapshotLines([snap(0, 'before upgrade'), snap(1)], 40, 5)).toEqual(['snap1 2026-12-02 08:31', 'snap0 2026-12-01 08:30 before upgrade']);
    expect(snapshotLines([snap(0, 'a rather long comment about it')], 24, 5)).toEqual(['snap0 2026-12-01 08:30 …']);
    expect(snapshotLines([], 40, 5)).toEqual(['none']);
  });

  it('keeps a comment to its first line and strips control characters (a comment is text anyone with the config wrote)', () => {
    expect(snapshotLines([snap(0, 'one\x1b[31m red\nsecond line')], 60, 5)).toEqual(['snap0 2026-12-01 08:30 one[31m red']);
  });

  it('names how many older ones did not fit', () => {
    const many = [0, 1, 2, 3, 4, 5, 6].map((i) => snap(i));
    const lines = snapshotLines(many, 40, 3);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^snap6 /);
    expect(lines[2]).toBe('… 5 older');
  });

  it('reads liblxc timestamps, leaves anything else', () => {
    expect(snapshotTime('2026:12:01 08:32:40')).toBe('2026-12-01 08:32');
    expect(snapshotTime('')).toBe('-');
    expect(snapshotTime('yesterday')).toBe('yesterday');
  });
});

describe('detail view: networks and idmap rows', () => {
  it('finds the lxc.net.N interfaces of a config', () => {
    const config = ['lxc.net.0.type = veth', 'lxc.net.0.link = lxcbr0', 'lxc.net.1.type = macvlan', 'lxc.net.1.link = eth0', 'lxc.net.1.ipv4.address = 192.168.1.9/24', 'lxc.net.2.type = empty', 'lxc.uts.name = x'].join('\n');
    expect(netInterfaces(config)).toEqual([
      { index: 0, type: 'veth', link: 'lxcbr0', ipv4: null },
      { index: 1, type: 'macvlan', link: 'eth0', ipv4: '192.168.1.9' },
    ]);
  });

  it('writes one line per interface with the network and address when known', () => {
    expect(networkLine({ index: 0, type: 'veth', link: 'lxdk0', network: 'lan', address: '10.20.0.5' }, 60)).toBe('veth lxdk0 (net lan) 10.20.0.5');
    expect(networkLine({ index: 1, type: 'veth', link: 'br9', network: null, address: null }, 60)).toBe('veth br9');
    expect(networkLine({ index: 0, type: 'veth', link: 'lxdk0', network: 'lan', address: '10.20.0.5' }, 12)).toBe('veth lxdk0 …');
  });

  it('says whether the idmap validates: ✓, ✓ with warnings, or ✗ with the error', () => {
    expect(idmapLine({ map: [], error: null, warnings: 0 }, 40)).toEqual({ text: 'none (privileged)', ok: true });
    expect(idmapLine({ map: ['u 0 100000 65536', 'g 0 100000 65536'], error: null, warnings: 0 }, 60)).toEqual({ text: '✓ u 0 100000 65536; g 0 100000 65536', ok: true });
    expect(idmapLine({ map: ['u 0 100000 65536'], error: null, warnings: 1 }, 60).text).toBe('✓ u 0 100000 65536 (1 warning: lxcdeck idmap check)');
    const bad = idmapLine({ map: ['u 0 5 1'], error: 'host uid 5 is outside your ranges: add a range', warnings: 0 }, 80);
    expect(bad).toEqual({ text: '✗ u 0 5 1 — host uid 5 is outside your ranges: add a range', ok: false });
  });
});

describe('detail view extras cache', () => {
  const value = (n: number): ContainerExtras => ({ snapshots: Array.from({ length: n }, (_, i) => snap(i)), networks: [], idmap: { map: [], error: null, warnings: 0 } });

  it('reads in the background once per selection and state, again only when old, and says when something changed', async () => {
    let now = 0;
    const reads: string[] = [];
    let snaps = 1;
    let changed = 0;
    const cache = new ExtrasCache({ read: async (name) => (reads.push(name), value(snaps)) }, () => changed++, () => now, 5000);
    expect(cache.get('web', 'RUNNING')).toBeNull();
    // every tick asks; one read runs
    for (let i = 0; i < 10; i++) cache.get('web', 'RUNNING');
    await new Promise((r) => setTimeout(r, 0));
    expect(reads).toEqual(['web']);
    expect(changed).toBe(1);
    expect(cache.get('web', 'RUNNING')?.snapshots).toHaveLength(1);
    now = 4000;
    cache.get('web', 'RUNNING');
    expect(reads).toHaveLength(1);
    // a state change reads again; the same result is no change
    cache.get('web', 'STOPPED');
    await new Promise((r) => setTimeout(r, 0));
    expect(reads).toHaveLength(2);
    expect(changed).toBe(1);
    // old: read again, and a new snapshot is a change
    snaps = 2;
    now = 10_000;
    cache.get('web', 'STOPPED');
    await new Promise((r) => setTimeout(r, 0));
    expect(reads).toHaveLength(3);
    expect(changed).toBe(2);
    // another container: nothing stale shown for it meanwhile
    expect(cache.get('db', 'STOPPED')).toBeNull();
  });

  it('without a source there is nothing and no read', () => {
    expect(new ExtrasCache(undefined, () => undefined).get('web', 'RUNNING')).toBeNull();
  });
});
