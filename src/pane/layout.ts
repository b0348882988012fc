/**
 * The workspace as a tree (tmux's model): leaves are the list/detail view
 * (`MAIN`) and pty panes; inner nodes split their area in two, side by side
 * ('row') or one above the other ('column'). Pure data and geometry: the UI
 * asks it where each leaf goes and changes it through these methods.
 */

export const MAIN = 'main';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Direction = 'left' | 'right' | 'up' | 'down';

type Leaf = { kind: 'leaf'; id: string };
type Split = { kind: 'split'; dir: 'row' | 'column'; ratio: number; a: Node; b: Node };
type Node = Leaf | Split;
/** The tree as plain data (a workspace mark stores it). */
export type LayoutTree = Node;

/** A split's boundary, for dragging it with the mouse. */
export interface Divider {
  split: object;
  dir: 'row' | 'column';
  /** The split's whole area. */
  area: Rect;
}

const MIN_CELLS = 4;

export class PaneLayout {
  private root: Node = { kind: 'leaf', id: MAIN };
  focused = MAIN;
  /** The leaf shown alone over the whole area, if any. */
  zoomed: string | null = null;

  leaves(): string[] {
    const out: string[] = [];
    const walk = (n: Node): void => {
      if (n.kind === 'leaf') out.push(n.id);
      else {
        walk(n.a);
        walk(n.b);
      }
    };
    walk(this.root);
    return out;
  }

  /** A copy of the tree. */
  tree(): LayoutTree {
    return structuredClone(this.root);
  }

  /** Replaces the whole tree (restoring a workspace); it must hold MAIN. */
  setTree(tree: LayoutTree, focused: string, zoomed: string | null): void {
    this.root = structuredClone(tree);
    const leaves = this.leaves();
    if (!leaves.includes(MAIN)) throw new Error('a layout needs the main view');
    this.focused = leaves.includes(focused) ? focused : MAIN;
    this.zoomed = zoomed && leaves.includes(zoomed) && leaves.length > 1 ? zoomed : null;
  }

  has(id: string): boolean {
    return this.leaves().includes(id);
  }

  /** Puts `id` beside `target` (right of it or below it) and focuses it. */
  split(target: string, id: string, where: 'right' | 'down'): void {
    if (this.has(id)) throw new Error(`pane ${id} exists already`);
    const replaced = this.replace(this.root, target, (leaf) => ({
      kind: 'split',
      dir: where === 'right' ? 'row' : 'column',
      ratio: 0.5,
      a: leaf,
      b: { kind: 'leaf', id },
    }));
    if (!replaced) throw new Error(`no pane ${target}`);
    this.root = replaced;
    this.zoomed = null;
    this.focused = id;
  }

  /** Removes a pane; its sibling takes the space. The main view cannot be closed. */
  close(id: string): void {
    if (id === MAIN || !this.has(id)) return;
    const order = this.leaves();
    const remove = (n: Node): Node | null => {
      if (n.kind === 'leaf') return n.id === id ? null : n;
      const a = remove(n.a);
      const b = remove(n.b);
      if (!a) return b;
      if (!b) return a;
      return { ...n, a, b };
    };
    this.root = remove(this.root) ?? { kind: 'leaf', id: MAIN };
    if (this.zoomed === id) this.zoomed = null;
    if (this.focused === id) {
      // like tmux: focus goes to the previous pane in order
      const left = this.leaves();
      const i = order.indexOf(id);
      this.focused = left[Math.max(0, Math.min(left.length - 1, i - 1))] ?? MAIN;
    }
  }

  focusNext(step: 1 | -1 = 1): void {
    const order = this.leaves();
    const i = order.indexOf(this.focused);
    this.focused = order[(i + step + order.length) % order.length] ?? MAIN;
    if (this.zoomed) this.zoomed = this.focused;
  }

  /** Focuses the leaf next to the focused one in a direction (by their rects). */
  focusDirection(dir: Direction, area: Rect): void {
    const rects = this.rects(area);
    const from = rects.get(this.focused);
    if (!from) return;
    const cx = from.x + from.w / 2;
    const cy = from.y + from.h / 2;
    let best: { id: string; d: number } | null = null;
    for (const [id, r] of rects) {
      if (id === this.focused) continue;
      const ahead =
        dir === 'left' ? r.x + r.w <= from.x : dir === 'right' ? r.x >= from.x + from.w : dir === 'up' ? r.y + r.h <= from.y : r.y >= from.y + from.h;
      if (!ahead) continue;
      const d = Math.abs(r.x + r.w / 2 - cx) + Math.abs(r.y + r.h / 2 - cy);
      if (!best || d < best.d) best = { id, d };
    }
    if (best) this.focused = best.id;
  }

  toggleZoom(): void {
    this.zoomed = this.zoomed ? null : this.leaves().length > 1 ? this.focused : null;
  }

  /**
   * Moves the edge of the focused leaf by `cells` in a direction: the nearest
   * enclosing split of the right orientation gets the new ratio.
   */
  resize(dir: Direction, cells: number, area: Rect): void {
    const want = dir === 'left' || dir === 'right' ? 'row' : 'column';
    const path = this.pathTo(this.focused, area);
    for (let i = path.length - 1; i >= 0; i--) {
      const { node, area: r } = path[i] as { node: Split; area: Rect };
      if (node.dir !== want) continue;
      const size = want === 'row' ? r.w : r.h;
      const delta = (dir === 'right' || dir === 'down' ? cells : -cells) / size;
      node.ratio = clampRatio(node.ratio + delta, size);
      return;
    }
  }

  /** Where each visible leaf goes (only the zoomed one when zoomed). */
  rects(area: Rect): Map<string, Rect> {
    const out = new Map<string, Rect>();
    if (this.zoomed && this.has(this.zoomed)) {
      out.set(this.zoomed, area);
      return out;
    }
    const walk = (n: Node, r: Rect) => {
      if (n.kind === 'leaf') return void out.set(n.id, r);
      const [ra, rb] = splitRect(n, r);
      walk(n.a, ra);
      walk(n.b, rb);
    };
    walk(this.root, area);
    return out;
  }

  /** The split whose boundary lies under (x, y): the cells where two leaves meet. */
  dividerAt(x: number, y: number, area: Rect): Divider | null {
    if (this.zoomed) return null;
    let found: Divider | null = null;
    const walk = (n: Node, r: Rect) => {
      if (n.kind === 'leaf' || found) return;
      const [ra, rb] = splitRect(n, r);
      const onEdge =
        n.dir === 'row'
          ? y >= r.y && y < r.y + r.h && (x === ra.x + ra.w - 1 || x === rb.x)
          : x >= r.x && x < r.x + r.w && (y === ra.y + ra.h - 1 || y === rb.y);
      if (onEdge) found = { split: n, dir: n.dir, area: r };
      else {
        walk(n.a, ra);
        walk(n.b, rb);
      }
    };
    walk(this.root, area);
    return found;
  }

  /** Drags a divider so that its boundary sits at (x, y). */
  dragDivider(d: Divider, x: number, y: number): void {
    const n = d.split as Split;
    const size = d.dir === 'row' ? d.area.w : d.area.h;
    const at = d.dir === 'row' ? x - d.area.x : y - d.area.y;
    n.ratio = clampRatio(at / size, size);
  }

  private pathTo(id: string, area: Rect): { node: Split; area: Rect }[] {
    const out: { node: Split; area: Rect }[] = [];
    const walk = (n: Node, r: Rect): boolean => {
      if (n.kind === 'leaf') return n.id === id;
      const [ra, rb] = splitRect(n, r);
      out.push({ node: n, area: r });
      if (walk(n.a, ra) || walk(n.b, rb)) return true;
      out.pop();
      return false;
    };
    walk(this.root, area);
    return out;
  }

  private replace(n: Node, id: string, f: (leaf: Leaf) => Node): Node | null {
    if (n.kind === 'leaf') return n.id === id ? f(n) : null;
    const a = this.replace(n.a, id, f);
    if (a) return { ...n, a };
    const b = this.replace(n.b, id, f);
    return b ? { ...n, b } : null;
  }
}

function clampRatio(ratio: number, size: number): number {
  const min = Math.min(0.5, MIN_CELLS / Math.max(1, size));
  return Math.max(min, Math.min(1 - min, ratio));
}

function splitRect(n: Split, r: Rect): [Rect, Rect] {
  if (n.dir === 'row') {
    const wa = Math.round(r.w * n.ratio);
    return [
      { x: r.x, y: r.y, w: wa, h: r.h },
      { x: r.x + wa, y: r.y, w: r.w - wa, h: r.h },
    ];
  }
  const ha = Math.round(r.h * n.ratio);
  return [
    { x: r.x, y: r.y, w: r.w, h: ha },
    { x: r.x, y: r.y + ha, w: r.w, h: r.h - ha },
  ];
}
