#!/usr/bin/env node
// Fails (exit 1) when a package breaks the arrows of shared/design.md section 2 or has an import cycle.
// Usage: node tools/deps/check.mjs <package dir>...   (run by every package's build script)
import { readFileSync } from 'node:fs';
import { checkPackage } from './check-lib.mjs';

const arrows = JSON.parse(readFileSync(new URL('./arrows.json', import.meta.url), 'utf8'));
const dirs = process.argv.slice(2);
const problems = (dirs.length > 0 ? dirs : ['.']).flatMap((dir) => checkPackage(dir, arrows));
for (const problem of problems) process.stderr.write(`dependency check: ${problem}\n`);
process.exitCode = problems.length > 0 ? 1 : 0;
