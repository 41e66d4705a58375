#!/usr/bin/env node
// Regenerates docs/results.md (and its figures under docs/results/figures/) from the committed runs alone.
// Usage: node tools/repro/report.mjs [--check]
//   --check: write nothing; exit 1 naming each file that differs from a fresh generation (CI runs this).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildResults } from './results.mjs';
import { ROOT } from './specs.mjs';

const RESULTS_MD = join(ROOT, 'docs', 'results.md');
const FIGURES = join(ROOT, 'docs', 'results', 'figures');

const { markdown, figures } = await buildResults();
const files = [
  [RESULTS_MD, markdown],
  ...Object.entries(figures).map(([name, svg]) => [join(FIGURES, name), svg]),
];
if (process.argv.includes('--check')) {
  const stale = files.filter(([path, text]) => !existsSync(path) || readFileSync(path, 'utf8') !== text);
  if (stale.length > 0) {
    process.stderr.write(
      `docs/results.md is not what the committed runs generate (${stale.map(([p]) => p.slice(ROOT.length + 1)).join(', ')}); run: node tools/repro/report.mjs\n`,
    );
    process.exit(1);
  }
  process.stdout.write('docs/results.md is up to date with docs/results/runs\n');
} else {
  mkdirSync(FIGURES, { recursive: true });
  for (const [path, text] of files) writeFileSync(path, text);
  process.stdout.write(`wrote ${files.map(([p]) => p.slice(ROOT.length + 1)).join(', ')}\n`);
}
