#!/usr/bin/env node
// The `sparsevd` command. This file is committed (not built) so that npm links it at install time, before
// the workspace is built; it runs the compiled CLI, or says how to build it when dist/ is not there yet.
import { existsSync } from 'node:fs';

const target = new URL('../dist/bin.js', import.meta.url);
if (existsSync(target)) {
  await import(target.href);
} else {
  process.stderr.write(
    'sparsevd: the command is not built yet (no dist/bin.js); in the sparsevd repository run: npm run build\n',
  );
  process.exitCode = 1;
}
