#!/usr/bin/env node
// The main job's and the tests' own set-up for @sparsevd/backend-native: a C++ compiler and OpenBLAS's CBLAS
// (Debian's g++ and libopenblas-dev) installed when missing and possible, then the addon built (node-gyp,
// about 10 s, skipped when it is already built). Without them the package reports itself unavailable and
// training runs on wasm. Run as `npm start`'s `prestart`; also imported by ensure-test-data.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackages } from './apt-ensure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const native = join(root, 'packages', 'backend-native');

/** Installs what the addon needs when missing, then builds the addon unless it is built. */
export const ensureNativeBackend = (tool) => {
  const ok = ensurePackages({
    tool,
    markers: [
      '/usr/include/x86_64-linux-gnu/cblas.h',
      '/usr/include/cblas.h',
      '/usr/include/openblas/cblas.h',
      '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h',
    ],
    packages: ['g++', 'libopenblas-dev'],
    purpose: 'a C++ compiler and OpenBLAS for the native backend',
    missing: 'the native backend cannot be built, so training runs on wasm and its tests skip (fail in CI)',
  });
  if (ok && !existsSync(join(native, 'build', 'Release', 'sparsevd_native.node'))) {
    spawnSync(process.execPath, [join(native, 'scripts', 'build-addon.mjs')], {
      stdio: 'inherit',
      cwd: native,
    });
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureNativeBackend('ensure-native');
