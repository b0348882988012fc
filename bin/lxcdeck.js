#!/usr/bin/env node
import { main } from '../dist/src/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`lxcdeck: ${e?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
