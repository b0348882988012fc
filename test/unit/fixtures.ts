import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCgroupHost } from '../../src/host/cgroups.js';
import { recordedHostFs } from '../../src/host/hostfs.js';

export const HOSTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hosts');

/** A recorded host tree: its files, cgroup facts and the recorder's meta.json. */
export function recordedHost(name: string) {
  const root = path.join(HOSTS, name);
  const fs_ = recordedHostFs(root);
  const meta = JSON.parse(fs.readFileSync(path.join(root, 'meta.json'), 'utf8')) as Record<string, unknown>;
  return { root, fs: fs_, cgroups: readCgroupHost(fs_), meta };
}
