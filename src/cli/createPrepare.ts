import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyConfigEdits, configValues, type ConfigEdit } from '../core/configText.js';
import { CONSOLE_BUFFER_KEY, DEFAULT_CONSOLE_BUFFER } from '../core/consoleBuffer.js';
import type { CreateSource } from '../core/createSource.js';
import { LxcdeckError } from '../core/errors.js';
import { formatIdMapEntry, parseIdMapLines } from '../core/idmap.js';
import { cgroupSettings, type LimitRequest } from '../core/limits.js';
import { validateContainerName } from '../core/names.js';
import { hostAptMirror } from '../host/aptMirror.js';
import { defaultConfFile } from '../host/paths.js';
import { readIdMapSubject } from '../host/subid.js';
import { compressionOf, parseTarListing, readHead, unsafeMembers } from '../host/tarScan.js';
import { proposedMap } from '../idmap/change.js';
import { judgeOnScratch } from '../lxc/configEdit.js';
import { requireRsyncFor } from '../lxc/copies.js';
import { halfMadeOwner, type CreateParams } from '../lxc/createPlan.js';
import { loadNative } from '../lxc/native.js';
import { runTool } from '../lxc/tools.js';
import type { CliContext } from './context.js';
import { checkDownload } from './createSources.js';

/**
 * Everything `create` checks before the plan exists: the name is free, the
 * source is usable (tarball readable and scanned, directory there, image
 * server reachable, Debian mirror known), every key is valid to liblxc.
 * Nothing is written here.
 */
export interface CreateRequest {
  name: string;
  source: CreateSource;
  idmap?: string;
  limits: LimitRequest;
  autostart?: boolean;
  groups?: string[];
  start?: boolean;
}


/** Which lxc.cgroup* keys this host's liblxc writes: v1 wherever a v1 memory controller is mounted (hybrid too). */
export function cgroupVersion(c: CliContext): 1 | 2 {
  return c.cgroups.hierarchies.some((h) => h.version === 1 && h.controllers.includes('memory')) ? 1 : 2;
}

export const PTY_MAX_KEY = 'lxc.pty.max';
export const DEFAULT_PTY_MAX = '16';

export function limitEdits(settings: ReturnType<typeof cgroupSettings>): ConfigEdit[] {
  return settings.map((s) => ({ key: s.key, values: [s.value] }));
}

async function checkSource(c: CliContext, s: CreateSource): Promise<{ mirror: string | null; tar: CreateParams['tar'] }> {
  const root = c.identity.uid === 0;
  if (s.kind === 'template') {
    if (!fs.existsSync(`/usr/share/lxc/templates/lxc-${s.template}`)) throw new LxcdeckError('invalid-argument', `unknown LXC template ${JSON.stringify(s.template)}`, 'see /usr/share/lxc/templates, e.g. --from busybox');
  } else if (s.kind === 'debian') {
    if (!root) throw new LxcdeckError('permission', 'Debian through debootstrap needs root', `run it as root, or use --from download:debian/${s.release}/amd64`);
    if (!fs.existsSync('/usr/sbin/debootstrap')) throw new LxcdeckError('liblxc-missing', 'debootstrap is not installed', 'sudo apt-get install debootstrap');
    const mirror = hostAptMirror(c.fs);
    if (!mirror) throw new LxcdeckError('invalid-argument', 'no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d', 'add one there (apt must work), or use --from busybox');
    return { mirror: mirror.uri, tar: null };
  } else if (s.kind === 'download') {
    return { mirror: await checkDownload(c), tar: null };
  } else if (s.kind === 'dir') {
    const st = fs.statSync(s.path, { throwIfNoEntry: false });
    if (!st?.isDirectory()) throw new LxcdeckError('invalid-argument', `${s.path} is not a directory`, 'give the rootfs directory: --from dir:/path/to/rootfs');
    try {
      fs.accessSync(s.path, fs.constants.R_OK | fs.constants.X_OK);
    } catch {
      throw new LxcdeckError('permission', `cannot read ${s.path}`, 'give a directory you can read');
    }
    if (s.inPlace && fs.realpathSync(s.path) === '/') throw new LxcdeckError('invalid-argument', 'the host\'s own / cannot be a container\'s rootfs in place', 'give a rootfs directory, or leave out --in-place to copy it');
  } else if (s.kind === 'tar') {
    let head: Uint8Array;
    let size: number;
    try {
      head = readHead(s.path);
      size = fs.statSync(s.path).size;
    } catch (e) {
      throw new LxcdeckError('invalid-argument', `cannot read ${s.path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'give a readable .tar, .tar.gz, .tar.xz or .tar.zst file');
    }
    const compression = compressionOf(head);
    if (!compression) throw new LxcdeckError('invalid-argument', `${s.path} is not a tarball (no tar, gzip, xz, zstd or bzip2 header)`, 'give a .tar, .tar.gz, .tar.xz or .tar.zst rootfs tarball');
    const listing = await runTool(['tar', '-tv', '--quoting-style=escape', '-f', s.path]).catch(() => {
      throw new LxcdeckError('invalid-argument', `${s.path} is malformed (tar cannot list it)`, "check it with 'tar -tvf FILE', or make it again");
    });
    const members = parseTarListing(listing.stdout);
    if (!members.length) throw new LxcdeckError('invalid-argument', `${s.path} has no members`, 'give a rootfs tarball');
    return { mirror: null, tar: { compression, size, skip: unsafeMembers(members, !root) } };
  } else if (s.kind === 'clone') {
    if (!fs.existsSync(path.join(c.backend.lxcpath, s.from, 'config'))) throw new LxcdeckError('not-defined', `container ${s.from} is not defined in ${c.backend.lxcpath}`, "see 'lxcdeck ls'");
    if (s.snapshot && s.backing === 'dir') throw new LxcdeckError('invalid-argument', '--snapshot with --backing dir is a full copy', 'use --backing overlay (or btrfs), or leave out --snapshot');
    // a snapshot clone's state check is liblxc's own, in the helper (a command-socket round trip less here)
    const state = s.snapshot ? 'STOPPED' : c.backend.state(s.from);
    if (state !== 'STOPPED' && !s.snapshot) throw new LxcdeckError('wrong-state', `container ${s.from} is ${state}: a copy needs it stopped`, `stop it first ('lxcdeck stop ${s.from}'), or use 'lxcdeck clone ${s.from} NEW --snapshot'`);
    if (!s.snapshot && (s.backing ?? 'dir') === 'dir') requireRsyncFor(`a copy of ${s.from}`, path.join(c.backend.lxcpath, s.from, 'config'));
  }
  return { mirror: null, tar: null };
}

export async function prepareCreate(c: CliContext, req: CreateRequest): Promise<CreateParams> {
  const name = validateContainerName(req.name);
  const lxcpath = c.backend.lxcpath;
  const half = halfMadeOwner(lxcpath, name);
  if (half?.alive) throw new LxcdeckError('wrong-state', `${name} is being created by process ${half.owner?.pid}`, 'wait for it to finish, or choose another name');
  // liblxc's is_defined is <lxcpath>/<name>/config existing: the directory's existence covers it (no config parse)
  if (!half && fs.existsSync(path.join(lxcpath, name))) throw new LxcdeckError('wrong-state', `container ${name} already exists in ${lxcpath}`, 'choose another name');
  const confFile = defaultConfFile(c.identity);
  const baseConfig = req.source.kind === 'clone' ? '' : (c.fs.read(confFile) ?? '');
  const edits: ConfigEdit[] = [];
  if (req.idmap !== undefined) {
    if (req.source.kind === 'clone') throw new LxcdeckError('invalid-argument', '--idmap cannot be given with clone:', 'a copy keeps the map of its original; change it later with lxcdeck idmap set');
    const { subject, fileEnds } = readIdMapSubject(c.fs, c.identity);
    const others = c.everyIdmap.idmaps().map((o) => ({ name: o.name, entries: parseIdMapLines(o.values).entries }));
    const current = parseIdMapLines(configValues(baseConfig, 'lxc.idmap')).entries;
    edits.push({ key: 'lxc.idmap', values: proposedMap(current, { preset: req.idmap }, subject, others, { fileEnds }).map(formatIdMapEntry) });
  } else if (c.identity.uid !== 0 && req.source.kind !== 'clone' && !configValues(baseConfig, 'lxc.idmap').length)
    throw new LxcdeckError('invalid-argument', `${confFile} has no lxc.idmap for an unprivileged container`, 'pass --idmap standard');
  edits.push({ key: CONSOLE_BUFFER_KEY, values: [DEFAULT_CONSOLE_BUFFER] });
  // every attach (a shell pane, lxcdeck attach) takes a pty of the container's own devpts; the busybox template allows 1.
  // A clone keeps its original's; the user's default.conf value is kept over the template's.
  if (req.source.kind !== 'clone') edits.push({ key: PTY_MAX_KEY, values: [configValues(baseConfig, PTY_MAX_KEY).at(-1) ?? DEFAULT_PTY_MAX] });
  edits.push(...limitEdits(cgroupSettings(req.limits, cgroupVersion(c))));
  if (req.autostart) edits.push({ key: 'lxc.start.auto', values: ['1'] });
  if (req.groups?.length) {
    for (const g of req.groups) if (!/^[A-Za-z0-9_.-]+$/.test(g)) throw new LxcdeckError('invalid-argument', `invalid group ${JSON.stringify(g)}`, 'use letters, digits, "-", "_" or "."');
    edits.push({ key: 'lxc.group', values: req.groups });
  }
  // a clone's keys are judged by liblxc in the helper, on the original's config, before anything is made
  if (req.source.kind !== 'clone') judgeOnScratch(loadNative(c.logFile), lxcpath, edits);
  // the file liblxc will read must parse too (an include of a missing file, say)
  applyConfigEdits(baseConfig, edits);
  const { mirror, tar } = await checkSource(c, req.source);
  // the config names a directory used in place by its absolute path
  const source = req.source.kind === 'dir' && req.source.inPlace ? { ...req.source, path: path.resolve(req.source.path) } : req.source;
  return { name, lxcpath, source, baseConfig, edits, start: req.start ?? false, mirror, uid: c.identity.uid, gid: c.identity.gid, tar, ...(half ? { leftover: true } : {}) };
}
