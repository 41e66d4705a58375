#!/usr/bin/env node
// Builds the native addon with node-gyp when a C++ compiler and OpenBLAS's CBLAS are present, and records
// the outcome in build/status.json. It never fails: without a compiler or CBLAS the package installs and
// reports itself unavailable (with the missing piece), and @sparsevd/backend falls back to wasm.
// As the package's install script it first looks for a prebuilt binary for this platform and architecture
// (prebuilds/<platform>-<arch>/, made by scripts/prebuild.mjs when the package is packed): when one loads, nothing
// is compiled. `--from-source` (the workspace's build) always compiles.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNodeGyp, multiarchOf, prebuildPath, runNodeGyp } from './node-gyp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const status = (available, reason) => {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(
    join(root, 'build', 'status.json'),
    `${JSON.stringify({ available, reason, builtAt: new Date().toISOString() })}\n`,
  );
  process.stdout.write(`@sparsevd/backend-native: ${available ? 'built' : `not built: ${reason}`}\n`);
};
const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

// Up to date: built, and newer than every source. Then nothing is rebuilt — a rebuild starts by deleting
// build/, which would pull the addon from under a process using it (tests running beside a build).
const binary = join(root, 'build', 'Release', 'sparsevd_native.node');
const upToDate = () => {
  if (!existsSync(binary) || process.env.SPARSEVD_NATIVE_REBUILD === '1') return false;
  const built = statSync(binary).mtimeMs;
  const sources = [
    join(root, 'binding.gyp'),
    ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f)),
  ];
  return sources.every((f) => statSync(f).mtimeMs <= built);
};

// Debian's multiarch directory for this machine (macOS uses Accelerate, which ships with the system).
const multiarch = multiarchOf() ?? 'x86_64-linux-gnu';

const fromSource = process.argv.includes('--from-source');
const prebuilt = prebuildPath(root);
const prebuiltLoads = () =>
  existsSync(prebuilt) &&
  spawnSync(process.execPath, ['-e', `require(${JSON.stringify(prebuilt)})`], { stdio: 'ignore' }).status ===
    0;

if (process.env.SPARSEVD_NATIVE_SKIP === '1') {
  status(false, 'build skipped (SPARSEVD_NATIVE_SKIP=1)');
} else if (!fromSource && prebuiltLoads()) {
  process.stdout.write(
    `@sparsevd/backend-native: using the prebuilt binary for ${process.platform}-${process.arch}\n`,
  );
} else if (upToDate()) {
  process.stdout.write('@sparsevd/backend-native: up to date\n');
} else if (!has(process.env.CXX ?? 'c++') && !has('g++')) {
  status(false, 'no C++ compiler found (install one, e.g. apt-get install g++)');
} else if (
  process.platform !== 'darwin' &&
  ![
    `/usr/include/${multiarch}/cblas.h`,
    '/usr/include/cblas.h',
    '/usr/include/openblas/cblas.h',
    `/usr/include/${multiarch}/openblas-pthread/cblas.h`,
  ].some(existsSync)
) {
  status(false, 'no CBLAS header found (install OpenBLAS: apt-get install libopenblas-dev)');
} else {
  const gyp = findNodeGyp();
  if (gyp === undefined) {
    status(false, 'node-gyp not found (it ships with npm)');
  } else {
    try {
      runNodeGyp(gyp, root);
      status(true, '');
    } catch (error) {
      const detail = String(error.stderr ?? error.message)
        .split('\n')
        .filter((l) => /error/i.test(l))
        .slice(0, 2)
        .join(' ');
      status(false, `node-gyp build failed: ${detail || error.message}`.slice(0, 300));
    }
  }
}
