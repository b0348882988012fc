import type { IdmapEditorBackend } from '../idmap/editor.js';
import type { CliContext } from './context.js';
import { buildSetPlan, filesPath, pathLine, prepareMapChange, readMaps, scanChange, scanLine } from './idmapPrepare.js';

/** The TUI map editor's host side: the maps as `idmap set` reads them, and the plan of `idmap set NAME --map ... --shift`. */
export function cliIdmapEditor(ctx: CliContext): IdmapEditorBackend {
  return {
    async load(name) {
      const m = readMaps(ctx, name);
      return { name, state: m.state, subject: m.subject, current: m.current, problems: [], others: m.others, fileEnds: m.fileEnds };
    },
    async plan(name, values) {
      const prep = prepareMapChange(ctx, name, { maps: values });
      const path = await filesPath(ctx, prep);
      // counted before the plan is shown: the preview says how many files the walk re-owns
      const scan = path.kind === 'reown' ? await scanChange(prep) : null;
      // the walk also re-owns the container's directory (--parent): one inode more than the rootfs
      const total = scan && !scan.problem ? { total: scan.summary.inodes + 1 } : {};
      return buildSetPlan(ctx, prep, { shift: true, path, notes: [pathLine(path), ...(scan ? [scanLine(scan)] : [])], ...total });
    },
  };
}
