import { describe, expect, it } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';
import { sessionStatus } from '../../src/lxc/helper.js';
import { startSession } from '../../src/lxc/session.js';

/** A stand-in helper: a shell script that reports on fd 3 the way lxcdeck-helper does. */
const fake = (script: string) => startSession('/bin/sh', ['-c', script], process.env, 'proxy', null);

describe('helper session: reports come on the status fd, not from the exit status', () => {
  it("the program's status is the one on the status fd, whatever the helper process exits with", async () => {
    const s = fake(`printf '{"ready":true}\\n{"exit":0}\\n' >&3; exit 123`);
    expect(await s.ready).toEqual({ tty: null });
    const end = await s.done;
    expect(end).toEqual({ kind: 'exit', code: 0 });
    expect(sessionStatus(end)).toBe(0);
  });

  it('a program that itself exits 123 is reported as 123, not as a helper failure', async () => {
    expect(await fake(`printf '{"exit":123}\\n' >&3; exit 123`).done).toEqual({ kind: 'exit', code: 123 });
  });

  it('a helper failure is one LxcdeckError with a documented exit status; the console tty comes with ready', async () => {
    const s = fake(`echo 'liblxc noise on stderr' >&2; printf '{"error":"bad_tty","message":"container c has no tty 64 (lxc.tty.max = 4)"}\\n' >&3; exit 125`);
    const e = await s.done.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LxcdeckError);
    expect((e as LxcdeckError).line).toBe('container c has no tty 64 (lxc.tty.max = 4): use -t 0 for the console or a tty from 1 to lxc.tty.max');
    expect((e as LxcdeckError).exitCode).toBe(2);
    expect(await s.ready).toBeNull();
    expect(await fake(`printf '{"ready":true,"tty":3}\\n{"end":"detached","signal":0}\\n' >&3`).ready).toEqual({ tty: 3 });
  });

  it('a helper killed before it reported fails as an internal error, not as a status of the program', async () => {
    const e = await fake('kill -9 $$').done.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LxcdeckError);
    expect((e as LxcdeckError).line).toMatch(/^the attach helper was killed \(SIGKILL\)/);
    expect((e as LxcdeckError).exitCode).toBe(1);
  });

  it('window sizes go to the control fd as ROWS COLS lines; keys to stdin, output from stdout', async () => {
    const s = fake(`read -r size <&4; read -r key; printf '%s|%s' "$size" "$key"; printf '{"exit":0}\\n' >&3`);
    s.resize(24, 80);
    s.input?.write('typed\n');
    let out = '';
    s.output?.on('data', (d: Buffer) => (out += d.toString()));
    await s.done;
    expect(out).toBe('24 80|typed');
  });
});
