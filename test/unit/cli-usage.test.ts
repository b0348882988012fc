import { describe, expect, it } from 'vitest';
import { buildProgram, usageErrorLine } from '../../src/cli/program.js';

/** Parses argv with the real program; returns what it wrote to stderr and commander's exit code. */
async function parse(argv: string[]): Promise<{ err: string[]; exitCode: number | null }> {
  const err: string[] = [];
  const program = buildProgram({ out: () => undefined, err: (t) => void err.push(t) }, () => undefined);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { err, exitCode: null };
  } catch (e) {
    return { err, exitCode: (e as { exitCode?: number }).exitCode ?? null };
  }
}

describe('usage errors', () => {
  it('are one lxcdeck line naming the command whose --help fixes it, never commander\'s own wording', async () => {
    const cases: [string[], string][] = [
      [['info', '-n', 'x'], "lxcdeck: unknown option '-n': see 'lxcdeck info --help'"],
      [['--nope'], "lxcdeck: unknown option '--nope': see 'lxcdeck --help'"],
      [['ls', '--jsn'], "lxcdeck: unknown option '--jsn': did you mean --json? see 'lxcdeck ls --help'"],
      [['info'], "lxcdeck: missing required argument 'name': see 'lxcdeck info --help'"],
      [['fo'], "lxcdeck: unknown command 'fo': did you mean info? see 'lxcdeck --help'"],
      [['rule', 'add', '--source', 'x'], "lxcdeck: required option '--target <target>' not specified: see 'lxcdeck rule add --help'"],
      [['job', 'freeze', 'j', '--timeout'], "lxcdeck: option '--timeout <ms>' argument missing: see 'lxcdeck job freeze --help'"],
    ];
    for (const [argv, line] of cases) {
      const r = await parse(argv);
      expect(r.err, argv.join(' ')).toEqual([line]);
      expect(r.exitCode, argv.join(' ')).not.toBe(0);
    }
  });

  it('formats commander messages with and without a suggestion', () => {
    expect(usageErrorLine("error: unknown option '-x'\n", 'lxcdeck start')).toBe("lxcdeck: unknown option '-x': see 'lxcdeck start --help'");
    expect(usageErrorLine("error: unknown option '--tmeout'\n(Did you mean --timeout?)\n", 'lxcdeck stop')).toBe("lxcdeck: unknown option '--tmeout': did you mean --timeout? see 'lxcdeck stop --help'");
  });
});
