import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { unifiedDiff } from '../../src/presentation/lineDiff.js';
import { planLines, shellLine } from '../../src/presentation/planText.js';

/** Applies unified diff lines to a text (enough of patch(1) to prove a diff right). */
function patch(before: string, diff: string[]): string {
  const src = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let at = 0;
  for (const line of diff.slice(2)) {
    const h = /^@@ -(\d+),(\d+) /.exec(line);
    if (h) {
      const start = Number(h[2]) === 0 ? Number(h[1]) : Number(h[1]) - 1;
      while (at < start) out.push(src[at++] as string);
      continue;
    }
    const op = line[0];
    const text = line.slice(1);
    if (op === ' ' || op === '-') {
      expect(src[at]).toBe(text);
      at++;
    }
    if (op === ' ' || op === '+') out.push(text);
  }
  while (at < src.length) out.push(src[at++] as string);
  return out.length ? `${out.join('\n')}\n` : '';
}

const textArb = fc.array(fc.constantFrom('a', 'b', 'c', '', '# x', 'lxc.k = 1'), { maxLength: 30 }).map((l) => (l.length ? `${l.join('\n')}\n` : ''));

describe('unifiedDiff', () => {
  it('property: patching the old text with the diff gives the new one', () => {
    fc.assert(
      fc.property(textArb, textArb, (a, b) => {
        const d = unifiedDiff('/f', a, b);
        if (a === b) expect(d).toEqual([]);
        else expect(patch(a, d)).toBe(b);
      }),
      { numRuns: 3000 },
    );
  });

  it('shows one appended line with three lines of context', () => {
    expect(unifiedDiff('/c', '1\n2\n3\n4\n5\n', '1\n2\n3\n4\n5\nnew\n')).toEqual(['--- a/c', '+++ b/c', '@@ -3,3 +3,4 @@', ' 3', ' 4', ' 5', '+new']);
  });

  it('a missing file diffs from /dev/null', () => {
    expect(unifiedDiff('/n', null, 'x\n')).toEqual(['--- /dev/null', '+++ b/n', '@@ -0,0 +1,1 @@', '+x']);
  });
});

describe('planLines', () => {
  const plan: Plan = {
    kind: 'k',
    title: 'Network for c1',
    params: null,
    steps: [
      {
        description: 'create bridge br0',
        shows: [{ kind: 'command', argv: ['ip', 'link', 'add', 'br0', 'type', 'bridge'] }],
        check: async () => false,
        apply: async () => {},
        undo: async () => {},
      },
      {
        description: 'set keys',
        shows: [
          { kind: 'config', container: 'c1', file: '/var/lib/lxc/c1/config', changes: [{ key: 'lxc.net.0.link', old: [], new: ['br0'] }, { key: 'lxc.idmap', old: ['u 0 1 2', 'g 0 1 2'], new: [] }] },
          { kind: 'file', path: '/var/lib/lxc/c1/config', before: 'a\n', after: 'a\nlxc.net.0.link = br0\n' },
        ],
        check: async () => true,
        apply: async () => {},
        undo: async () => {},
      },
    ],
  };

  it('prints each step with what it shows, marking what is already done', () => {
    expect(planLines(plan, { checks: ['todo', 'done'] })).toEqual([
      'Network for c1 (2 steps)',
      '1. create bridge br0',
      '   $ ip link add br0 type bridge',
      '2. set keys  [already done]',
      '   config of c1 (/var/lib/lxc/c1/config):',
      '     lxc.net.0.link: (unset) -> br0',
      '     lxc.idmap: u 0 1 2, g 0 1 2 -> (unset)',
      '   --- a/var/lib/lxc/c1/config',
      '   +++ b/var/lib/lxc/c1/config',
      '   @@ -1,1 +1,2 @@',
      '    a',
      '   +lxc.net.0.link = br0',
    ]);
    expect(planLines(plan, { diffs: false })).toHaveLength(7);
  });

  it('strips control characters from what it prints, and quotes argv for a shell', () => {
    const evil: Plan = { ...plan, title: 'x\u001b]0;pwned\u0007', steps: [] };
    expect(planLines(evil)[0]).toBe('x]0;pwned (0 steps)');
    expect(shellLine(['nft', 'add rule', "it's"])).toBe(`nft 'add rule' 'it'\\''s'`);
  });
});
