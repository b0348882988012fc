import type { KeptFileReader } from '../host/filereader.js';
import type { NativeLib } from './native.js';

/**
 * Reads many small kernel files on a few native threads (native/readfiles.c)
 * and primes `reader` with their texts, so the lister's reads that follow
 * cost no system call (one at a time from JavaScript they cost a cold `ls`
 * ~8 ms at 50 running containers). A file the batch could not read is not
 * primed: the reader then reads it itself and says what it finds. Returns the
 * texts read; `prime` says which of them the reader gets.
 */
export function primeFiles(lib: NativeLib, reader: KeptFileReader, paths: readonly string[], prime: (path: string) => boolean = () => true): Map<string, string> {
  const list = [...new Set(paths)].filter((p) => p !== '' && !p.includes('\n'));
  const texts = new Map<string, string>();
  if (list.length === 0) return texts;
  const text = lib.lxcdeck_read_files(list.join('\n'));
  if (text === null) return texts;
  const records = text.split('\x1e');
  list.forEach((p, i) => {
    const r = records[i];
    if (r === undefined || r[0] !== '1') return;
    const content = r.slice(1);
    texts.set(p, content);
    if (prime(p)) reader.prime(p, content);
  });
  return texts;
}
