import { batches, take } from '@sparsevd/datasets';
import { loadMnist } from '@sparsevd/datasets/node';
import {
  conv2d,
  dense,
  flatten,
  maxPool,
  type Params,
  relu,
  type Sequential,
  sequential,
} from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';

/** A seeded uniform in [0, 1) (mulberry32), for building masks. */
export const rng = (seed: number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * Sets log σ² of a SparseVD layer so that log α is +5 (pruned) where `pruned(index)` and −6 (kept)
 * elsewhere; returns the keep pattern.
 */
export const setPattern = (params: Params, layer: string, pruned: (index: number) => boolean): boolean[] => {
  const p = params[layer] as Record<string, tf.Variable>;
  const theta = p.theta as tf.Variable;
  const keep = Array.from({ length: theta.size }, (_, i) => !pruned(i));
  p.logSigma2?.assign(
    tf.tidy(() =>
      tf.add(
        tf.log(tf.add(tf.square(theta), 1e-8)),
        tf.tensor(
          keep.map((k) => (k ? -6 : 5)),
          theta.shape,
        ),
      ),
    ),
  );
  return keep;
};

/** The first `count` MNIST test images as one batch, flat or NHWC. */
export const mnistBatch = async (count: number, layout: 'flat' | 'nhwc'): Promise<tf.Tensor> => {
  const loaded = await loadMnist()();
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  const [batch] = batches(take(loaded.right.test, count), { batchSize: count, shuffle: false, layout });
  if (batch === undefined) throw new Error('no batch');
  batch.y.dispose();
  return batch.x;
};

/** Eval-mode outputs as numbers. */
export const evalOutputs = (
  network: Sequential,
  params: Params,
  x: tf.Tensor,
  mode: 'eval' | 'mean' = 'eval',
): Float32Array => tf.tidy(() => network.apply(params, x, mode).dataSync() as Float32Array);

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i += 1) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

/**
 * The two LeNets of the paper, built here from layers (pruning may not depend on @sparsevd/models, which
 * sits beside it in the package arrows).
 */
export const lenets = () => {
  return {
    lenet300100: {
      network: sequential([
        dense({ units: 300, name: 'fc1' }),
        relu(),
        dense({ units: 100, name: 'fc2' }),
        relu(),
        dense({ units: 10, name: 'fc3' }),
      ]),
      inputShape: [784],
    },
    lenet5: {
      network: sequential([
        conv2d({ filters: 20, kernelSize: 5, name: 'conv1' }),
        relu(),
        maxPool({ poolSize: 2 }),
        conv2d({ filters: 50, kernelSize: 5, name: 'conv2' }),
        relu(),
        maxPool({ poolSize: 2 }),
        flatten(),
        dense({ units: 500, name: 'fc1' }),
        relu(),
        dense({ units: 10, name: 'fc2' }),
      ]),
      inputShape: [28, 28, 1],
    },
  };
};
