import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostUnavailable, lxcdeck, run, ROOT } from '../integration/host.js';
import { KEY, Tui } from './harness.js';

const skip = hostUnavailable();

describe.skipIf(skip)('E: the config in $EDITOR from the TUI', () => {
  let lxcpath = '';
  const name = 'edited';
  beforeAll(async () => {
    lxcpath = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-edit-'));
    expect((await lxcdeck(ROOT, ['-P', lxcpath, 'create', name], { timeoutMs: 120_000 })).code).toBe(0);
    fs.writeFileSync(path.join(lxcpath, 'editor.sh'), `#!/bin/sh\necho 'lxc.start.delay = 9' >> "$1"\n`, { mode: 0o755 });
  }, 180_000);
  afterAll(async () => {
    await run(ROOT, ['lxc-destroy', '-f', '-P', lxcpath, '-n', name]);
    fs.rmSync(lxcpath, { recursive: true, force: true });
  });

  it('suspends the screen, shows the diff, writes after y, and comes back with a log line', async () => {
    const t = new Tui(ROOT, ['-P', lxcpath], { env: { XDG_CONFIG_HOME: lxcpath, EDITOR: path.join(lxcpath, 'editor.sh'), VISUAL: '' } });
    try {
      await t.waitFor(/edited\s+○? ?STOPPED/);
      t.type('E');
      await t.waitFor('+lxc.start.delay = 9');
      await t.waitFor('write it? [y/N/e(dit again)]');
      t.type(`y${KEY.enter}`);
      await t.waitFor(`config of ${name}: edited`);
      expect(fs.readFileSync(path.join(lxcpath, name, 'config'), 'utf8')).toContain('\nlxc.start.delay = 9\n');
      // the list is drawn again
      await t.waitFor(/edited\s+○? ?STOPPED/);
    } finally {
      t.type('q');
      await Promise.race([t.exited, new Promise((r) => setTimeout(r, 3000))]);
      t.kill('SIGKILL');
    }
  }, 60_000);
});
