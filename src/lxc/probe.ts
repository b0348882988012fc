import { parseState, type ContainerState } from '../core/state.js';
import type { NativeLib } from './native.js';

/** What a first listing asks liblxc about one container (see native/probe.c). */
export interface ProbeAnswer {
  unprivileged: boolean;
  autostart: boolean;
  groups: string[];
  /** State and init pid, when asked (an active container); pid -1 when stopped. */
  asked?: { state: ContainerState; pid: number };
}

/**
 * liblxc's answers for many containers in one native call, on a few threads:
 * the same calls as one lxcdeck_open + readConfigFacts + state + init_pid per
 * container, with the monitors' round trips overlapping. A name liblxc could
 * not open maps to null; null as a whole when the native call failed.
 */
export function probeContainers(lib: NativeLib, lxcpath: string, names: readonly string[], ask: (name: string) => boolean): Map<string, ProbeAnswer | null> | null {
  if (names.some((n) => n.includes('\n'))) return null;
  const text = lib.lxcdeck_probe(lxcpath, names.join('\n'), names.map((n) => (ask(n) ? '1' : '0')).join(''));
  if (text === null) return null;
  const records = text.split('\x1e');
  const out = new Map<string, ProbeAnswer | null>();
  names.forEach((name, i) => {
    const f = (records[i] ?? '0').split('\x1f');
    if (f[0] !== '1' || f.length < 6) return out.set(name, null);
    const [, state, pid, idmap, autostart, groups] = f as [string, string, string, string, string, string];
    const answer: ProbeAnswer = {
      unprivileged: idmap === '1',
      autostart: autostart.trim() === '1',
      groups: groups.split('\n').map((g) => g.trim()).filter(Boolean),
    };
    if (ask(name)) {
      const s = parseState(state);
      answer.asked = { state: s, pid: s === 'STOPPED' ? -1 : Number(pid) };
    }
    out.set(name, answer);
  });
  return out;
}
