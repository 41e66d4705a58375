import { disposeParams } from '@sparsevd/layers';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadRunData, type TrainConfig, type TrainEvent, train } from '../src/index.js';
import { useBackend } from './backends.js';

const base: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 1,
  batchSize: 50,
  trainSubset: 500,
  testSubset: 200,
  seed: 5,
};

const run = async (config: TrainConfig) => {
  const data = await loadRunData(config)();
  if (E.isLeft(data)) throw new Error(data.left.message);
  const events: TrainEvent[] = [];
  const result = await train(config, data.right, { onEvent: (e) => events.push(e) })();
  if (E.isLeft(result)) throw new Error(result.left.message);
  disposeParams(result.right.params);
  return { data: data.right, events, metrics: result.right.metrics };
};

describe('training variants', () => {
  beforeAll(() => useBackend('wasm'));

  it('--dense trains the plain baseline: no KL, no pruning, compression 1', async () => {
    const { metrics, events } = await run({ ...base, dense: true });
    expect(events.find((e) => e.type === 'phase')).toMatchObject({ phase: 'dense' });
    expect(metrics[0]).toMatchObject({ phase: 'dense', kl: 0, compression: 1, layers: [] });
    expect(metrics[0]?.testError).toBeLessThan(0.5);
  });

  it('--random-labels replaces the training labels, reproducibly from the seed', async () => {
    const plain = await loadRunData(base)();
    const shuffled = await loadRunData({ ...base, randomLabels: true })();
    if (E.isLeft(plain) || E.isLeft(shuffled)) throw new Error('load failed');
    const same = plain.right.train.labels.filter((l, i) => l === shuffled.right.train.labels[i]).length;
    expect(same).toBeLessThan(100); // about 1 in 10 agree by chance
    expect(shuffled.right.train.images).toEqual(plain.right.train.images); // the same images
    const again = await loadRunData({ ...base, randomLabels: true })();
    expect(E.isRight(again) && again.right.train.labels).toEqual(shuffled.right.train.labels);
    expect(shuffled.right.test.labels).toEqual(plain.right.test.labels); // the test set keeps its labels
  });

  it('--pretrain-epochs trains a dense network with dropout and L2 first, then SparseVD from its weights', async () => {
    const { events, metrics } = await run({ ...base, pretrainEpochs: 1, logSigma2Init: -15 });
    const phases = events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase);
    expect(phases).toEqual(['pretrain', 'sparsevd']);
    expect(
      events
        .filter((e) => e.type === 'epoch-end')
        .map((e) => (e as { metrics: { phase: string } }).metrics.phase),
    ).toEqual(['pretrain', 'sparsevd']);
    // The run's metrics are the SparseVD phase's; starting from the pretrained weights it ends better than
    // the same SparseVD epoch from scratch.
    expect(metrics).toHaveLength(1);
    expect(metrics[0]?.phase).toBe('sparsevd');
    const scratch = await run(base);
    expect(metrics[0]?.testError).toBeLessThan(scratch.metrics[0]?.testError as number);
  });
});
