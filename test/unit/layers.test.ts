import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOSTS } from './fixtures.js';

const SRC = path.resolve(HOSTS, '../../../src');

/** Every relative import of every module under src, as [importer, imported] paths relative to src. */
function imports(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) out.push([path.relative(SRC, p), path.relative(SRC, path.resolve(path.dirname(p), m[1] as string))]);
      }
    }
  };
  walk(SRC);
  return out;
}

const under = (file: string, ...dirs: string[]) => dirs.some((d) => file === `${d}.ts` || file.startsWith(`${d}/`) || file === d);

describe('layers (DESIGN.md): the import direction holds', () => {
  const all = imports();

  it('finds the imports it checks', () => {
    expect(all.length).toBeGreaterThan(200);
    expect(all.some(([, to]) => to.startsWith('lxc/'))).toBe(true);
  });

  it('only main and the CLI import the liblxc adapter', () => {
    const bad = all.filter(([from, to]) => to.startsWith('lxc/') && !under(from, 'main', 'cli', 'lxc'));
    expect(bad).toEqual([]);
  });

  it('nothing but main imports the UI', () => {
    const bad = all.filter(([from, to]) => to.startsWith('ui/') && !under(from, 'main', 'ui'));
    expect(bad).toEqual([]);
  });

  it('core imports only core and base', () => {
    const bad = all.filter(([from, to]) => from.startsWith('core/') && !to.startsWith('core/') && !to.startsWith('base/'));
    expect(bad).toEqual([]);
  });

  it('no module under src is over 400 lines', () => {
    const big: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && fs.readFileSync(p, 'utf8').split('\n').length > 400) big.push(path.relative(SRC, p));
      }
    };
    walk(SRC);
    expect(big).toEqual([]);
  });
});
