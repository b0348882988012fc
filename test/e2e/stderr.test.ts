import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostUnavailable, lxcdeck, ROOT, USER, type Runner } from '../integration/host.js';
import { Tui } from './harness.js';

const skip = hostUnavailable();
// liblxc's own stderr format: its prefix ("lxcdeck: ", from the shim's log setup) twice, then file: function: line
const RAW_LIBLXC = 'lxcdeck: lxcdeck: ';

describe.skipIf(skip).each([ROOT, USER])('nothing but lxcdeck draws on the screen, as $label', (runner: Runner) => {
  const missing = `/nonexistent-lxcdeck-${process.pid}`;
  let configHome = '';
  beforeAll(() => {
    configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-e2e-stderr-'));
    fs.chmodSync(configHome, 0o777);
  });
  afterAll(() => fs.rmSync(configHome, { recursive: true, force: true }));

  it("the TUI turns liblxc's error lines into event-log lines instead of letting them onto the terminal", async () => {
    const t = new Tui(runner, ['-P', missing], { env: { XDG_CONFIG_HOME: configHome } });
    try {
      const screen = await t.waitFor((x) => x.includes('liblxc: ') && x.includes('opendir'));
      expect(t.lines()[0]).toMatch(/^ lxcdeck /);
      // the captured line sits inside the event log's frame
      for (const line of screen.split('\n').filter((l) => l.includes('opendir'))) expect(line).toMatch(/^│\d\d:\d\d:\d\d /);
      expect(t.raw).not.toContain(RAW_LIBLXC);
    } finally {
      t.type('q');
      await Promise.race([t.exited, new Promise((r) => setTimeout(r, 3000))]);
      t.kill('SIGKILL');
    }
  });

  it("the CLI prints its own one line and none of liblxc's", async () => {
    const r = await lxcdeck(runner, ['-P', missing, 'ls']);
    expect(r.code).toBe(7);
    expect(r.stderr).toBe(`lxcdeck: liblxc could not list containers in ${missing}: check that the lxcpath exists and is readable\n`);
  });
});
