import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Rows = Array<Array<string | undefined>>;

/**
 * Runs one benchmark by itself (`node dist/bench/X.js`): one busybox container
 * named flood in a private lxcpath, removed afterwards whatever happens.
 * Does nothing when the module was imported by run.ts instead.
 */
export function runStandaloneIfMain(moduleUrl: string, lxcpath: string, bench: (lxcpath: string, name: string) => Promise<Rows>): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  standalone(lxcpath, bench).catch((e) => {
    console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}

async function standalone(lxcpath: string, bench: (lxcpath: string, name: string) => Promise<Rows>): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run the benchmark as root');
  const name = 'flood';
  const clean = () => {
    spawnSync('lxc-stop', ['-k', '-P', lxcpath, '-n', name]);
    spawnSync('lxc-destroy', ['-f', '-P', lxcpath, '-n', name]);
    fs.rmSync(lxcpath, { recursive: true, force: true });
  };
  clean();
  try {
    fs.mkdirSync(lxcpath, { recursive: true });
    execFileSync('lxc-create', ['-P', lxcpath, '-t', 'busybox', '-n', name], { stdio: 'ignore' });
    execFileSync('lxc-start', ['-P', lxcpath, '-n', name]);
    for (const r of await bench(lxcpath, name)) console.log(r.filter(Boolean).join(' | '));
  } finally {
    clean();
  }
}
