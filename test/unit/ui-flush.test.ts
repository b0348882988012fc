import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import widgets from '../../src/ui/blessedParts.js';
import { createScreen } from '../../src/ui/screen.js';

describe('createScreen flush', () => {
  it('writes the frame render() made at once, not on blessed’s next setImmediate', () => {
    const output = Object.assign(new PassThrough(), { columns: 40, rows: 10, isTTY: true });
    let written = '';
    output.on('data', (d: Buffer) => (written += d.toString()));
    const ws = createScreen({ input: new PassThrough(), output });
    try {
      widgets.box({ parent: ws.screen, top: 0, left: 0, width: '100%', height: 1, content: 'first-frame' });
      ws.screen.render();
      // blessed holds what it writes until its next setImmediate (the check that flush matters)
      expect(written).not.toContain('first-frame');
      ws.flush();
      expect(written).toContain('first-frame');
    } finally {
      ws.dispose();
    }
  });
});
