import type { Command } from 'commander';
import { LxcdeckError } from '../core/errors.js';
import { isMarkLetter, markLetterError, tagFromText, tagText } from '../core/workspace.js';
import { formatTable, sanitize } from '../presentation/format.js';
import type { MarkStore } from '../state/marks.js';
import type { CliIo } from './io.js';

/** The marks of the settings file, with their warnings printed; saving goes back through the settings store (atomic). */
async function openMarks(io: CliIo): Promise<MarkStore> {
  const { SettingsStore } = await import('../settings/settings.js');
  const { MarkStore } = await import('../state/marks.js');
  const settings = new SettingsStore();
  for (const w of settings.warnings) io.err(`lxcdeck: ${w}`);
  const marks = new MarkStore(settings.get().marks, (raw) => {
    try {
      settings.update({ marks: raw });
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  });
  for (const w of marks.warnings) io.err(`lxcdeck: ${w}`);
  return marks;
}

function letterArg(v: string): string {
  if (!isMarkLetter(v)) throw new LxcdeckError('invalid-argument', markLetterError(v), "see 'lxcdeck workspace ls'");
  return v;
}

const failed = (err: string | null) => {
  if (err) throw new LxcdeckError('invalid-argument', err);
};

/** `lxcdeck workspace ls|show|rm|tag`: the TUI's workspace marks from scripts. */
export function registerWorkspaceCommands(program: Command, io: CliIo): void {
  const ws = program.command('workspace').description("workspace marks (m LETTER stores one in the TUI, ' LETTER restores it; lxcdeck -w LETTER starts with it)");

  ws.command('ls')
    .description('list the marks with a one-line preview')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const rows = (await openMarks(io)).rows();
      if (opts.json) return io.out(JSON.stringify(rows.map((r) => ({ mark: r.letter, valid: r.workspace !== null, preview: r.preview, panes: r.workspace?.panes.length ?? 0, savedAt: r.workspace?.savedAt ?? null })), null, 2));
      if (!rows.length) return io.out("no marks: in the TUI, m then a letter stores the workspace");
      io.out(formatTable(['MARK', 'WORKSPACE'], rows.map((r) => [r.letter, sanitize(r.preview)])));
    });

  ws.command('show')
    .description('print a mark: its panes, layout and list view')
    .argument('<mark>', 'a letter a–z', letterArg)
    .option('--json', 'print JSON')
    .action(async (letter: string, opts: { json?: boolean }) => {
      const w = (await openMarks(io)).get(letter);
      if (!w) throw new LxcdeckError('not-defined', `there is no usable mark ${letter}`, "see 'lxcdeck workspace ls'");
      if (opts.json) return io.out(JSON.stringify({ mark: letter, ...w }, null, 2));
      const panes = w.panes.map((p, i) => [String(i), p.kind, sanitize(p.container), p.kind === 'console' ? `tty ${p.tty ?? 0}` : sanitize((p.command ?? (p.file ? [p.file] : [])).join(' '))]);
      io.out(formatTable(['PANE', 'KIND', 'CONTAINER', 'DETAIL'], panes));
      io.out(`layout ${JSON.stringify(w.layout)}  focus ${w.focus}${w.zoomed ? ' (zoomed)' : ''}`);
      io.out(`list: filter ${JSON.stringify(w.list.filter)}, sort ${w.list.sort.column}${w.list.sort.reverse ? ' reversed' : ''}${w.list.group ? ', grouped' : ''}${w.tag ? `, tag ${sanitize(tagText(w.tag))}` : ''}`);
    });

  ws.command('rm')
    .description('delete a mark')
    .argument('<mark>', 'a letter a–z', letterArg)
    .option('--json', 'print JSON')
    .action(async (letter: string, opts: { json?: boolean }) => {
      failed((await openMarks(io)).remove(letter));
      io.out(opts.json ? JSON.stringify({ mark: letter, removed: true }) : `mark ${letter} deleted`);
    });

  ws.command('tag')
    .description('tag a mark with containers: names (web,db), a glob (web-*) or group=NAME; "" removes the tag')
    .argument('<mark>', 'a letter a–z', letterArg)
    .argument('<containers>', 'names, a glob or group=NAME')
    .option('--json', 'print JSON')
    .action(async (letter: string, text: string, opts: { json?: boolean }) => {
      const t = tagFromText(text);
      if (!t.ok) throw new LxcdeckError('invalid-argument', `tag ${t.error}`);
      failed((await openMarks(io)).retag(letter, t.value));
      io.out(opts.json ? JSON.stringify({ mark: letter, tag: t.value }) : `mark ${letter}: ${t.value ? `tag ${tagText(t.value)}` : 'no tag'}`);
    });
}
