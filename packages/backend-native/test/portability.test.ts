import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The addon's sources must build off x86-64: x86 intrinsics and target attributes only behind `__x86_64__`
// (native/simd.h), so arm64 gets the baseline version of every vectorised kernel. Checked by compiling every
// source with Debian's aarch64 cross compiler (compile only: no arm64 OpenBLAS or Node is linked). The CBLAS
// header is the x86-64 package's unless the arm64 one is installed: the API it declares is the same.
// CI installs g++-aarch64-linux-gnu and must run this.
const compiler = 'aarch64-linux-gnu-g++';
const required = process.env.CI === 'true';
const present = spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status === 0;
if (!present && !required) process.stderr.write(`portability.test.ts skipped: ${compiler} is not on PATH\n`);

const native = fileURLToPath(new URL('../native/', import.meta.url));
const blasHeaders = [
  '/usr/include/aarch64-linux-gnu/openblas-pthread',
  '/usr/include/x86_64-linux-gnu/openblas-pthread',
]
  .filter((dir) => existsSync(dir))
  .slice(0, 1);
const nodeHeaders = [
  '/usr/include/node',
  `${process.execPath.replace(/\/bin\/node$/, '')}/include/node`,
].find((dir) => existsSync(`${dir}/node_api.h`));

describe.runIf(present || required)('the native sources compile for aarch64', () => {
  const sources = readdirSync(native).filter((f) => f.endsWith('.cc'));

  it('finds the sources and headers', () => {
    expect(sources.length).toBeGreaterThanOrEqual(4);
    expect(nodeHeaders, 'node_api.h').toBeDefined();
    expect(blasHeaders.length, 'cblas.h (apt-get install libopenblas-dev)').toBe(1);
  });

  it.each(sources)('%s', { timeout: 180_000 }, (source) => {
    expect(() =>
      execFileSync(
        compiler,
        [
          '-std=c++17',
          '-O2',
          '-fno-exceptions',
          '-Wall',
          `-I${nodeHeaders}`,
          ...blasHeaders.map((dir) => `-I${dir}`),
          '-c',
          `${native}${source}`,
          '-o',
          '/dev/null',
        ],
        { stdio: 'pipe' },
      ),
    ).not.toThrow();
  });
});
