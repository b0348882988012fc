import { createRequire } from 'node:module';

/**
 * Node built-ins loaded on first use: node:child_process and node:net cost
 * ~3 ms of start-up together (they pull in Node's streams and dgram), and
 * `freeze`, `thaw` and `ls` neither spawn nor read a pipe (bench/cli.ts).
 */
const require = createRequire(import.meta.url);
let cp: typeof import('node:child_process') | null = null;
let net: typeof import('node:net') | null = null;

export function childProcess(): typeof import('node:child_process') {
  return (cp ??= require('node:child_process') as typeof import('node:child_process'));
}

export function nodeNet(): typeof import('node:net') {
  return (net ??= require('node:net') as typeof import('node:net'));
}
