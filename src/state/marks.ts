import { isMarkLetter, markLetterError, parseWorkspace, workspacePreview, type MarkTag, type Workspace } from '../core/workspace.js';

/** Writes the marks into the settings (atomically); a one-line error or null. */
export type SaveMarks = (raw: Record<string, unknown>) => string | null;

export interface MarkRow {
  letter: string;
  /** null for a corrupt entry (kept as stored, shown with its problem). */
  workspace: Workspace | null;
  preview: string;
}

/**
 * The workspace marks: letter -> workspace, read from the settings' `marks`.
 * A corrupt entry is one warning and is kept as stored (rewriting the other
 * marks never loses it) until the user replaces or deletes it. Also tracks
 * the active mark (the header shows it) and the workspace before the last
 * jump (`''` goes back to it).
 */
export class MarkStore {
  private readonly marks = new Map<string, Workspace>();
  private readonly corrupt = new Map<string, { raw: unknown; problem: string }>();
  readonly warnings: string[] = [];
  /** The mark stored or restored last (the header shows it). */
  active: string | null = null;
  /** The workspace before the last jump, and the mark it was (for `''`). */
  previous: { workspace: Workspace; mark: string | null } | null = null;

  constructor(
    raw: unknown,
    private readonly save: SaveMarks,
  ) {
    this.load(raw);
  }

  load(raw: unknown): void {
    this.marks.clear();
    this.corrupt.clear();
    this.warnings.length = 0;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
    for (const [letter, value] of Object.entries(raw)) {
      const r = parseWorkspace(value);
      const problem = !isMarkLetter(letter) ? markLetterError(letter) : r.ok ? null : r.error;
      if (problem === null && r.ok) this.marks.set(letter, r.value);
      else {
        this.corrupt.set(letter, { raw: value, problem: problem ?? '' });
        this.warnings.push(`mark ${letter}: ${problem}; the mark is kept as stored and not used: store it again (m${isMarkLetter(letter) ? letter : ' LETTER'}) or delete it in the marks overlay`);
      }
    }
  }

  get(letter: string): Workspace | undefined {
    return this.marks.get(letter);
  }

  /** Every mark, valid and corrupt, by letter. */
  rows(): MarkRow[] {
    const rows: MarkRow[] = [...this.marks].map(([letter, ws]) => ({ letter, workspace: ws, preview: workspacePreview(ws) }));
    for (const [letter, c] of this.corrupt) rows.push({ letter, workspace: null, preview: `corrupt: ${c.problem}` });
    return rows.sort((a, b) => (a.letter < b.letter ? -1 : a.letter > b.letter ? 1 : 0));
  }

  /** Stores a workspace under a letter; a one-line error (and nothing changed) when the letter or saving is bad. */
  set(letter: string, ws: Workspace): string | null {
    if (!isMarkLetter(letter)) return markLetterError(letter);
    return this.change(() => {
      this.corrupt.delete(letter);
      this.marks.set(letter, { ...ws, savedAt: ws.savedAt ?? new Date().toISOString() });
    });
  }

  remove(letter: string): string | null {
    if (!this.marks.has(letter) && !this.corrupt.has(letter)) return `there is no mark ${letter}: 'lxcdeck workspace ls' lists them`;
    return this.change(() => {
      this.marks.delete(letter);
      this.corrupt.delete(letter);
      if (this.active === letter) this.active = null;
    });
  }

  rename(from: string, to: string): string | null {
    if (!isMarkLetter(to)) return markLetterError(to);
    const ws = this.marks.get(from);
    if (!ws) return `there is no usable mark ${from} to rename`;
    if (from === to) return null;
    if (this.marks.has(to) || this.corrupt.has(to)) return `mark ${to} exists already: delete it first, or pick another letter`;
    return this.change(() => {
      this.marks.delete(from);
      this.marks.set(to, ws);
      if (this.active === from) this.active = to;
    });
  }

  /** Sets or clears a mark's tag (the container filter restoring it applies). */
  retag(letter: string, tag: MarkTag | null): string | null {
    const ws = this.marks.get(letter);
    if (!ws) return `there is no usable mark ${letter} to tag`;
    const { tag: _old, ...rest } = ws;
    return this.change(() => void this.marks.set(letter, tag ? { ...rest, tag } : rest));
  }

  /** The marks as the settings store them: the valid ones plus every corrupt entry untouched. */
  toRaw(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [letter, c] of this.corrupt) out[letter] = c.raw;
    for (const [letter, ws] of this.marks) out[letter] = ws;
    return out;
  }

  /** Applies a change, saves, and undoes it when saving failed. */
  private change(apply: () => void): string | null {
    const marks = new Map(this.marks);
    const corrupt = new Map(this.corrupt);
    const active = this.active;
    apply();
    const err = this.save(this.toRaw());
    if (err) {
      this.marks.clear();
      for (const [k, v] of marks) this.marks.set(k, v);
      this.corrupt.clear();
      for (const [k, v] of corrupt) this.corrupt.set(k, v);
      this.active = active;
    }
    return err;
  }
}
