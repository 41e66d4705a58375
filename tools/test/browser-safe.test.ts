// The library packages that are browser-safe so far import in a browser bundle with no Node built-ins (issue
// 16 asks it of all of them; datasets and train still read files through node:fs and are not listed yet). Their
// Node-only parts sit behind a `node` subpath, which must not bundle for the browser.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'sparsevd-browser-'));

const bundle = async (specifier: string) => {
  const entry = join(dir, `${specifier.replace(/[@/]/g, '_')}.mjs`);
  writeFileSync(entry, `export * from '${specifier}';\n`);
  return build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'silent',
  });
};

describe('library packages in a browser bundle', () => {
  it.each([
    '@sparsevd/kernels',
    '@sparsevd/kl',
    '@sparsevd/estimators',
    '@sparsevd/layers',
    '@sparsevd/layers/tfjs-layers',
    '@sparsevd/models',
    '@sparsevd/pruning',
  ])(
    '%s bundles for the browser with no node: import',
    async (specifier) => {
      const result = await bundle(specifier);
      expect(result.errors).toEqual([]);
      const code = result.outputFiles.map((f) => f.text).join('\n');
      expect(code).not.toMatch(/from ["']node:|require\(["']node:/);
    },
    120_000,
  );

  it('the Node-only subpath does not (it reads and writes files)', async () => {
    await expect(bundle('@sparsevd/pruning/node')).rejects.toThrow(/node:/);
  }, 120_000);
});
