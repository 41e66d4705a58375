#!/usr/bin/env node
// Measures the accuracy of native/fastmath.h against double precision (native/check/fastmath-ulp.cc): builds the
// check with g++ twice — as the fused kernels' baseline clone runs (no FMA) and as their x86-64-v4 clone does
// (AVX-512 with FMA contraction) — and prints the largest error of each function in float32 ulps.
// Usage: node scripts/fastmath-ulp.mjs   (needs g++; takes about 20 s)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, '..', 'native', 'check', 'fastmath-ulp.cc');
const dir = mkdtempSync(join(tmpdir(), 'fastmath-ulp-'));
try {
  for (const [label, flags] of [
    ['baseline x86-64 (no FMA)', ['-ffp-contract=off']],
    ['x86-64-v4 (AVX-512, FMA contraction)', ['-march=x86-64-v4', '-ffp-contract=fast']],
  ]) {
    const binary = join(dir, 'check');
    execFileSync('g++', [
      '-O3',
      '-std=c++17',
      '-fno-trapping-math',
      '-fno-math-errno',
      ...flags,
      source,
      '-o',
      binary,
    ]);
    process.stdout.write(`${label}\n${execFileSync(binary, { encoding: 'utf8' })}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
