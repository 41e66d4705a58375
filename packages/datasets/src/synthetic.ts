import type { Dataset } from './dataset.js';
import { mixSeed, normal, uniform } from './internal/rng.js';

/**
 * The paper's memorisation experiment (Molchanov et al. 2017, section 5.4, after Zhang et al. 2017): the
 * same images with every label drawn uniformly at random from the classes, reproducibly from `seed`.
 * SparseVD then removes every weight and predicts a constant, while a dense network memorises.
 */
export const randomLabels = (dataset: Dataset, seed: number): Dataset => {
  const next = uniform(mixSeed(seed, 0x5eed));
  const labels = Uint8Array.from(dataset.labels, () => Math.floor(next() * dataset.classes));
  return { ...dataset, name: `${dataset.name}+random-labels`, labels };
};

/** Options of {@link toyClassification}. */
export interface ToyClassificationOptions {
  /** Number of examples. */
  readonly count: number;
  /** Features that carry the class (first in each example). */
  readonly informative: number;
  /** Pure N(0, 1) noise features after them. */
  readonly noise: number;
  /** Number of classes (default 2). */
  readonly classes?: number;
  /** Distance scale of the class means along the informative features (default 1.5). */
  readonly separation?: number;
  readonly seed: number;
}

/**
 * A seeded toy classification set: each class has a random ±`separation` mean on the informative
 * features (every informative feature separates at least two classes); examples are that mean plus
 * N(0, 1) noise; the noise features are N(0, 1) and carry nothing.
 * A SparseVD model should keep the informative inputs and prune the others.
 */
export const toyClassification = (options: ToyClassificationOptions): Dataset => {
  const { count, informative, noise, classes = 2, separation = 1.5, seed } = options;
  for (const [name, v, min] of [
    ['count', count, 1],
    ['informative', informative, 1],
    ['noise', noise, 0],
    ['classes', classes, 2],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`toyClassification: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
  if (classes > 255) throw new RangeError(`toyClassification: classes must be ≤ 255, got ${classes}`);
  const pick = uniform(mixSeed(seed, 1));
  const gauss = normal(mixSeed(seed, 2));
  const features = informative + noise;
  const means = Float32Array.from({ length: classes * informative }, () =>
    pick() < 0.5 ? -separation : separation,
  );
  // Every informative feature must tell some classes apart: where all classes drew the same sign, flip one.
  for (let j = 0; j < informative; j += 1) {
    const first = means[j] as number;
    if (Array.from({ length: classes }, (_, c) => means[c * informative + j]).every((m) => m === first)) {
      const c = j % classes;
      means[c * informative + j] = -first;
    }
  }
  const images = new Float32Array(count * features);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i += 1) {
    const c = Math.floor(pick() * classes);
    labels[i] = c;
    for (let j = 0; j < features; j += 1)
      images[i * features + j] = (j < informative ? (means[c * informative + j] as number) : 0) + gauss();
  }
  return { name: `toy-classification(${informative}+${noise})`, images, labels, shape: [features], classes };
};

/** A regression set: features, targets and the true coefficients. */
export interface RegressionSet {
  /** `[count, features]`, row-major. */
  readonly x: Float32Array;
  /** `[count]`. */
  readonly y: Float32Array;
  readonly features: number;
  /** The coefficients of the informative features (the rest are 0). */
  readonly weights: Float32Array;
}

/**
 * A seeded toy regression set: y = x[:, :informative]·w + N(0, noiseStd²), x ~ N(0, 1), w ~ N(0, 1) — the
 * remaining `noise` features carry nothing.
 */
export const toyRegression = (options: {
  readonly count: number;
  readonly informative: number;
  readonly noise: number;
  readonly noiseStd?: number;
  readonly seed: number;
}): RegressionSet => {
  const { count, informative, noise, noiseStd = 0.1, seed } = options;
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`toyRegression: count must be a positive integer, got ${count}`);
  if (!Number.isInteger(informative) || informative < 1 || !Number.isInteger(noise) || noise < 0) {
    throw new RangeError('toyRegression: informative must be ≥ 1 and noise ≥ 0, both integers');
  }
  if (!(noiseStd >= 0)) throw new RangeError(`toyRegression: noiseStd must be ≥ 0, got ${noiseStd}`);
  const gauss = normal(mixSeed(seed, 3));
  const features = informative + noise;
  const weights = Float32Array.from({ length: informative }, () => gauss());
  const x = Float32Array.from({ length: count * features }, () => gauss());
  const y = Float32Array.from({ length: count }, (_, i) => {
    let s = noiseStd * gauss();
    for (let j = 0; j < informative; j += 1) s += (x[i * features + j] as number) * (weights[j] as number);
    return s;
  });
  return { x, y, features, weights };
};
