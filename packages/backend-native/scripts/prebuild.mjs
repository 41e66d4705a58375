#!/usr/bin/env node
// Makes the prebuilt binary the npm package ships for this platform and architecture (the package's `prepack`):
// the addon compiled in a scratch copy of binding.gyp and native/, with OpenBLAS linked statically (its symbols
// hidden, so another OpenBLAS in the same process cannot clash) and libstdc++ / libgcc static too, then written to
// prebuilds/<platform>-<arch>/sparsevd_native.node. A user's install then compiles nothing: no compiler, no
// OpenBLAS package, and npm 11's blocked install scripts do not matter. The binary needs only glibc (2.34 or
// newer: the one it was linked against here) and libm.
// Reports on stderr (npm pack --json owns stdout). Fails (exit 1) when it cannot make the binary — a package packed without it would build from source only —
// unless SPARSEVD_PREBUILD_SKIP=1.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNodeGyp, multiarchOf, prebuildPath, runNodeGyp } from './node-gyp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`@sparsevd/backend-native prebuild: ${line}\n`);
const stop = (reason) => {
  if (process.env.SPARSEVD_PREBUILD_SKIP === '1') {
    say(`skipped (${reason})`);
    process.exit(0);
  }
  process.stderr.write(
    `@sparsevd/backend-native prebuild: ${reason} (SPARSEVD_PREBUILD_SKIP=1 packs without it)\n`,
  );
  process.exit(1);
};

if (process.platform !== 'linux') stop(`no static OpenBLAS recipe for ${process.platform}`);
const multiarch = multiarchOf();
if (multiarch === undefined) stop(`no prebuild recipe for ${process.arch}`);
const staticBlas = [
  `/usr/lib/${multiarch}/openblas-pthread/libopenblas.a`,
  `/usr/lib/${multiarch}/libopenblas.a`,
].find(existsSync);
if (staticBlas === undefined) stop('no static OpenBLAS (apt-get install libopenblas-dev)');
const gyp = findNodeGyp();
if (gyp === undefined) stop('node-gyp not found (it ships with npm)');

const work = mkdtempSync(join(tmpdir(), 'sparsevd-prebuild-'));
try {
  cpSync(join(root, 'binding.gyp'), join(work, 'binding.gyp'));
  cpSync(join(root, 'native'), join(work, 'native'), { recursive: true });
  try {
    runNodeGyp(gyp, work, { openblas_static: staticBlas });
  } catch (error) {
    stop(
      `node-gyp failed: ${String(error.stderr ?? error.message)
        .split('\n')
        .filter((l) => /error/i.test(l))
        .slice(0, 2)
        .join(' ')}`,
    );
  }
  const built = join(work, 'build', 'Release', 'sparsevd_native.node');
  // Self-contained: no OpenBLAS (or libstdc++) among the libraries it asks the loader for.
  const needed = execFileSync('readelf', ['-d', built], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('(NEEDED)'))
    .map((l) => l.replace(/.*\[(.*)\].*/, '$1'));
  const unexpected = needed.filter((lib) => !/^(libc|libm|libpthread|libdl|ld-linux.*)\.so/.test(lib));
  if (unexpected.length > 0) stop(`the binary still needs ${unexpected.join(', ')}`);
  const out = prebuildPath(root);
  mkdirSync(dirname(out), { recursive: true });
  cpSync(built, out);
  const check = spawnSync(
    process.execPath,
    [
      '-e',
      `const a = require(${JSON.stringify(out)}); process.stdout.write(a.blasInfo().split(' ').slice(0, 2).join(' '))`,
    ],
    { encoding: 'utf8' },
  );
  if (check.status !== 0) stop(`the binary does not load: ${check.stderr.split('\n')[0]}`);
  say(`${out.slice(root.length + 1)} (${check.stdout}, static; needs ${needed.join(', ')})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
