import type blessed from 'blessed';
import widgets from './blessedParts.js';
import { commandFor, type ResolvedKeymap } from '../commands/keymap.js';
import { formAction } from '../commands/formCommands.js';
import { displayKey } from '../commands/keytable.js';
import { choiceField, defineForm, textField, type AnyField } from '../core/fields.js';
import { formatIdMapEntry } from '../core/idmap.js';
import { findingLine, type IdMapFinding } from '../core/idmapCheck.js';
import { errorText } from '../core/plan.js';
export type { IdmapEditorBackend } from '../idmap/editor.js';
import { EDITOR_PRESETS, evaluateRows, passThroughError, presetRows, rowError, type EditorPreset, type IdmapEditorBackend, type IdmapEditorData } from '../idmap/editor.js';
import { spaceSlices } from '../idmap/usage.js';
import { idmapBarLines } from '../presentation/idmapBar.js';
import { FormState } from '../state/formState.js';
import { wrap } from './form.js';
import type { OverlayHost } from './overlayHost.js';
import { openPlanFlow, type PlanFlowDeps } from './planFlow.js';
import { esc, fg } from './style.js';

/**
 * `U`: the uid/gid map editor of a stopped container, on the form kit's state
 * machine: a preset (current, standard, isolated) fills the rows, each row is
 * an lxc.idmap entry edited in place, a pass-through UID[:GID] goes on top.
 * Every keystroke re-validates the resulting map (errors and warnings under
 * the rows) and redraws the bar of the user's subuid space with this
 * container's proposed slice. Enter hands the map to the same plan as
 * `lxcdeck idmap set --shift`, shown, applied and reported by the plan flow;
 * with an error Enter changes nothing.
 */
export interface IdmapEditorDeps extends PlanFlowDeps {
  keymap: ResolvedKeymap;
  overlays: OverlayHost;
  editor: IdmapEditorBackend | undefined;
}

const rowKey = (i: number) => `row${i + 1}`;

function editorForm(rows: number) {
  const fields: AnyField[] = [
    choiceField({ key: 'preset', label: 'Preset', choices: EDITOR_PRESETS, hint: 'current: the map as it is; standard: the start of your range; isolated: a slice no other container uses (←/→)' }),
    ...Array.from({ length: rows }, (_, i) => textField({ key: rowKey(i), label: `Entry ${i + 1}`, hint: 'u|g NSID HOSTID RANGE, e.g. u 0 100000 65536 (empty: no entry)', check: rowError })),
    textField({ key: 'pass', label: 'Pass-through', hint: 'UID[:GID]: container id N is host id N (e.g. your own uid, so a bind-mounted directory keeps its owner)', check: passThroughError }),
  ];
  return defineForm(fields);
}

export async function openIdmapEditor(d: IdmapEditorDeps, name: string): Promise<void> {
  const backend = d.editor;
  if (!backend) return d.log('warn', 'the map editor is not available here');
  let data: IdmapEditorData;
  try {
    data = await backend.load(name);
  } catch (e) {
    return d.log('error', `idmap of ${name}: ${errorText(e)}`);
  }
  if (data.problems.length) return d.log('error', `idmap of ${name}: ${data.problems[0]}: see 'lxcdeck idmap check ${name}'`);
  const nrows = Math.max(4, data.current.length + 2);
  const state = new FormState(editorForm(nrows), { preset: 'current', ...Object.fromEntries(data.current.map((e, i) => [rowKey(i), formatIdMapEntry(e)])) });
  state.focusKey('preset');
  const box = widgets.box({ parent: d.screen, top: 'center', left: 'center', width: '90%', height: 10, border: { type: 'line' }, label: ` uid/gid map of ${name} `, tags: true });
  let preset: string = 'current';
  let busy = false;
  const rows = () => Array.from({ length: nrows }, (_, i) => state.rawValues()[rowKey(i)] ?? '');

  // a changed preset fills the rows (an isolated map that cannot be found says why)
  const followPreset = () => {
    const now = state.rawValues()['preset'] ?? 'current';
    if (now === preset) return;
    preset = now;
    const r = presetRows(data, now as EditorPreset);
    if ('error' in r) return void (state.message = r.error);
    for (let i = 0; i < nrows; i++) state.setValue(rowKey(i), r.rows[i] ?? '');
    state.focusKey('preset');
  };

  const draw = () => {
    const p = d.palette;
    const inner = Math.max(30, (typeof box.width === 'number' ? box.width : (d.screen.width as number)) - 2);
    const ev = evaluateRows(data, rows(), state.rawValues()['pass'] ?? '');
    const under = (fs: IdMapFinding[]) => fs.flatMap((f) => wrap(`${f.severity === 'error' ? '✗' : '!'} ${findingLine(f)}`, inner - 16).map((l) => `              ${fg(p, f.severity === 'error' ? 'logError' : 'logWarn', esc(l))}`));
    const lines = [fg(p, 'title', esc(`${name} (${data.state}) — map now: ${data.current.map(formatIdMapEntry).join('; ') || 'none (privileged)'}`)), ''];
    const shownFindings = new Set<IdMapFinding>();
    state.fields.forEach((f, i) => {
      const focused = i === state.focus;
      const raw = state.value(i);
      const value = f.choices ? (focused ? `◂ ${esc(raw)} ▸` : esc(raw)) : focused ? `${esc([...raw].slice(0, state.caret(i)).join(''))}█${esc([...raw].slice(state.caret(i)).join(''))}` : esc(raw);
      lines.push(`${focused ? fg(p, 'helpKey', `▸ ${esc(f.label.padEnd(12))}`) : `  ${esc(f.label.padEnd(12))}`} ${value}`);
      if (focused && f.hint) lines.push(...wrap(f.hint, inner - 16).map((l) => `              ${fg(p, 'dim', esc(l))}`));
      // the row's own error on every keystroke, then the validator's findings about this entry
      const own = f.parse(raw);
      if (!own.ok) lines.push(...wrap(`✗ ${own.error}`, inner - 16).map((l) => `              ${fg(p, 'logError', esc(l))}`));
      const mine = f.key.startsWith('row') && raw.trim() ? ev.findings.filter((x) => !shownFindings.has(x) && x.entry === raw.trim().split(/\s+/).join(' ')) : [];
      mine.forEach((x) => shownFindings.add(x));
      lines.push(...under(mine));
    });
    const rest = ev.findings.filter((x) => !shownFindings.has(x));
    if (ev.entries && (state.rawValues()['pass'] ?? '').trim()) lines.push('', `  ${esc(`with the pass-through: ${ev.entries.map(formatIdMapEntry).join('; ')}`)}`);
    if (rest.length) lines.push('', ...under(rest));
    if (!ev.findings.length && ev.entries) lines.push('', `  ${fg(p, 'logInfo', 'the map is valid')}`);
    // the proposed map drawn in the user's space, next to everyone else's
    const maps = [...data.others, { name, entries: ev.entries ?? data.current }];
    lines.push('', ...idmapBarLines(spaceSlices(data.subject, maps, 'u'), name, inner - 8, p, 'uids'));
    const k = (id: string) => displayKey(d.keymap.byCommand.get(id)?.[0] ?? '?');
    lines.push('', fg(p, 'dim', esc(`${k('form.next-field')} next field   ←/→ preset   ${k('form.submit')} apply (preview first)   ${k('form.cancel')} close`)));
    if (state.message) lines.push(...wrap(state.message, inner).map((l) => fg(p, 'logError', esc(l))));
    box.setContent(lines.join('\n'));
    box.height = Math.min(Math.max(3, (d.screen.height as number) - 2), box.getScreenLines().length + 2);
  };

  const apply = () => {
    state.submit();
    const ev = evaluateRows(data, rows(), state.rawValues()['pass'] ?? '');
    if (!ev.applicable || !ev.entries) return void (state.message = ev.blocked);
    busy = true;
    state.message = 'building the plan (counting the files to re-own)…';
    backend
      .plan(name, ev.entries.map(formatIdMapEntry))
      .then((plan) => openPlanFlow(d, plan.title, [plan]))
      .catch((e: unknown) => {
        busy = false;
        state.message = errorText(e);
        draw();
        d.changed();
      });
  };

  d.overlays.open(
    { kind: 'plan', title: `idmap of ${name}` },
    {
      key: (kp) => {
        if (busy) return undefined;
        const action = formAction(commandFor(d.keymap, 'form', kp.name));
        if (action === 'cancel') return 'close';
        if (action === 'submit') apply();
        else if (action) state.act(action);
        else if (kp.ch && kp.ch >= ' ' && kp.ch !== '\x7f' && [...kp.ch].length === 1) state.type(kp.ch);
        followPreset();
        draw();
        return undefined;
      },
      dispose: () => box.destroy(),
      resize: () => draw(),
    },
  );
  draw();
  d.changed();
}
