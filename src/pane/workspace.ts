import type { LayoutJson, Workspace, WorkspacePane } from '../core/workspace.js';
import { MAIN, type LayoutTree } from './layout.js';
import type { PaneSpec } from './session.js';

/**
 * The pure half of workspaces: the layout tree to and from a mark's JSON
 * (panes by index in leaf order), and the restore plan: which open panes a
 * mark reuses, which it attaches, which it closes. No blessed, no ptys.
 */

/** An open pane as the plan sees it. */
export interface OpenPane {
  id: string;
  spec: PaneSpec;
  /** Its program still runs (closing it asks first). */
  running: boolean;
}

export interface RestorePlan {
  /** The mark's pane index -> the open pane that already shows it (not re-attached). */
  reuse: Map<number, string>;
  /** The mark's pane indexes that need a new pane. */
  attach: number[];
  /** Open panes the mark does not have. */
  close: string[];
  /** Of `close`, those whose program still runs: closed only after a confirmation. */
  running: string[];
}

export function treeToJson(tree: LayoutTree, indexOf: (id: string) => number): LayoutJson {
  if (tree.kind === 'leaf') return tree.id === MAIN ? 'main' : indexOf(tree.id);
  return { dir: tree.dir, ratio: tree.ratio, a: treeToJson(tree.a, indexOf), b: treeToJson(tree.b, indexOf) };
}

export function treeFromJson(json: LayoutJson, idOf: (index: number) => string): LayoutTree {
  if (json === 'main') return { kind: 'leaf', id: MAIN };
  if (typeof json === 'number') return { kind: 'leaf', id: idOf(json) };
  return { kind: 'split', dir: json.dir, ratio: json.ratio, a: treeFromJson(json.a, idOf), b: treeFromJson(json.b, idOf) };
}

/** What a mark keeps of a pane's spec. */
export function paneOf(spec: PaneSpec): WorkspacePane {
  return {
    kind: spec.kind,
    container: spec.container,
    ...(spec.tty !== undefined ? { tty: spec.tty } : {}),
    ...(spec.command?.length ? { command: [...spec.command] } : {}),
    ...(spec.file !== undefined ? { file: spec.file } : {}),
  };
}

export function specOf(p: WorkspacePane): PaneSpec {
  return paneOf(p);
}

/** The layout half of a workspace, from the tree and the open panes (indexes follow the leaf order). */
export function captureLayout(tree: LayoutTree, focused: string, zoomed: string | null, specs: ReadonlyMap<string, PaneSpec>): Pick<Workspace, 'layout' | 'panes' | 'focus' | 'zoomed'> {
  const order: string[] = [];
  const walk = (n: LayoutTree): void => {
    if (n.kind === 'leaf') {
      if (n.id !== MAIN && specs.has(n.id)) order.push(n.id);
    } else {
      walk(n.a);
      walk(n.b);
    }
  };
  walk(tree);
  const index = new Map(order.map((id, i) => [id, i]));
  return {
    layout: treeToJson(tree, (id) => index.get(id) ?? -1),
    panes: order.map((id) => paneOf(specs.get(id) as PaneSpec)),
    focus: focused === MAIN ? 'main' : (index.get(focused) ?? 'main'),
    zoomed: zoomed !== null && index.has(zoomed),
  };
}

/** Whether an open pane shows what a mark's pane wants: same kind and container, same tty / file / command. */
export function samePane(spec: PaneSpec, want: WorkspacePane): boolean {
  if (spec.kind !== want.kind || spec.container !== want.container) return false;
  if (want.kind === 'console') return (spec.tty ?? 0) === (want.tty ?? 0);
  if (want.kind === 'log') return spec.file === want.file;
  return JSON.stringify(spec.command ?? []) === JSON.stringify(want.command ?? []);
}

/** Reuse what is open, attach what is missing, close the rest (running ones after asking). */
export function planRestore(open: readonly OpenPane[], wanted: readonly WorkspacePane[]): RestorePlan {
  const free = [...open];
  const reuse = new Map<number, string>();
  const attach: number[] = [];
  for (const [i, want] of wanted.entries()) {
    const at = free.findIndex((p) => samePane(p.spec, want));
    if (at < 0) attach.push(i);
    else {
      reuse.set(i, (free[at] as OpenPane).id);
      free.splice(at, 1);
    }
  }
  return { reuse, attach, close: free.map((p) => p.id), running: free.filter((p) => p.running).map((p) => p.id) };
}
