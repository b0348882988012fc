import { LxcdeckError } from './errors.js';
import { validateContainerName } from './names.js';

/**
 * Where a new container's rootfs comes from (`lxcdeck create --from ...`).
 * Pure: parses the spec, the files are looked at by the create plan.
 */
export type CreateSource =
  | { kind: 'template'; template: string; args: string[] }
  | { kind: 'debian'; release: string }
  /** inPlace: the directory itself is the rootfs (no copy; what the container changes, changes it). */
  | { kind: 'dir'; path: string; inPlace?: boolean }
  | { kind: 'tar'; path: string }
  | { kind: 'download'; dist: string; release: string; arch: string }
  /** snapshot: an overlay (or btrfs) clone that shares the original's rootfs. */
  | { kind: 'clone'; from: string; snapshot?: boolean; backing?: Backing };

export type Backing = 'dir' | 'overlay' | 'btrfs';
export const BACKINGS: readonly Backing[] = ['dir', 'overlay', 'btrfs'];

export const SOURCE_FIX = 'use --from busybox, debian[:RELEASE], dir:PATH, tar:FILE, download:DIST/RELEASE/ARCH or clone:OTHER';
const WORD = /^[a-z0-9][a-z0-9._-]{0,40}$/i;
export const DEBIAN_RELEASES = ['bullseye', 'bookworm', 'trixie', 'sid'] as const;

const bad = (spec: string, why: string) => new LxcdeckError('invalid-argument', `invalid --from ${JSON.stringify(spec)}: ${why}`, SOURCE_FIX);

export function parseCreateSource(spec: string): CreateSource {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  switch (kind) {
    case 'busybox':
      if (rest) throw bad(spec, 'busybox takes no release');
      return { kind: 'template', template: 'busybox', args: [] };
    case 'debian': {
      const release = rest || 'bookworm';
      if (!(DEBIAN_RELEASES as readonly string[]).includes(release)) throw new LxcdeckError('invalid-argument', `unknown Debian release ${JSON.stringify(release)}`, `use one of ${DEBIAN_RELEASES.join(', ')}`);
      return { kind: 'debian', release };
    }
    case 'dir':
    case 'tar':
      if (!rest.startsWith('/') && !rest.startsWith('.')) throw bad(spec, `${kind}: needs a path (absolute, or starting with ./)`);
      return { kind, path: rest };
    case 'download': {
      const parts = rest.split('/');
      if (parts.length !== 3 || !parts.every((p) => WORD.test(p))) throw bad(spec, 'download: needs DIST/RELEASE/ARCH, e.g. download:debian/bookworm/amd64');
      return { kind: 'download', dist: parts[0] as string, release: parts[1] as string, arch: parts[2] as string };
    }
    case 'clone':
      return { kind: 'clone', from: validateContainerName(rest) };
    default:
      throw bad(spec, `unknown source ${JSON.stringify(kind)}`);
  }
}

/** `--in-place`: only for a directory source. */
export function inPlaceSource(s: CreateSource): CreateSource {
  if (s.kind !== 'dir') throw new LxcdeckError('invalid-argument', `--in-place is for a directory source, not ${sourceLabel(s)}`, 'use it with --from dir:PATH, or leave it out');
  return { ...s, inPlace: true };
}

/** What the user is told before a directory is used in place. */
export function inPlaceWarning(dir: string, unprivileged: boolean): string {
  const owners = unprivileged ? '; its files keep their owners, so they must belong to the container\'s mapped ids already' : '';
  return `${dir} is used in place, not copied: what the container changes there changes the directory${owners}; 'lxcdeck destroy' keeps it, 'lxc-destroy' deletes it`;
}

/** `-t TEMPLATE` (the old create): any installed LXC template by name. */
export function templateSource(template: string): CreateSource {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(template)) throw new LxcdeckError('invalid-argument', `invalid template name ${JSON.stringify(template)}`, 'use a template from /usr/share/lxc/templates, e.g. busybox');
  if (template === 'debian') return { kind: 'debian', release: 'bookworm' };
  return { kind: 'template', template, args: [] };
}

export function sourceLabel(s: CreateSource): string {
  switch (s.kind) {
    case 'template':
      return `the ${s.template} template`;
    case 'debian':
      return `Debian ${s.release}`;
    case 'dir':
      return `the directory ${s.path}${s.inPlace ? ' (in place)' : ''}`;
    case 'tar':
      return `the tarball ${s.path}`;
    case 'download':
      return `the image ${s.dist}/${s.release}/${s.arch}`;
    case 'clone':
      return s.snapshot ? `an ${s.backing ?? 'overlay'} snapshot clone of ${s.from}` : `a copy of ${s.from}`;
  }
}
