import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveKeymap, keyTableMarkdown } from '../../src/commands/keytable.js';
import { isValidKey, resolveKeymap } from '../../src/commands/keymap.js';
import { COMMANDS } from '../../src/commands/table.js';
import { fuzzyFilter } from '../../src/commands/fuzzy.js';
import { HOSTS } from './fixtures.js';

describe('command table and keymap', () => {
  it('has unique ids and no key bound twice', () => {
    const ids = COMMANDS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const km = effectiveKeymap({});
    expect(km.problems).toEqual([]);
    const all = COMMANDS.flatMap((c) => c.keys);
    expect(new Set(all).size).toBe(all.length);
    for (const k of all) expect(isValidKey(k), k).toBe(true);
  });

  it('documents the stable ids the issue names', () => {
    const ids = new Set(COMMANDS.map((c) => c.id));
    for (const id of ['container.start', 'container.stop', 'container.restart', 'container.kill', 'container.freeze-toggle', 'view.filter', 'view.details', 'app.palette', 'app.help', 'app.quit'])
      expect(ids.has(id), id).toBe(true);
  });

  it('applies a valid override and drops the default key', () => {
    const km = effectiveKeymap({ 'container.start': ['S'] });
    expect(km.byCommand.get('container.start')).toEqual(['S']);
    expect(km.byKey.get('S')).toBe('container.start');
    expect(km.byKey.get('s')).toBeUndefined();
  });

  it('reports a conflicting override in one line and keeps the default', () => {
    const km = effectiveKeymap({ 'container.start': ['q'] });
    expect(km.problems).toEqual(["key override for container.start: q is already bound to app.quit; kept the default s"]);
    expect(km.byCommand.get('container.start')).toEqual(['s']);
    expect(km.byKey.get('q')).toBe('app.quit');
  });

  it('reports unknown commands and bad key names', () => {
    const km = resolveKeymap([{ id: 'a', keys: ['x'] }], { nope: ['y'], a: ['Ctrl+x'] });
    expect(km.problems).toHaveLength(2);
    expect(km.problems[0]).toContain('unknown command nope');
    expect(km.problems[1]).toContain('"Ctrl+x" is not a key name');
    expect(km.byCommand.get('a')).toEqual(['x']);
  });

  it('a swap of two keys between overridden commands is allowed', () => {
    const km = resolveKeymap([{ id: 'a', keys: ['x'] }, { id: 'b', keys: ['y'] }], { a: ['y'], b: ['x'] });
    expect(km.problems).toEqual([]);
    expect(km.byKey.get('y')).toBe('a');
  });

  it('fuzzy-finds commands for the palette', () => {
    const found = fuzzyFilter('frz', COMMANDS, (c) => `${c.title} ${c.id}`);
    expect(found[0]?.id).toBe('container.freeze-toggle');
    expect(fuzzyFilter('zzzz', COMMANDS, (c) => c.title)).toEqual([]);
  });

  it("README's key table is generated from the registry (run scripts/update-readme-keys)", () => {
    const readme = fs.readFileSync(path.resolve(HOSTS, '../../../README.md'), 'utf8');
    const m = /<!-- keys:start -->\n([\s\S]*?)\n<!-- keys:end -->/.exec(readme);
    expect(m?.[1]).toBe(keyTableMarkdown());
  });
});
