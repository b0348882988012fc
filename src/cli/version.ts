import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** lxcdeck's version from its package.json, found upwards from this file (src/cli or dist/src/cli). */
export function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lxcdeck' && pkg.version) return pkg.version;
    } catch {
      // not here: one directory up
    }
  }
  return 'unknown';
}
