import { describe, expect, it } from 'vitest';
import { fuzzyFilter, fuzzyScore } from '../../src/commands/fuzzy.js';
import { COMMANDS } from '../../src/commands/table.js';

const find = (q: string) => fuzzyFilter(q, COMMANDS, (c) => `${c.title} ${c.id}`).map((c) => c.id);

describe('the palette ranks by word starts and contiguity', () => {
  it('"frz" finds freeze first, the freeze rules after it', () => {
    const ids = find('frz');
    expect(ids[0]).toBe('container.freeze-toggle');
    expect(ids).toContain('rules.edit');
  });

  it('shows no match rather than a far one', () => {
    expect(find('clone')).not.toContain('pane.focus-next');
    expect(find('snap')).not.toContain('app.theme-next');
    expect(find('clone')).toEqual(['container.clone']); // the clone key's command, nothing far
    expect(find('snap')).toEqual(['container.clone']); // its title says "copy or overlay snapshot"
    expect(fuzzyScore('oc', 'Focus')).toBeNull(); // mid-word start
    expect(fuzzyScore('fs', 'Focus')).not.toBeNull(); // a skip inside the word it began
  });

  it('a space in the query starts a new word; whole words beat scattered letters', () => {
    expect(find('help every')[0]).toBe('app.help');
    expect(fuzzyScore('he ve', 'Help: every key')).toBeNull();
    expect(find('kill')[0]).toBe('container.kill');
    expect(find('sort inv')[0]).toBe('view.sort-invert');
    expect(find('theme')[0]).toBe('app.theme-next');
    // a word start ranks above a skip inside a word
    expect(fuzzyScore('st', 'Start') as number).toBeGreaterThan(fuzzyScore('st', 'Sat') as number);
    expect(fuzzyScore('fre', 'freeze') as number).toBeGreaterThan(fuzzyScore('fre', 'fire') as number);
    expect(fuzzyScore('pz', 'pane zoom')).toBeNull(); // initials alone do not chain
  });

  it('an empty query keeps every command in table order', () => {
    expect(find('')).toEqual(COMMANDS.map((c) => c.id));
  });
});
