import { errorText, type Plan } from '../core/plan.js';
import { formatIdMapEntry, readIdMapEntry, type IdMapEntry } from '../core/idmap.js';
import { checkIdMap, hasErrors, type IdMapFinding, type IdMapSubject, type OtherMap } from '../core/idmapCheck.js';
import type { ContainerState } from '../core/state.js';
import { isolatedMap, parsePassThrough, passThroughMap, standardMap } from './allocate.js';

/**
 * The TUI map editor's model, pure: the rows as typed, a preset that fills
 * them, an optional pass-through on top, and the validator's findings on the
 * resulting map on every keystroke. The host side (reading the maps, the
 * plan `idmap set` applies) is behind IdmapEditorBackend.
 */
export interface IdmapEditorData {
  name: string;
  state: ContainerState;
  subject: IdMapSubject;
  /** The container's map now (lines liblxc could not read are in `problems`). */
  current: IdMapEntry[];
  problems: string[];
  /** Every other container of the lxcpath and its map. */
  others: OtherMap[];
  fileEnds: { u: number[]; g: number[] };
}

export interface IdmapEditorBackend {
  load(name: string): Promise<IdmapEditorData>;
  /**
   * The plan `lxcdeck idmap set NAME --map ... --shift` would run (the same
   * builder): re-own the rootfs or mount it idmapped, then the config. Throws
   * a one-line LxcdeckError when the map cannot be applied.
   */
  plan(name: string, values: readonly string[]): Promise<Plan>;
}

export const EDITOR_PRESETS = ['current', 'standard', 'isolated'] as const;
export type EditorPreset = (typeof EDITOR_PRESETS)[number];

/** The rows a preset fills in, or the one-line reason it cannot (ranges full, no ranges). */
export function presetRows(d: IdmapEditorData, preset: EditorPreset): { rows: string[] } | { error: string } {
  try {
    const entries = preset === 'current' ? d.current : preset === 'standard' ? standardMap(d.subject, { fileEnds: d.fileEnds }) : isolatedMap(d.subject, d.others, { fileEnds: d.fileEnds });
    return { rows: entries.map(formatIdMapEntry) };
  } catch (e) {
    return { error: errorText(e) };
  }
}

/** A row's own error (its shape), null when it reads as an entry or is empty. */
export function rowError(text: string): string | null {
  if (!text.trim()) return null;
  const r = readIdMapEntry(text);
  return typeof r === 'string' ? `${r}: write it as "u|g NSID HOSTID RANGE", e.g. "u 0 100000 65536"` : null;
}

/** A pass-through field's own error, null when empty or valid. */
export function passThroughError(text: string): string | null {
  if (!text.trim()) return null;
  try {
    parsePassThrough(text);
    return null;
  } catch (e) {
    return errorText(e);
  }
}

export interface EditorEvaluation {
  /** The map the rows and the pass-through make (null while a row or the pass-through does not read). */
  entries: IdMapEntry[] | null;
  /** The validator's findings on `entries` (errors and warnings). */
  findings: IdMapFinding[];
  /** Whether Apply may go on: everything reads, no error, and the map differs from the current one. */
  applicable: boolean;
  /** Why Apply does nothing, when it does not. */
  blocked: string | null;
}

export function evaluateRows(d: IdmapEditorData, rows: readonly string[], passThrough: string): EditorEvaluation {
  const bad = rows.map(rowError).find((e) => e !== null) ?? passThroughError(passThrough);
  if (bad) return { entries: null, findings: [], applicable: false, blocked: 'a row does not read as an entry: fix the row marked ✗' };
  let entries = rows.filter((r) => r.trim()).map((r) => readIdMapEntry(r) as IdMapEntry);
  if (passThrough.trim()) entries = passThroughMap(entries, parsePassThrough(passThrough));
  const findings = checkIdMap(entries, d.subject, d.others);
  const same = entries.map(formatIdMapEntry).join('\n') === d.current.map(formatIdMapEntry).join('\n');
  const blocked = hasErrors(findings)
    ? 'the map has errors: fix the entries marked ✗ (nothing was changed)'
    : d.state !== 'STOPPED'
      ? `${d.name} is ${d.state}: stop it first (x), then apply`
      : same
        ? 'the map is unchanged: edit a row or pick a preset'
        : null;
  return { entries, findings, applicable: blocked === null, blocked };
}
