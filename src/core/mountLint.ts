/**
 * Mount lint for lxc.mount.entry lines on save: what liblxc accepts but that
 * fails at start or breaks later. Pure: the caller says what exists.
 */
export interface MountFinding {
  line: number;
  text: string;
}

export interface PathFacts {
  /** 'dir', 'file', or null when it does not exist. */
  kind(p: string): 'dir' | 'file' | 'other' | null;
}

/** entries: [line number, value] of every lxc.mount.entry. */
export function lintMounts(entries: readonly [number, string][], facts: PathFacts): MountFinding[] {
  const out: MountFinding[] = [];
  for (const [line, value] of entries) {
    const [source = '', target = '', , options = ''] = value.split(/\s+/);
    const bind = /(^|,)r?bind(,|$)/.test(options);
    const optional = /(^|,)optional(,|$)/.test(options);
    if (bind && source.startsWith('/')) {
      const kind = facts.kind(source);
      if (kind === null && !optional) out.push({ line, text: `bind source ${source} does not exist: the container will not start (add "optional" or create it)` });
      if (kind === 'file') out.push({ line, text: `${source} is a single-file bind mount: an editor that saves by replacing the file (most do) leaves the container with the old copy; bind its directory instead` });
    }
    if (bind && !source.startsWith('/')) out.push({ line, text: `bind source ${source} is relative: liblxc reads it from its own working directory, not the config's; give an absolute path` });
    const parts = target.replace(/^\/+/, '').split('/');
    let depth = 0;
    for (const p of parts) {
      depth += p === '..' ? -1 : p === '.' || p === '' ? 0 : 1;
      if (depth < 0) {
        out.push({ line, text: `target ${target} leaves the rootfs (..): liblxc refuses it at start; give a path inside the container` });
        break;
      }
    }
    if (target.startsWith('/') && !/(^|,)create=/.test(options)) out.push({ line, text: `target ${target} is absolute: it is read inside the rootfs as ${target.replace(/^\/+/, '')}; write it relative (liblxc's convention)` });
  }
  return out;
}
