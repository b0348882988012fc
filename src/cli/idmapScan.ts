import { spawn } from 'node:child_process';
import * as readline from 'node:readline';
import type { IdMapEntry } from '../core/idmap.js';
import type { IdMapSubject } from '../core/idmapCheck.js';
import { ScanCounter, SCAN_FORMAT, scanNamespace, type ScanSummary } from '../idmap/scan.js';
import type { ShiftTranslation } from '../idmap/shift.js';

/**
 * Lists a rootfs for the shift preview with find(1), as root directly and
 * otherwise inside a user namespace (lxc-usernsexec) that maps the old map's
 * ids, so directories owned by container users can be read. Streams the
 * listing into the counter: nothing of the tree is held in memory.
 */
export async function scanRootfs(rootfs: string, oldMap: readonly IdMapEntry[], t: ShiftTranslation, subject: IdMapSubject): Promise<{ summary: ScanSummary; problem: string | null }> {
  const find = ['find', rootfs, '-xdev', '-printf', SCAN_FORMAT];
  let argv = find;
  let counter = new ScanCounter(t);
  if (subject.uid !== 0) {
    const ns = scanNamespace(oldMap, subject);
    argv = ['lxc-usernsexec', ...ns.map.flatMap((e) => ['-m', `${e.kind}:${e.nsid}:${e.hostid}:${e.range}`]), '--', ...find];
    counter = new ScanCounter(t, ns.hostOf);
  }
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
  const exit = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
  for await (const line of lines) counter.add(line);
  const code = await exit;
  const first = stderr.split('\n').find((l) => l.trim()) ?? '';
  const problem = code === 0 ? null : `listing ${rootfs} ${code === 127 ? `could not run ${argv[0]}` : `failed (exit ${code})`}${first ? `: ${first.trim()}` : ''}`;
  return { summary: counter.result(), problem };
}
