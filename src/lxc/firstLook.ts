import { containerCgroupDirs, type CgroupHost, type Hierarchy } from '../host/cgroups.js';
import type { KeptFileReader } from '../host/filereader.js';
import { freezerFiles, type FreezerFiles } from '../host/freezer.js';
import { counterFiles, type CounterFiles } from '../metrics/readers.js';
import { primeFiles } from './batchRead.js';
import type { NativeLib } from './native.js';

export interface FirstLook {
  cgroup: string;
  dirs: Map<Hierarchy, string>;
  freezer: FreezerFiles | null;
  counters: CounterFiles;
}

/**
 * Before a listing's first look at running containers (a cold `ls`, the
 * workstation's first frame): every file those looks read, in two native
 * batches, the process files and then the cgroup files that the first
 * batch's /proc/<pid>/cgroup names. The reader is primed with them; a
 * keeping reader is not given the cgroup: the lister opens the process's
 * alive file and then reads the cgroup itself, so that both are of one
 * process (a one-shot reader keeps nothing, and the lister reads no alive
 * file: its cgroup read shows the process).
 * Returns each pid's /proc/<pid>/cgroup as read and the files it names.
 */
export function primeFirstLooks(
  lib: NativeLib,
  reader: KeptFileReader,
  cgroups: CgroupHost,
  looks: readonly { name: string; pid: number }[],
  options: { totals: boolean },
): Map<number, FirstLook> {
  const found = new Map<number, FirstLook>();
  if (looks.length === 0) return found;
  const cgroupOf = (pid: number) => `/proc/${pid}/cgroup`;
  const perProcess = looks.flatMap(({ pid }) => [cgroupOf(pid), `/proc/${pid}/net/fib_trie`, `/proc/${pid}/net/if_inet6`]);
  // a keeping lister reads the cgroup again itself, after opening the alive file
  const kept = new Set(reader.keeps ? looks.map(({ pid }) => cgroupOf(pid)) : []);
  const texts = primeFiles(lib, reader, perProcess, (p) => !kept.has(p));
  const cgroupFiles: string[] = [];
  for (const { name, pid } of looks) {
    const cg = texts.get(cgroupOf(pid));
    if (!cg) continue;
    const dirs = containerCgroupDirs(cgroups, cg, name);
    const freezer = freezerFiles(dirs);
    const counters = counterFiles(cgroups.layout, dirs);
    found.set(pid, { cgroup: cg, dirs, freezer, counters });
    if (freezer) cgroupFiles.push(...(freezer.version === 1 ? [freezer.state] : [freezer.events, freezer.freeze]));
    if (options.totals) {
      if (counters.cpu) cgroupFiles.push(counters.cpu.path);
      if (counters.memory) cgroupFiles.push(counters.memory);
    }
  }
  primeFiles(lib, reader, cgroupFiles);
  return found;
}
