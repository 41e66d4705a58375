import { selectBackend } from '@sparsevd/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TrainConfig, train } from '../src/index.js';
import { loadRunData } from '../src/node/index.js';

// Every synchronous read stalls a GPU backend (webgl waits for the device): a training step may read one
// tensor — the batch's loss terms, for progress and the non-finite check — and nothing in a layer, a
// gradient or the optimizer may read at all. Counted on `cpu` (composed ops), where every `dataSync` is a
// backend readSync, and on `native` (the fused kernels and their gradients) where it is built — in CI always.
const runs: ReadonlyArray<readonly [string, Partial<TrainConfig>]> = [
  ['LeNet-300-100 with train-clip', { model: 'lenet300', trainClip: true }],
  ['LeNet-5-Caffe', { model: 'lenet5', trainClip: false }],
  ['LeNet-300-100 with Kingma et al.’s KL', { model: 'lenet300', kl: 'kingma' }],
  ['the dense baseline', { model: 'lenet300', dense: true }],
];

const native = await selectBackend({ backend: 'native', env: {} })();
const backends: ReadonlyArray<'cpu' | 'native'> =
  E.isRight(native) || process.env.CI === 'true' ? ['cpu', 'native'] : ['cpu'];

describe.each(backends)('synchronous reads of a training step on %s', (name) => {
  it.each(runs)('%s: exactly one read per step', async (_, overrides) => {
    const chosen = await selectBackend({ backend: name, env: {} })();
    if (E.isLeft(chosen)) throw new Error(chosen.left.message);
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      ...overrides,
      epochs: 1,
      batchSize: 10,
      trainSubset: 40,
      testSubset: 10,
      // The KL weight is > 0 from the first step, so the KL and its gradient run in every counted step.
      klSchedule: { kind: 'constant', value: 0.5 },
    };
    // The data of the model's input shape (flat for LeNet-300-100, images for LeNet-5-Caffe).
    const loaded = await loadRunData(config)();
    if (E.isLeft(loaded)) throw new Error(loaded.left.message);
    const data = loaded.right;
    const backend = tf.backend();
    const readSync = backend.readSync;
    let reads = 0;
    backend.readSync = (id: tf.DataId) => {
      reads += 1;
      return readSync.call(backend, id);
    };
    const atStep: number[] = [];
    try {
      const result = await train(config, data, {
        onEvent: (e) => {
          if (e.type === 'step') atStep.push(reads);
        },
      })();
      if (E.isLeft(result)) throw new Error(result.left.message);
      tf.dispose(Object.values(result.right.params));
    } finally {
      backend.readSync = readSync;
    }
    // Reads between consecutive step events are the reads of one whole step (4 steps: 3 differences).
    expect(atStep).toHaveLength(4);
    const perStep = atStep.slice(1).map((r, i) => r - (atStep[i] as number));
    expect(perStep).toEqual([1, 1, 1]);
  });
});
