#!/usr/bin/env node
// The native backend's Conv2D for a few filters: the addon's conv2dSmall (taps read straight from the image, ≤ 32
// filters) against im2col + OpenBLAS GEMM (what Conv2D does for more filters), on the convolutions of a compacted
// LeNet-5-Caffe (batch 100): conv1 with 3 to 16 filters on the 28 × 28 image, conv2 with 3 input channels. One
// run, same thread count; medians; the two results compared (max |Δ|). Stop background training first.
// Usage: node tools/bench/small-conv.mjs [--repeats N]   (SPARSEVD_NATIVE_THREADS=1 for one thread)
import { cpuLine } from '@sparsevd/cli';
import { loadAddon } from '../../packages/backend-native/dist/addon.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--repeats');
const repeats = at >= 0 ? Number(argv[at + 1]) : 50;
const loaded = loadAddon();
if (!('addon' in loaded)) throw new Error(`the native addon is unavailable: ${loaded.reason}`);
const { addon } = loaded;

// [batch, h, w, channels, kernel, filters]
const SHAPES = [
  [100, 28, 28, 1, 5, 3],
  [100, 28, 28, 1, 5, 16],
  [100, 12, 12, 3, 5, 5],
  [100, 12, 12, 3, 5, 16],
  [100, 12, 12, 3, 5, 18],
  [100, 28, 28, 1, 5, 20],
  [100, 12, 12, 20, 5, 32],
];
const median = (fn) => {
  for (let i = 0; i < 5; i++) fn();
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(repeats / 2)];
};

process.stdout.write(
  `Conv2D on native, batch 100, valid, stride 1; median of ${repeats}; threads ${process.env.SPARSEVD_NATIVE_THREADS ?? 'default'}; ${cpuLine()}\n\n`,
);
process.stdout.write(
  '| x | filter | im2col + GEMM ms | conv2dSmall ms | speed-up | max \\|Δ\\| |\n|---|---|---|---|---|---|\n',
);
for (const [b, h, w, c, k, f] of SHAPES) {
  const oh = h - k + 1;
  const ow = w - k + 1;
  const geometry = [b, h, w, c, k, k, 1, 1, 1, 1, 0, 0, oh, ow];
  const x = Float32Array.from({ length: b * h * w * c }, (_, i) => Math.sin(i));
  const filter = Float32Array.from({ length: k * k * c * f }, (_, i) => Math.cos(i));
  const rows = b * oh * ow;
  const depth = k * k * c;
  const cols = new Float32Array(rows * depth);
  const viaGemm = new Float32Array(rows * f);
  const direct = new Float32Array(rows * f);
  const gemm = median(() => {
    addon.im2col(...geometry, x, cols);
    addon.sgemm(false, false, rows, f, depth, 1, cols, 0, depth, filter, 0, f, 0, viaGemm, 0, f);
  });
  const small = median(() => addon.conv2dSmall(geometry, f, x, filter, direct));
  let delta = 0;
  for (let i = 0; i < direct.length; i++) delta = Math.max(delta, Math.abs(direct[i] - viaGemm[i]));
  process.stdout.write(
    `| ${[b, h, w, c].join('×')} | ${[k, k, c, f].join('×')} | ${gemm.toFixed(3)} | ${small.toFixed(3)} | ${(gemm / small).toFixed(2)}× | ${delta.toExponential(1)} |\n`,
  );
}
