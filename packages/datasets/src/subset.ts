import { type Dataset, exampleSize, size } from './dataset.js';

/** A new dataset of the examples at `indices`, in that order (copied, so the original can be dropped). */
export const subset = (dataset: Dataset, indices: ArrayLike<number>, name = dataset.name): Dataset => {
  const per = exampleSize(dataset);
  const images =
    dataset.images instanceof Uint8Array
      ? new Uint8Array(indices.length * per)
      : new Float32Array(indices.length * per);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i += 1) {
    const k = indices[i] as number;
    if (!(k >= 0 && k < size(dataset)))
      throw new RangeError(`subset: index ${k} is outside ${dataset.name} (0–${size(dataset) - 1})`);
    images.set(dataset.images.subarray(k * per, (k + 1) * per), i * per);
    labels[i] = dataset.labels[k] as number;
  }
  return { ...dataset, name, images, labels };
};

/** The first `count` examples (all when the dataset is smaller), e.g. for a quick run. */
export const take = (dataset: Dataset, count: number): Dataset => {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`take: count must be a non-negative integer, got ${count}`);
  const n = Math.min(count, size(dataset));
  return subset(
    dataset,
    Uint32Array.from({ length: n }, (_, i) => i),
    `${dataset.name}[:${n}]`,
  );
};
