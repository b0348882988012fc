import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ActionRecord } from '../core/actions.js';

/**
 * lxcdeck's record of its own actions (<state dir>/actions.jsonl), so
 * `lxcdeck events` can say who changed a container. One short line per
 * action, appended with one write (O_APPEND: lines of concurrent lxcdecks
 * never interleave); cut to its newer half past 256 kB.
 */
const MAX = 256 * 1024;

export const actionLogFile = (stateDir: string) => path.join(stateDir, 'actions.jsonl');

export function recordAction(file: string, a: Omit<ActionRecord, 'time' | 'pid'>): void {
  try {
    const line = `${JSON.stringify({ time: Date.now(), pid: process.pid, ...a })}\n`;
    fs.appendFileSync(file, line, { mode: 0o600 });
    if (fs.statSync(file).size > MAX) {
      const text = fs.readFileSync(file, 'utf8');
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text.slice(text.indexOf('\n', text.length / 2) + 1), { mode: 0o600 });
      fs.renameSync(tmp, file);
    }
  } catch {
    /* the record is a courtesy for `events`: an action never fails for it */
  }
}

/** Reads what was appended since the last call (from the end of the file at the first call). */
export class ActionLogTail {
  private offset: number;
  constructor(private readonly file: string) {
    this.offset = 0; // the whole (bounded) file: an action recorded just before the stream began still counts
  }
  private size(): number {
    try {
      return fs.statSync(this.file).size;
    } catch {
      return 0;
    }
  }
  /** New text; the whole file when it was cut or replaced since. */
  read(): string {
    const size = this.size();
    if (size < this.offset) this.offset = 0;
    if (size === this.offset) return '';
    const fd = fs.openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      const n = fs.readSync(fd, buf, 0, buf.length, this.offset);
      // only whole lines: a line being written is read next time
      const text = buf.subarray(0, n).toString('utf8');
      const end = text.lastIndexOf('\n') + 1;
      this.offset += Buffer.byteLength(text.slice(0, end));
      return text.slice(0, end);
    } finally {
      fs.closeSync(fd);
    }
  }
}
