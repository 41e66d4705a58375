import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module without types
import { checkPackage } from '../deps/check-lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arrows = JSON.parse(readFileSync(join(root, 'tools', 'deps', 'arrows.json'), 'utf8'));

/** Writes a throw-away package: files maps a relative path to its contents. */
const fakePackage = (
  name: string,
  files: Record<string, string>,
  deps: Record<string, string> = {},
  devDeps = {},
) => {
  const dir = mkdtempSync(join(tmpdir(), 'deps-check-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, dependencies: deps, devDependencies: devDeps }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
};

describe('the dependency-arrow and cycle check', () => {
  it('passes a package that imports only what the arrows allow', () => {
    const dir = fakePackage(
      '@sparsevd/layers',
      {
        'src/index.ts': "export * from './dense.js';",
        'src/dense.ts': "import { klSum } from '@sparsevd/kl';\nexport const d = klSum;",
      },
      { '@sparsevd/kl': '0.1.0' },
    );
    expect(checkPackage(dir, arrows)).toEqual([]);
  });

  it('fails on an import against the arrows (kl importing layers)', () => {
    const dir = fakePackage('@sparsevd/kl', {
      'src/molchanov.ts': "import { dense } from '@sparsevd/layers';\nexport const x = dense;",
    });
    expect(checkPackage(dir, arrows)).toEqual([
      'src/molchanov.ts: imports "@sparsevd/layers", against the arrows (kl may use: kernels)',
    ]);
  });

  it('fails on a dynamic import and on a package.json dependency against the arrows', () => {
    const dir = fakePackage(
      '@sparsevd/datasets',
      { 'src/a.ts': "export const load = () => import('@sparsevd/train');" },
      { '@sparsevd/train': '0.1.0' },
    );
    const problems = checkPackage(dir, arrows);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/dependencies has @sparsevd\/train, against the arrows/);
    expect(problems[1]).toMatch(/src\/a\.ts: imports "@sparsevd\/train", against the arrows/);
  });

  it('allows tests (not sources) to use @sparsevd/backend to pick a backend', () => {
    const files = { 'test/a.test.ts': "import { selectBackend } from '@sparsevd/backend';" };
    const ok = fakePackage('@sparsevd/kl', files, {}, { '@sparsevd/backend': '0.1.0' });
    expect(checkPackage(ok, arrows)).toEqual([]);
    const bad = fakePackage(
      '@sparsevd/kl',
      { 'src/a.ts': "import { selectBackend } from '@sparsevd/backend';" },
      {},
      { '@sparsevd/backend': '0.1.0' },
    );
    expect(checkPackage(bad, arrows)[0]).toMatch(
      /src\/a\.ts: imports "@sparsevd\/backend", against the arrows/,
    );
  });

  it('fails on an undeclared workspace import and on an unknown package', () => {
    const dir = fakePackage('@sparsevd/estimators', { 'src/a.ts': "import '@sparsevd/kl';" });
    expect(checkPackage(dir, arrows)).toEqual([
      'src/a.ts: imports "@sparsevd/kl" but @sparsevd/estimators\'s package.json does not declare it',
    ]);
    expect(checkPackage(fakePackage('@sparsevd/utils', {}), arrows)[0]).toMatch(
      /not in tools\/deps\/arrows\.json/,
    );
  });

  it('fails on an import cycle between files, naming the cycle', () => {
    const dir = fakePackage('@sparsevd/kl', {
      'src/a.ts': "import { b } from './b.js';\nexport const a = () => b;",
      'src/b.ts': "import { c } from './internal/c.js';\nexport const b = c;",
      'src/internal/c.ts': "import type { a } from '../a.js';\nexport const c = 1 as unknown as typeof a;",
    });
    expect(checkPackage(dir, arrows)).toEqual([
      'import cycle: src/a.ts -> src/b.ts -> src/internal/c.ts -> src/a.ts',
    ]);
  });

  it('finds every package of this repository clean and listed', () => {
    const packages = readdirSync(join(root, 'packages'));
    expect(packages.length).toBeGreaterThan(0);
    for (const name of packages) expect(checkPackage(join(root, 'packages', name), arrows)).toEqual([]);
  });
});
