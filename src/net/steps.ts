import { LxcdeckError } from '../core/errors.js';
import type { PlanStep, StepShows } from '../core/plan.js';

/**
 * The host operations a network step may use. src/net stays pure: it only
 * describes commands and files; src/host/netHost runs them.
 */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NetHost {
  /** Runs argv (no shell); `input` goes to its stdin. Commands run one after another, in the order asked. */
  run(argv: readonly string[], input?: string): Promise<RunResult>;
  /** Runs a command that changes nothing in a process of its own, beside run()'s queue (see PlanStep.prefetch). */
  runAside(argv: readonly string[], input?: string): Promise<RunResult>;
  read(path: string): Promise<string | null>;
  /** Whether a directory exists. */
  isDir(path: string): Promise<boolean>;
  /** Plain write of an existing kernel file (/proc/sys): no temp file, no rename. */
  put(path: string, text: string): Promise<void>;
  /** Atomic write (temp + rename). */
  write(path: string, text: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Creates a directory (mode 0755, parents too). */
  mkdir(path: string): Promise<void>;
  /** The names in a directory ([] when it does not exist). */
  list(path: string): Promise<string[]>;
  /** Removes an empty directory. */
  rmdir(path: string): Promise<void>;
  /** Sends a signal; false when the process is gone. */
  kill(pid: number, signal: 'SIGTERM' | 'SIGHUP' | 'SIGKILL'): boolean;
  sleep(ms: number): Promise<void>;
}

/** A plan step plus `gone()`: true when nothing of it is left (the down plan's check). */
export interface NetStep extends PlanStep {
  gone(): Promise<boolean>;
  /** What undo runs, for the down plan's preview (default: the same shows). */
  undoShows?: readonly StepShows[];
}

/** Runs argv and throws a one-line error with its stderr when it fails. */
export async function must(host: NetHost, argv: readonly string[], input?: string): Promise<string> {
  const r = await host.run(argv, input);
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').filter(Boolean).slice(0, 2).join(' / ') || `exit status ${r.code}`;
    throw new LxcdeckError('internal', `${argv.join(' ')} failed: ${why}`, 'see the message above; nothing else of this step was changed');
  }
  return r.stdout;
}

export const linkExists = async (host: NetHost, dev: string) => (await host.read(`/sys/class/net/${dev}/ifindex`)) !== null;

export async function linkUp(host: NetHost, dev: string): Promise<boolean> {
  const flags = await host.read(`/sys/class/net/${dev}/flags`);
  return flags !== null && (parseInt(flags.trim(), 16) & 1) === 1;
}

/** Whether dev has the address ("10.20.0.1/24"). */
export async function hasAddress(host: NetHost, dev: string, cidr: string): Promise<boolean> {
  if (!(await linkExists(host, dev))) return false;
  const r = await host.run(['ip', '-j', 'addr', 'show', 'dev', dev]);
  if (r.code !== 0) return false;
  const [local, prefix] = cidr.split('/');
  const links = JSON.parse(r.stdout || '[]') as { addr_info?: { local?: string; prefixlen?: number }[] }[];
  return links.some((l) => (l.addr_info ?? []).some((a) => a.local === local && String(a.prefixlen) === prefix));
}

interface CommandSpec {
  description: string;
  argv: string[];
  undo: string[];
  check: () => Promise<boolean>;
  gone?: () => Promise<boolean>;
  /** Extra lines shown under the command. */
  shows?: StepShows[];
}

/** A step that is one command, undone by another (run only when there is something to undo). */
export function commandStep(host: NetHost, spec: CommandSpec): NetStep {
  const gone = spec.gone ?? (async () => !(await spec.check()));
  return {
    description: spec.description,
    shows: [{ kind: 'command', argv: spec.argv }, ...(spec.shows ?? [])],
    undoShows: [{ kind: 'command', argv: spec.undo }],
    check: spec.check,
    gone,
    apply: async () => void (await must(host, spec.argv)),
    undo: async () => {
      if (!(await gone())) await must(host, spec.undo);
    },
  };
}

export function bridgeStep(host: NetHost, bridge: string): NetStep {
  return commandStep(host, {
    description: `create bridge ${bridge}`,
    argv: ['ip', 'link', 'add', 'name', bridge, 'type', 'bridge'],
    undo: ['ip', 'link', 'del', 'dev', bridge],
    check: async () => (await host.read(`/sys/class/net/${bridge}/bridge/bridge_id`)) !== null,
    gone: async () => !(await linkExists(host, bridge)),
  });
}

export function addressStep(host: NetHost, dev: string, cidr: string, flags: readonly string[] = []): NetStep {
  return commandStep(host, {
    description: `add address ${cidr} to ${dev}`,
    argv: ['ip', 'addr', 'add', cidr, 'dev', dev, ...flags],
    undo: ['ip', 'addr', 'del', cidr, 'dev', dev],
    check: () => hasAddress(host, dev, cidr),
  });
}

/** Removes an address (moving it elsewhere): the inverse of addressStep. */
export function addressRemoveStep(host: NetHost, dev: string, cidr: string): NetStep {
  return commandStep(host, {
    description: `remove address ${cidr} from ${dev}`,
    argv: ['ip', 'addr', 'del', cidr, 'dev', dev],
    undo: ['ip', 'addr', 'add', cidr, 'dev', dev],
    check: async () => !(await hasAddress(host, dev, cidr)),
    gone: () => hasAddress(host, dev, cidr),
  });
}

export function linkUpStep(host: NetHost, dev: string): NetStep {
  return commandStep(host, {
    description: `bring ${dev} up`,
    argv: ['ip', 'link', 'set', 'dev', dev, 'up'],
    undo: ['ip', 'link', 'set', 'dev', dev, 'down'],
    check: () => linkUp(host, dev),
  });
}

export function masterStep(host: NetHost, port: string, bridge: string): NetStep {
  return commandStep(host, {
    description: `attach ${port} to bridge ${bridge} (${port} goes promiscuous; its addresses move to ${bridge})`,
    argv: ['ip', 'link', 'set', 'dev', port, 'master', bridge],
    undo: ['ip', 'link', 'set', 'dev', port, 'nomaster'],
    check: async () => (await host.read(`/sys/class/net/${bridge}/brif/${port}/port_no`)) !== null,
  });
}

/** The directory of a network's dnsmasq files; undo removes only the files lxcdeck puts there. */
export function dirStep(host: NetHost, dir: string, files: readonly string[]): NetStep {
  const exists = () => host.isDir(dir);
  return {
    description: `create directory ${dir}`,
    shows: [{ kind: 'command', argv: ['mkdir', '-p', '-m', '0755', dir] }],
    undoShows: [{ kind: 'command', argv: ['rm', '-f', ...files.map((f) => `${dir}/${f}`)] }, { kind: 'command', argv: ['rmdir', dir] }],
    check: exists,
    gone: async () => !(await exists()),
    apply: () => host.mkdir(dir),
    undo: async () => {
      if (!(await exists())) return;
      for (const f of files) await host.remove(`${dir}/${f}`);
      await host.rmdir(dir);
    },
  };
}

/** A file lxcdeck owns as a whole (dnsmasq's hosts file): written atomically, removed on undo. */
export function fileStep(host: NetHost, description: string, path: string, text: string): NetStep {
  let previous: string | null = null;
  return {
    description,
    shows: [{ kind: 'file', path, before: null, after: text }],
    undoShows: [{ kind: 'command', argv: ['rm', '-f', path] }],
    check: async () => (await host.read(path)) === text,
    gone: async () => (await host.read(path)) === null,
    apply: async () => {
      previous = await host.read(path);
      await host.write(path, text);
    },
    // a rewrite (a join while the network is up) puts the old text back; a new file goes
    undo: async () => (previous === null ? host.remove(path) : host.write(path, previous)),
  };
}

export interface ForwardSysctl {
  /** The /proc/sys file ("/proc/sys/net/ipv4/ip_forward"). */
  file: string;
  /** The holder file's name in each network's run dir ("ip_forward"). */
  holder: string;
  label: string;
}

export const IPV4_FORWARD: ForwardSysctl = { file: '/proc/sys/net/ipv4/ip_forward', holder: 'ip_forward', label: 'net.ipv4.ip_forward' };
export const IPV6_FORWARD: ForwardSysctl = { file: '/proc/sys/net/ipv6/conf/all/forwarding', holder: 'ip6_forward', label: 'net.ipv6.conf.all.forwarding' };

/**
 * Forwarding on, counted: every NAT network that is up holds a file
 * <runRoot>/<net>/<holder> whose text is the value forwarding had before the
 * first lxcdeck network turned it on (copied from another holder when there
 * is one). Going down drops the hold; only the last holder puts that value
 * back, so one network going down never cuts another's forwarding, and a
 * host that had forwarding on keeps it.
 */
export function forwardStep(host: NetHost, runRoot: string, net: string, sysctl: ForwardSysctl): NetStep {
  const mine = `${runRoot}/${net}/${sysctl.holder}`;
  const on = async () => (await host.read(sysctl.file))?.trim() === '1';
  const others = async () => {
    const out: string[] = [];
    for (const n of await host.list(runRoot)) {
      if (n === net) continue;
      const text = await host.read(`${runRoot}/${n}/${sysctl.holder}`);
      if (text !== null) out.push(text.trim());
    }
    return out;
  };
  return {
    description: `enable ${sysctl.label} (held by this network; restored when the last lxcdeck network holding it goes down)`,
    shows: [{ kind: 'file', path: sysctl.file, before: '0\n', after: '1\n' }],
    undoShows: [{ kind: 'note', text: `drop ${mine}; when no other network holds ${sysctl.label}, write back the value it had before lxcdeck` }],
    check: async () => (await on()) && (await host.read(mine)) !== null,
    gone: async () => (await host.read(mine)) === null,
    apply: async () => {
      const held = await others();
      // the value before lxcdeck: what the first holder saw
      const original = held[0] ?? ((await on()) ? '1' : '0');
      await host.write(mine, `${original}\n`);
      try {
        if (!(await on())) await host.put(sysctl.file, '1\n');
      } catch (e) {
        await host.remove(mine);
        throw e;
      }
    },
    undo: async () => {
      const original = (await host.read(mine))?.trim();
      if (original === undefined) return;
      await host.remove(mine);
      if (original === '0' && (await others()).length === 0) await host.put(sysctl.file, '0\n');
    },
  };
}

/** The reverse of a set of up steps: newest first, each applying the undo; used by `net down` and `net rm`. */
export function downSteps(steps: readonly NetStep[]): NetStep[] {
  return [...steps].reverse().map((s) => ({
    description: `undo: ${s.description}`,
    shows: s.undoShows ?? s.shows,
    check: () => s.gone(),
    gone: () => s.check(),
    apply: () => s.undo(),
    undo: async () => {
      await s.apply(() => undefined);
    },
  }));
}
