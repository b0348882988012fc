import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';
import { LxcdeckError } from '../core/errors.js';

/**
 * The koffi declaration of native/lxcdeck.h — the one place the native
 * boundary is typed. Keep it in step with the header.
 */

/** Opaque `struct lxc_container *`. */
export type ContainerHandle = { readonly __brand: 'lxc_container' };

type AsyncFn<A extends unknown[]> = { async(...args: [...A, (err: unknown, res: number) => void]): void };

export interface NativeLib {
  lxcdeck_init(logfile: string | null, level: string): number;
  lxcdeck_lxc_version(): string;
  lxcdeck_default_lxcpath(): string | null;
  lxcdeck_list(lxcpath: string, which: number): string | null;
  lxcdeck_probe(lxcpath: string, names: string, ask: string): string | null;
  lxcdeck_read_files(paths: string): string | null;
  lxcdeck_open(name: string, lxcpath: string): ContainerHandle | null;
  lxcdeck_close(c: ContainerHandle): void;
  lxcdeck_is_defined(c: ContainerHandle): number;
  lxcdeck_is_running(c: ContainerHandle): number;
  lxcdeck_state(c: ContainerHandle): string;
  lxcdeck_init_pid(c: ContainerHandle): number;
  lxcdeck_may_control(c: ContainerHandle): number;
  lxcdeck_config_file_name(c: ContainerHandle): string | null;
  lxcdeck_get_config_item(c: ContainerHandle, key: string): string | null;
  lxcdeck_get_running_config_item(c: ContainerHandle, key: string): string | null;
  lxcdeck_set_config_item(c: ContainerHandle, key: string, value: string): number;
  lxcdeck_clear_config_item(c: ContainerHandle, key: string): number;
  lxcdeck_config_item_is_supported(key: string): number;
  lxcdeck_get_cgroup_item(c: ContainerHandle, key: string): string | null;
  lxcdeck_set_cgroup_item(c: ContainerHandle, key: string, value: string): number;
  /** Returns a raw pointer; see consoleLog() below. */
  lxcdeck_console_log(c: ContainerHandle, clear: number, max: bigint | number, len: [bigint | number]): unknown;
  lxcdeck_free(p: unknown): void;
  // calls that can wait: only ever called through .async
  lxcdeck_stop: AsyncFn<[ContainerHandle]>;
  lxcdeck_shutdown: AsyncFn<[ContainerHandle, number]>;
  lxcdeck_freeze: AsyncFn<[ContainerHandle]>;
  lxcdeck_unfreeze: AsyncFn<[ContainerHandle]>;
  lxcdeck_wait: AsyncFn<[ContainerHandle, string, number]>;
  /** fd 2 for liblxc (see stderr.ts): a close-on-exec copy of fd 2, point fd 2 at an fd, or at a new pipe (its read end). */
  lxcdeck_stderr_save(): number;
  lxcdeck_stderr_set(fd: number): number;
  lxcdeck_stderr_pipe(): number;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the native build may be: env override, the source checkout, an installed copy. */
export function nativeDirCandidates(): string[] {
  const fromEnv = process.env.LXCDECK_NATIVE_DIR;
  return [...(fromEnv ? [fromEnv] : []), ...packageRoots().map((r) => path.join(r, 'native', 'build')), '/usr/lib/lxcdeck'];
}

/** Where the package's root may be from here: dist/src/lxc is three levels below it; src/lxc (vitest) and the bundles in dist/src two. */
function packageRoots(): string[] {
  return [path.resolve(here, '../../..'), path.resolve(here, '../..')];
}

export function findNativeFile(file: string): string {
  const tried: string[] = [];
  for (const dir of nativeDirCandidates()) {
    const p = path.join(dir, file);
    if (fs.existsSync(p)) return p;
    tried.push(p);
  }
  throw new LxcdeckError(
    'liblxc-missing',
    `native ${file} not found (tried ${tried.join(', ')})`,
    "install the Debian package lxc-dev, then run 'npm install' (or 'make -C native') in the lxcdeck checkout",
  );
}

let cached: NativeLib | null = null;
let koffiModule: typeof Koffi | null = null;

/**
 * koffi loads on the first native call, so commands that never touch liblxc
 * do not pay for it; require, not import: Node loads a CommonJS package
 * faster that way (no ESM wrapper to analyse).
 */
function koffiLib(): typeof Koffi {
  return (koffiModule ??= requireKoffi());
}

/**
 * koffi's index.js loads https, zlib and crypto for its installer before it
 * loads its native module (~10 ms); the native module alone is the same API
 * less deprecated aliases. Falls back to the package when the layout differs.
 */
function requireKoffi(): typeof Koffi {
  const require = createRequire(import.meta.url);
  try {
    // the package's own node_modules first, where require.resolve would look first too (its walk, with the
    // self-reference and exports checks and the realpath of each directory, cost a freeze ~0.5 ms)
    const own = packageRoots().map((r) => path.join(r, 'node_modules', 'koffi')).find((d) => fs.existsSync(path.join(d, 'package.json')));
    const dir = own ?? path.dirname(require.resolve('koffi/package.json'));
    const version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const native = require(path.join(dir, 'build', 'koffi', `${process.platform}_${process.arch}`, 'koffi.node')) as typeof Koffi & { version?: string };
    if (native.version === version) return native;
  } catch {
    /* not the layout this expects: the package knows best */
  }
  return require('koffi') as typeof Koffi;
}

export function loadNative(logfile: string | null): NativeLib {
  if (cached) return cached;
  const file = findNativeFile('liblxcdeck.so');
  const koffi = koffiLib();
  let lib: Koffi.IKoffiLib;
  try {
    lib = koffi.load(file);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const missing = /liblxc\.so/.test(msg);
    throw new LxcdeckError(
      'liblxc-missing',
      `cannot load ${file}: ${msg.split('\n')[0]}`,
      missing ? "install liblxc with 'sudo apt-get install lxc'" : "rebuild it with 'make -C native' (needs lxc-dev)",
    );
  }

  koffi.opaque('lxc_container');
  const Handle = 'lxc_container *';
  const free = lib.func('void lxcdeck_free(void *p)');
  // strings the shim malloc'd: koffi copies them into JS and frees the C copy
  const OwnedStr = koffi.disposable('lxcdeck_owned_str', 'str', free);

  const f = (name: string, ret: Koffi.TypeSpec, args: Koffi.TypeSpec[]) => lib.func(name, ret, args);
  const native = {
    lxcdeck_init: f('lxcdeck_init', 'int', ['const char *', 'const char *']),
    lxcdeck_lxc_version: f('lxcdeck_lxc_version', 'const char *', []),
    lxcdeck_default_lxcpath: f('lxcdeck_default_lxcpath', OwnedStr, []),
    lxcdeck_list: f('lxcdeck_list', OwnedStr, ['const char *', 'int']),
    lxcdeck_probe: f('lxcdeck_probe', OwnedStr, ['const char *', 'const char *', 'const char *']),
    lxcdeck_read_files: f('lxcdeck_read_files', OwnedStr, ['const char *']),
    lxcdeck_open: f('lxcdeck_open', Handle, ['const char *', 'const char *']),
    lxcdeck_close: f('lxcdeck_close', 'void', [Handle]),
    lxcdeck_is_defined: f('lxcdeck_is_defined', 'int', [Handle]),
    lxcdeck_is_running: f('lxcdeck_is_running', 'int', [Handle]),
    lxcdeck_state: f('lxcdeck_state', 'const char *', [Handle]),
    lxcdeck_init_pid: f('lxcdeck_init_pid', 'int', [Handle]),
    lxcdeck_may_control: f('lxcdeck_may_control', 'int', [Handle]),
    lxcdeck_config_file_name: f('lxcdeck_config_file_name', OwnedStr, [Handle]),
    lxcdeck_get_config_item: f('lxcdeck_get_config_item', OwnedStr, [Handle, 'const char *']),
    lxcdeck_get_running_config_item: f('lxcdeck_get_running_config_item', OwnedStr, [Handle, 'const char *']),
    lxcdeck_set_config_item: f('lxcdeck_set_config_item', 'int', [Handle, 'const char *', 'const char *']),
    lxcdeck_clear_config_item: f('lxcdeck_clear_config_item', 'int', [Handle, 'const char *']),
    lxcdeck_config_item_is_supported: f('lxcdeck_config_item_is_supported', 'int', ['const char *']),
    lxcdeck_get_cgroup_item: f('lxcdeck_get_cgroup_item', OwnedStr, [Handle, 'const char *']),
    lxcdeck_set_cgroup_item: f('lxcdeck_set_cgroup_item', 'int', [Handle, 'const char *', 'const char *']),
    lxcdeck_console_log: f('lxcdeck_console_log', 'void *', [Handle, 'int', 'uint64_t', koffi.out(koffi.pointer('uint64_t'))]),
    lxcdeck_free: free,
    lxcdeck_stop: f('lxcdeck_stop', 'int', [Handle]),
    lxcdeck_shutdown: f('lxcdeck_shutdown', 'int', [Handle, 'int']),
    lxcdeck_freeze: f('lxcdeck_freeze', 'int', [Handle]),
    lxcdeck_unfreeze: f('lxcdeck_unfreeze', 'int', [Handle]),
    lxcdeck_wait: f('lxcdeck_wait', 'int', [Handle, 'const char *', 'int']),
    lxcdeck_stderr_save: f('lxcdeck_stderr_save', 'int', []),
    lxcdeck_stderr_set: f('lxcdeck_stderr_set', 'int', ['int']),
    lxcdeck_stderr_pipe: f('lxcdeck_stderr_pipe', 'int', []),
  } as unknown as NativeLib;

  native.lxcdeck_init(logfile, 'ERROR');
  cached = native;
  return native;
}

/**
 * Copies the console ring buffer out of C memory and frees it. It asks the
 * container's monitor over its command socket, so it runs on koffi's worker
 * thread: a hung monitor must not freeze the UI.
 */
export function consoleLog(lib: NativeLib, c: ContainerHandle, clear: boolean, max = 0): Promise<Buffer | null> {
  const len: [number | bigint] = [0];
  const fn = lib.lxcdeck_console_log as unknown as { async(...args: unknown[]): void };
  return new Promise((resolve, reject) => {
    fn.async(c, clear ? 1 : 0, max, len, (err: unknown, ptr: unknown) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      if (!ptr) return resolve(null);
      const n = Number(len[0]);
      const koffi = koffiLib();
      const bytes = n > 0 ? Buffer.from(koffi.decode(ptr, koffi.array('uint8_t', n, 'Typed')) as Uint8Array) : Buffer.alloc(0);
      lib.lxcdeck_free(ptr);
      resolve(bytes);
    });
  });
}

/** Runs a native call that can wait on koffi's worker thread, so the event loop never blocks. */
export function callAsync<A extends unknown[]>(fn: AsyncFn<A>, ...args: A): Promise<number> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (err: unknown, res: number) => (err ? reject(err) : resolve(res)));
  });
}
