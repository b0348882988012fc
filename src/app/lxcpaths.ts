import type { ContainerPlanner, TerminalLauncher } from '../core/backend.js';
import type { ContainerExtrasSource } from '../core/details.js';
import type { IdmapEditorBackend } from '../idmap/editor.js';
import type { ContainerSummary } from '../core/container.js';
import { LxcdeckError } from '../core/errors.js';
import { containerId } from '../core/workload.js';
import type { AppBackend } from './context.js';

/** What one lxcpath brings to the workstation: its engine, terminals and planner. */
export interface LxcpathMember {
  backend: AppBackend;
  terminals: TerminalLauncher;
  planner?: ContainerPlanner;
  extras?: ContainerExtrasSource;
  idmapEditor?: IdmapEditorBackend;
}

/**
 * Several lxcpaths as one: every per-container call takes a container
 * reference (core/workload.ts: 'web' in the first lxcpath, '/srv/lxc/web' in
 * another) and goes to that lxcpath's engine with the plain name.
 */
export class LxcpathSet {
  readonly lxcpaths: readonly string[];
  private readonly byPath: ReadonlyMap<string, LxcpathMember>;

  constructor(private readonly members: readonly LxcpathMember[]) {
    if (!members.length) throw new LxcdeckError('internal', 'no lxcpath to list', 'pass -P PATH');
    this.lxcpaths = members.map((m) => m.backend.lxcpath);
    this.byPath = new Map(members.map((m) => [m.backend.lxcpath, m]));
  }

  get primary(): LxcpathMember {
    return this.members[0] as LxcpathMember;
  }

  /** The lxcpath's member and the plain name behind a reference; a path not listed is a one-line error. */
  locate(ref: string): { member: LxcpathMember; name: string; lxcpath: string } {
    const id = containerId(ref);
    const lxcpath = id.lxcpath ?? this.primary.backend.lxcpath;
    const member = this.byPath.get(lxcpath);
    if (!member) throw new LxcdeckError('not-defined', `container ${id.name} is in ${lxcpath}, which is not listed`, `start lxcdeck with -P ${lxcpath} (or add it to the lxcpaths setting)`);
    return { member, name: id.name, lxcpath };
  }

  /** One engine over every lxcpath; rows carry their lxcpath. */
  backend(): AppBackend {
    const at = (ref: string) => {
      const { member, name } = this.locate(ref);
      return { b: member.backend, name };
    };
    return {
      lxcpath: this.primary.backend.lxcpath,
      list: (options) =>
        this.members.flatMap((m): ContainerSummary[] => m.backend.list(options).map((r) => ({ ...r, lxcpath: m.backend.lxcpath }))),
      info: (ref) => {
        const { b, name } = at(ref);
        return b.info(name);
      },
      start: (ref, o) => {
        const { b, name } = at(ref);
        return b.start(name, o);
      },
      stop: (ref, o) => {
        const { b, name } = at(ref);
        return b.stop(name, o);
      },
      kill: (ref) => {
        const { b, name } = at(ref);
        return b.kill(name);
      },
      freeze: (ref, o) => {
        const { b, name } = at(ref);
        return b.freeze(name, o);
      },
      thaw: (ref, o) => {
        const { b, name } = at(ref);
        return b.thaw(name, o);
      },
      runtimeOf: (ref) => {
        const { b, name } = at(ref);
        return b.runtimeOf(name);
      },
      hostInterfaces: (ref) => {
        const { b, name } = at(ref);
        return b.hostInterfaces(name);
      },
      consoleLog: (ref) => {
        const { b, name } = at(ref);
        return b.consoleLog(name);
      },
      consoleBufferPlan: (ref, size) => {
        const { b, name } = at(ref);
        return b.consoleBufferPlan(name, size);
      },
    };
  }

  /** attach and console to the reference's lxcpath. */
  terminals(): TerminalLauncher {
    return {
      attach: (ref, o) => {
        const { member, name } = this.locate(ref);
        return member.terminals.attach(name, o);
      },
      console: (ref, o) => {
        const { member, name } = this.locate(ref);
        return member.terminals.console(name, o);
      },
      exitReason: (code, launched) => this.primary.terminals.exitReason(code, launched),
    };
  }

  /**
   * An optional part (planner, extras, map editor) of the reference's own
   * lxcpath and the plain name; every member is built alike, so a missing
   * part there is an internal error.
   */
  private partOf<K extends 'planner' | 'extras' | 'idmapEditor'>(ref: string, key: K): { part: NonNullable<LxcpathMember[K]>; name: string } {
    const { member, name, lxcpath } = this.locate(ref);
    const part = member[key];
    if (!part) throw new LxcdeckError('internal', `no ${key} for ${lxcpath}`, 'restart lxcdeck');
    return { part: part as NonNullable<LxcpathMember[K]>, name };
  }

  /** The detail view's extras (config, snapshots, networks) from the reference's own lxcpath. */
  extras(): ContainerExtrasSource | undefined {
    if (!this.members.some((m) => m.extras)) return undefined;
    return {
      read: (ref) => {
        const { part, name } = this.partOf(ref, 'extras');
        return part.read(name);
      },
    };
  }

  /** The map editor on the reference's own lxcpath (its maps, its subuid picture). */
  idmapEditor(): IdmapEditorBackend | undefined {
    if (!this.members.some((m) => m.idmapEditor)) return undefined;
    return {
      load: (ref) => {
        const { part, name } = this.partOf(ref, 'idmapEditor');
        return part.load(name);
      },
      plan: (ref, values) => {
        const { part, name } = this.partOf(ref, 'idmapEditor');
        return part.plan(name, values);
      },
    };
  }

  /** New containers go to the first lxcpath; limits and clones to the reference's own. */
  planner(): ContainerPlanner | undefined {
    const first = this.primary.planner;
    if (!first) return undefined;
    return {
      createPlan: (req) => first.createPlan(req),
      limitPlan: (ref, req) => {
        const { part, name } = this.partOf(ref, 'planner');
        return part.limitPlan(name, req);
      },
      // a clone lives beside its original, in the original's lxcpath
      clonePlan: (ref, to, options) => {
        const { part, name } = this.partOf(ref, 'planner');
        return part.clonePlan(name, to, options);
      },
    };
  }
}
