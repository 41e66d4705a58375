import { type Dataset, exampleSize, size } from './dataset.js';

/**
 * Per-channel mean and standard deviation of the pixel values scaled to [0, 1] (bytes / 255; float
 * datasets as they are), over the whole dataset, in float64. MNIST's training set: mean ≈ 0.1307.
 */
export const channelStats = (dataset: Dataset): { readonly mean: number[]; readonly std: number[] } => {
  const channels = (dataset.shape[dataset.shape.length - 1] as number) ?? 1;
  const scale = dataset.images instanceof Uint8Array ? 1 / 255 : 1;
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const total = size(dataset) * exampleSize(dataset);
  for (let i = 0; i < total; i += 1) {
    const c = i % channels;
    const v = (dataset.images[i] as number) * scale;
    sum[c] = (sum[c] as number) + v;
    sumSq[c] = (sumSq[c] as number) + v * v;
  }
  const count = total / channels;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(0, s / count - (mean[c] as number) ** 2)));
  return { mean, std };
};
