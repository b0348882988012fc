import { describe, expect, it } from 'vitest';
import { ShellRunner } from '../../src/host/shellRunner.js';

describe('ShellRunner: commands through one long-lived sh', () => {
  it('keeps argv exact (spaces, quotes, $, newlines), separates stdout from stderr, returns the status', async () => {
    const sh = new ShellRunner();
    const odd = ["it's", 'a b', '$HOME', '`x`', 'line1\nline2', ''];
    const r = await sh.run(['printf', '%s|', ...odd]);
    expect(r).toEqual({ code: 0, stdout: `${odd.join('|')}|`, stderr: '' });
    const e = await sh.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(e).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await sh.run(['/nonexistent/tool'])).code).toBe(127);
  });

  it('feeds input to stdin (an nft ruleset), and a command without input reads nothing', async () => {
    const sh = new ShellRunner();
    const text = "table inet x {\n  comment \"a 'b' $c\"\n}\n";
    expect((await sh.run(['cat'], text)).stdout).toBe(text);
    expect((await sh.run(['cat'])).stdout).toBe('');
  });

  it('runs concurrent calls one after another, each with its own output', async () => {
    const sh = new ShellRunner();
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => sh.run(['sh', '-c', `sleep 0.0$((${i} % 3)); echo ${i}`])));
    expect(rs.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });
});
