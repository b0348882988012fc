import * as fs from 'node:fs';
import { LxcdeckError } from '../core/errors.js';
import { hostAptMirror } from '../host/aptMirror.js';
import { onPath } from '../lxc/copies.js';
import type { CliContext } from './context.js';

/**
 * The download source's server and, when it cannot be used, which other
 * sources work on this machine (checked, not assumed): busybox needs LXC's
 * template and a busybox binary, Debian needs root, debootstrap and an apt
 * mirror; a directory or a tarball always works.
 */
export const DEFAULT_IMAGE_SERVER = 'images.linuxcontainers.org';

/** The image server (LXCDECK_IMAGE_SERVER overrides it, passed to the download template as --server). */
export function imageServer(env: NodeJS.ProcessEnv = process.env): string {
  const s = env.LXCDECK_IMAGE_SERVER?.trim();
  if (!s) return DEFAULT_IMAGE_SERVER;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(s)) throw new LxcdeckError('invalid-argument', `invalid LXCDECK_IMAGE_SERVER ${JSON.stringify(s)}`, 'give a host name, optionally with :PORT');
  return s;
}

/** The sources other than download that can work here, as --from values. */
export function workingSources(c: CliContext): string[] {
  const out: string[] = [];
  if (fs.existsSync('/usr/share/lxc/templates/lxc-busybox') && onPath('busybox')) out.push('busybox');
  if (c.identity.uid === 0 && fs.existsSync('/usr/sbin/debootstrap') && hostAptMirror(c.fs)) out.push('debian');
  out.push('dir:PATH', 'tar:FILE');
  return out;
}

const or = (xs: string[]) => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}` : (xs[0] ?? ''));

/** Why the image server cannot be reached (null: it answered), from the same HTTPS request the template makes first. */
export async function imageServerProblem(server: string, timeoutMs = 5000): Promise<string | null> {
  try {
    const res = await fetch(`https://${server}/meta/1.0/index-system`, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? null : `it answers HTTP ${res.status}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if ((e as Error).name === 'TimeoutError') return `no answer in ${timeoutMs / 1000} s`;
    const code = cause?.code;
    return code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'its name does not resolve' : code === 'ECONNREFUSED' ? 'the connection is refused' : (code ?? cause?.message ?? 'no connection');
  }
}

/** Checks the download source: wget for the template, then the server; one line with the working alternatives when it cannot be used. */
export async function checkDownload(c: CliContext): Promise<string> {
  const server = imageServer();
  const alternatives = `use --from ${or(workingSources(c))} instead`;
  if (!onPath('wget')) throw new LxcdeckError('liblxc-missing', 'the download template needs wget, which is not installed', `install wget, or ${alternatives}`);
  const problem = await imageServerProblem(server);
  if (problem) throw new LxcdeckError('invalid-argument', `the image server ${server} is not reachable (${problem})`, alternatives);
  return server;
}
