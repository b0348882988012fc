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
      // the captured line sits inside the event log's frame (and, as the last warning, on the status line)
      const rows = screen.split('\n');
      const status = rows.length - 1;
      expect(rows.some((l) => /^│\d\d:\d\d:\d\d .*liblxc: /.test(l))).toBe(true);
      rows.forEach((line, i) => {
        if (line.includes('opendir') && i !== status) expect(line).toMatch(/^│\d\d:\d\d:\d\d /);
      });
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
