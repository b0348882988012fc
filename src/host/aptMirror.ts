import type { HostFs } from './hostfs.js';

/**
 * The Debian mirror this host's apt already uses (so debootstrap works
 * wherever apt works): the first `deb` source of a Debian suite, from
 * /etc/apt/sources.list (one-line format) or /etc/apt/sources.list.d
 * (*.list one-line and *.sources deb822 files).
 */
export interface AptMirror {
  uri: string;
  file: string;
}

const SECURITY = /security|updates|backports/;

export function mirrorsFromList(text: string, file: string): AptMirror[] {
  const out: AptMirror[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    // deb [opts] URI SUITE COMPONENTS...
    const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (m && /^https?:\/\//.test(m[1] as string) && !SECURITY.test(m[2] as string)) out.push({ uri: m[1] as string, file });
  }
  return out;
}

export function mirrorsFromSources(text: string, file: string): AptMirror[] {
  const out: AptMirror[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => {
      const m = new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(stanza.replace(/^#.*$/gm, ''));
      return m ? (m[1] as string).trim().split(/\s+/) : [];
    };
    if (field('Enabled')[0]?.toLowerCase() === 'no' || !field('Types').includes('deb')) continue;
    if (!field('Suites').some((s) => !SECURITY.test(s))) continue;
    for (const uri of field('URIs')) if (/^https?:\/\//.test(uri)) out.push({ uri, file });
  }
  return out;
}

/** The host's Debian mirror, or null when apt has none (the caller names the files it read). */
export function hostAptMirror(fs: HostFs, dir = '/etc/apt'): AptMirror | null {
  const found: AptMirror[] = [];
  const main = `${dir}/sources.list`;
  found.push(...mirrorsFromList(fs.read(main) ?? '', main));
  for (const name of (fs.list(`${dir}/sources.list.d`) ?? []).sort()) {
    const file = `${dir}/sources.list.d/${name}`;
    if (name.endsWith('.list')) found.push(...mirrorsFromList(fs.read(file) ?? '', file));
    else if (name.endsWith('.sources')) found.push(...mirrorsFromSources(fs.read(file) ?? '', file));
  }
  return found.find((m) => /debian/.test(m.uri)) ?? found[0] ?? null;
}
