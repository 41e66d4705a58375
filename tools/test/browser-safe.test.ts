// Every library package imports in a browser bundle with no Node built-ins (issue 16). Their Node-only parts
// (reading and writing files) sit behind a `node` subpath, which must not bundle for the browser.
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
    '@sparsevd/datasets',
    '@sparsevd/train',
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

  it.each(['@sparsevd/pruning/node', '@sparsevd/datasets/node', '@sparsevd/train/node'])(
    'the Node-only subpath %s does not (it reads and writes files)',
    async (specifier) => {
      await expect(bundle(specifier)).rejects.toThrow(/node:/);
    },
    120_000,
  );
});
