import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dense, disposeParams, namedVariables, relu, sequential } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type RunData, runDataFromTensors, type TrainConfig, train } from '../src/index.js';
import { fileCheckpointStore, readCheckpoint } from '../src/node/index.js';
import { useBackend } from './backends.js';

// A network of the test's own (not a preset) on data of its own (tensors): the class is the sign of
// x0 + x1; features 2–9 are noise, which SparseVD should cut off.
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 40,
  batchSize: 50,
  lr: 1e-2,
  trainClip: false,
  klSchedule: { kind: 'linear', start: 1, end: 4 },
  lrSchedule: { kind: 'constant' },
  seed: 3,
};
const net = () => sequential([dense({ units: 8, name: 'h' }), relu(), dense({ units: 2, name: 'out' })]);
const split = (n: number, seed: number) => {
  const x = tf.randomNormal([n, 10], 0, 1, 'float32', seed);
  const labels = tf.tidy(() => tf.cast(tf.greater(tf.sum(tf.slice(x, [0, 0], [n, 2]), 1), 0), 'int32'));
  return { x, labels };
};

let data: RunData;
beforeAll(async () => {
  await useBackend('cpu');
  const made = await runDataFromTensors({ train: split(400, 1), test: split(200, 2) })();
  if (E.isLeft(made)) throw new Error(made.left.message);
  data = made.right;
});

describe('train with a network and data of your own', () => {
  it('trains it, sparsifies the noise features, and resumes it bit for bit', async () => {
    const network = { network: net(), inputShape: [10] };
    const full = await train(config, data, { network })();
    if (E.isLeft(full)) throw new Error(full.left.message);
    const last = full.right.metrics.at(-1);
    expect(last?.testError).toBeLessThan(0.1);
    expect(last?.compression).toBeGreaterThan(2);
    expect(full.right.network.names).toEqual(['h', 'relu_1', 'out']);
    // The first layer keeps weights on the two features that decide the class, fewer on the noise.
    // (The network's log α lists layer h's 10 × 8 weights first, row by row.)
    const la = full.right.network.logAlpha(full.right.params) as tf.Tensor;
    const kept: number[] = Array.from(la.dataSync().slice(0, 80), (v) => (v < 3 ? 1 : 0));
    la.dispose();
    const perRow = (rows: number[]) =>
      rows.reduce((sum, r) => sum + kept.slice(r * 8, r * 8 + 8).reduce((a, b) => a + b, 0), 0) / rows.length;
    expect(perRow([0, 1])).toBeGreaterThan(2 * perRow([2, 3, 4, 5, 6, 7, 8, 9]));

    const path = join(mkdtempSync(join(tmpdir(), 'sparsevd-any-')), 'run.ckpt');
    let steps = 0;
    const first = await train(config, data, {
      network,
      checkpoints: fileCheckpointStore(path),
      shouldStop: () => ++steps === 30,
    })();
    if (E.isLeft(first)) throw new Error(first.left.message);
    expect(first.right.interrupted).toBe(true);
    disposeParams(first.right.params);
    const checkpoint = await readCheckpoint(path)();
    if (E.isLeft(checkpoint)) throw new Error(checkpoint.left.message);
    const resumed = await train(config, data, { network, resume: checkpoint.right })();
    if (E.isLeft(resumed)) throw new Error(resumed.left.message);
    const a = namedVariables(full.right.params);
    const b = namedVariables(resumed.right.params);
    for (const name of Object.keys(a))
      expect(Array.from((b[name] as tf.Variable).dataSync())).toEqual(
        Array.from((a[name] as tf.Variable).dataSync()),
      );
    disposeParams(full.right.params);
    disposeParams(resumed.right.params);
  });

  it("with Kingma et al.'s KL it sparsifies within the range where that KL holds (pruned at log α ≥ 0)", async () => {
    // kingmaKl stops at α = 1 (log α clipped to ≤ 0 in the KL), so weights are pushed to log α ≥ 0, not to 3:
    // the layers prune at their own threshold 0, the largest dropout rate (0.5) that KL describes.
    const network = sequential([
      dense({ units: 8, name: 'h', threshold: 0 }),
      relu(),
      dense({ units: 2, name: 'out', threshold: 0 }),
    ]);
    const run = await train({ ...config, kl: 'kingma' }, data, { network: { network, inputShape: [10] } })();
    if (E.isLeft(run)) throw new Error(run.left.message);
    const last = run.right.metrics.at(-1);
    expect(last?.testError).toBeLessThan(0.1);
    expect(last?.compression).toBeGreaterThan(2);
    disposeParams(run.right.params);
  });

  it('says when the network does not fit the data or the configuration', async () => {
    const wrong = await train(config, data, { network: { network: net(), inputShape: [12] } })();
    expect(E.isLeft(wrong) && wrong.left.message).toBe(
      "network: takes examples of shape [12] but the data's are [10] (flat)",
    );
    const pretrain = await train({ ...config, pretrainEpochs: 2, logSigma2Init: -15 }, data, {
      network: { network: net(), inputShape: [10] },
    })();
    expect(E.isLeft(pretrain) && pretrain.left.message).toMatch(
      /^pretrainEpochs: pretraining builds the dense twin/,
    );
    const bad = await runDataFromTensors({
      train: { x: tf.tensor2d([[1, Number.NaN]]), labels: tf.tensor1d([0], 'int32') },
      test: split(4, 5),
    })();
    expect(E.isLeft(bad) && bad.left.message).toBe('runDataFromTensors: train.x holds NaN at index 1');
  });
});
