import { disposeParams, namedVariables } from '@sparsevd/layers';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  evaluate,
  type StoredTensor,
  type TrainConfig,
  type TrainEvent,
  train,
  validateConfig,
} from '../src/index.js';
import { loadRunData } from '../src/node/index.js';
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

  it('magnitude pruning of the dense baseline follows the cubic schedule, holds removed weights at 0, and resumes from the zeros', async () => {
    const config: TrainConfig = {
      ...base,
      dense: true,
      epochs: 4,
      magnitude: { sparsity: [0.9, 0.8, 0.5], startEpoch: 1, endEpoch: 3 },
    };
    const data = await loadRunData(config)();
    if (E.isLeft(data)) throw new Error(data.left.message);
    const full = await train(config, data.right)();
    if (E.isLeft(full)) throw new Error(full.left.message);
    const removed = full.right.metrics.map((m) => m.layers.map((l) => l.removedPercent));
    // Epoch 1 dense; epoch 2 at (1 − (1 − ½)³) = 7/8 of the final sparsity; epochs 3–4 at the final sparsity.
    expect(removed[0]).toEqual([0, 0, 0]);
    const sizes = [235_200, 30_000, 1_000];
    expect(removed[1]?.map((r, i) => Math.round((r / 100) * (sizes[i] as number)))).toEqual(
      [0.9, 0.8, 0.5].map((f, i) => Math.round(f * 0.875 * (sizes[i] as number))),
    );
    for (const epoch of [2, 3])
      expect(removed[epoch]?.map((r) => Math.round(r * 1000) / 1000)).toEqual([90, 80, 50]);
    expect(full.right.metrics[3]?.compression).toBeCloseTo(266_200 / (23_520 + 6_000 + 500), 8);
    // The pruned network still classifies (500 examples, 4 epochs: well under chance error).
    expect(full.right.metrics[3]?.testError).toBeLessThan(0.4);
    // Killed after epoch 3 (inside the fine-tuning), resumed from its checkpoint: the same run.
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { fileCheckpointStore, readCheckpoint } = await import('../src/node/index.js');
    const path = join(mkdtempSync(join(tmpdir(), 'sparsevd-magnitude-')), 'run.ckpt');
    let epochsDone = 0;
    const first = await train(config, data.right, {
      checkpoints: fileCheckpointStore(path),
      onEvent: (e) => {
        if (e.type === 'epoch-end') epochsDone += 1;
      },
      shouldStop: () => epochsDone >= 3,
    })();
    if (E.isLeft(first)) throw new Error(first.left.message);
    expect(first.right.interrupted).toBe(true);
    disposeParams(first.right.params);
    const checkpoint = await readCheckpoint(path)();
    if (E.isLeft(checkpoint)) throw new Error(checkpoint.left.message);
    const resumed = await train(config, data.right, { resume: checkpoint.right })();
    if (E.isLeft(resumed)) throw new Error(resumed.left.message);
    const strip = (ms: ReadonlyArray<{ seconds: number; examplesPerSecond: number }>) =>
      ms.map(({ seconds: _s, examplesPerSecond: _e, ...rest }) => rest);
    expect(strip(resumed.right.metrics)).toEqual(strip(full.right.metrics));
    disposeParams(full.right.params);
    disposeParams(resumed.right.params);
  });

  it('magnitude pruning is refused without dense and with impossible epochs or fractions', () => {
    const check = (c: Partial<TrainConfig>) => {
      const r = validateConfig({ ...base, dense: true, epochs: 10, ...c });
      return E.isLeft(r) ? r.left.message : 'valid';
    };
    const m = { sparsity: [0.9], startEpoch: 1, endEpoch: 5 };
    expect(check({ magnitude: m })).toBe('valid');
    expect(check({ dense: false, magnitude: m })).toMatch(/^magnitude: .*needs dense/);
    expect(check({ magnitude: { ...m, endEpoch: 11 } })).toMatch(/start < end ≤ epochs \(10\), got 1:11/);
    expect(check({ magnitude: { ...m, startEpoch: 5 } })).toMatch(/got 5:5/);
    expect(check({ magnitude: { ...m, sparsity: [1] } })).toMatch(/in \[0, 1\), got 1/);
    expect(check({ magnitude: { ...m, sparsity: [] } })).toMatch(/got none/);
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

  it('a random-label run measures its training error on the labels it learns; every run records the machine given', async () => {
    const config = { ...base, dense: true, randomLabels: true, epochs: 3, lr: 3e-3 };
    const data = await loadRunData(config)();
    if (E.isLeft(data)) throw new Error(data.left.message);
    const result = await train(config, data.right, { machine: 'test machine · wasm' })();
    if (E.isLeft(result)) throw new Error(result.left.message);
    const { network, params, metrics } = result.right;
    // Independent reference: the finished network evaluated on the same (≤ 10 000) training examples.
    const reference = evaluate(network, params, data.right.train, data.right.batching);
    disposeParams(params);
    expect(metrics.map((m) => m.machine)).toEqual(Array(3).fill('test machine · wasm'));
    expect(metrics[2]?.trainError).toBeCloseTo(reference.error, 10);
    // 500 random labels and a dense net: it starts memorising (from chance, 0.9) within three epochs.
    expect(metrics[2]?.trainError).toBeLessThan((metrics[0]?.trainError ?? 0) + 1e-9);
    const plain = await run(base);
    expect(plain.metrics[0]).not.toHaveProperty('trainError');
    expect(plain.metrics[0]).not.toHaveProperty('machine');
  });

  it('--method sbp+sparsevd and sbp train unit noise with the KL; metrics give the units kept and the compacted FLOPs', async () => {
    for (const method of ['sbp+sparsevd', 'sbp'] as const) {
      // 500 examples against the KL of ~1 200 units and 266 200 weights: weighted down so that the data term
      // leads, as it does with 60 000 examples.
      const { metrics, events } = await run({
        ...base,
        method,
        epochs: 2,
        klSchedule: { kind: 'constant', value: 0.01 },
      });
      expect(events.find((e) => e.type === 'phase')).toMatchObject({ phase: 'sparsevd' });
      const last = metrics[1];
      expect(last?.units, method).toMatch(/^\d+-\d+-\d+$/); // fc1, fc2, fc3 inputs (784-300-100 before)
      expect(last?.kl, method).toBeGreaterThan(0);
      expect(last?.flops, method).toBeLessThanOrEqual(2 * (784 * 300 + 300 * 100 + 100 * 10));
      expect(last?.testError, method).toBeLessThan(0.5);
      expect(last?.layers.map((l) => l.name)).toEqual(['fc1', 'fc2', 'fc3']);
    }
    expect(validateConfig({ ...base, method: 'sbp', dense: true })).toMatchObject({
      left: {
        option: 'method',
        message: 'method: sbp and the dense baseline exclude each other',
      },
    });
    expect(
      validateConfig({ ...base, model: 'vgg', dataset: 'cifar10', dataDir: '.', method: 'sbp' }),
    ).toMatchObject({
      left: { message: 'method: sbp is built for the LeNets (lenet300, lenet5), not vgg' },
    });
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

  it("pretrainRegularizer 'none' pretrains plainly (the SBP authors' way): no dropout, no L2", async () => {
    const plain = await run({ ...base, pretrainEpochs: 1, logSigma2Init: -15, pretrainRegularizer: 'none' });
    const pretrain = plain.events
      .filter((e) => e.type === 'epoch-end')
      .map((e) => (e as { metrics: { phase: string; dataTerm: number } }).metrics)
      .find((m) => m.phase === 'pretrain');
    const regularized = await run({ ...base, pretrainEpochs: 1, logSigma2Init: -15 });
    // Without dropout the pretrained network fits the training data better: its data term is lower.
    const regularizedPretrain = regularized.events
      .filter((e) => e.type === 'epoch-end')
      .map((e) => (e as { metrics: { phase: string; dataTerm: number } }).metrics)
      .find((m) => m.phase === 'pretrain');
    expect(pretrain?.dataTerm).toBeLessThan(regularizedPretrain?.dataTerm as number);
    expect(validateConfig({ ...base, pretrainRegularizer: 'l1' as 'none' })).toMatchObject({
      left: {
        option: 'pretrainRegularizer',
        message: expect.stringMatching(/^pretrainRegularizer: unknown/),
      },
    });
  });
});

describe('starting from a finished run (initialWeights)', () => {
  beforeAll(() => useBackend('wasm'));

  const finished = async (config: TrainConfig) => {
    const data = await loadRunData(config)();
    if (E.isLeft(data)) throw new Error(data.left.message);
    const result = await train(config, data.right)();
    if (E.isLeft(result)) throw new Error(result.left.message);
    const stored = Object.fromEntries(
      Object.entries(namedVariables(result.right.params)).map(([k, v]) => [
        k,
        { shape: v.shape, values: Float32Array.from(v.dataSync()) },
      ]),
    );
    disposeParams(result.right.params);
    return { stored, metrics: result.right.metrics, data: data.right };
  };
  /** The parameters after one step from `initialWeights` (stopped at once), by name. */
  const afterOneStep = async (config: TrainConfig, initialWeights: Record<string, StoredTensor>) => {
    const data = await loadRunData(config)();
    if (E.isLeft(data)) throw new Error(data.left.message);
    const result = await train(config, data.right, { initialWeights, shouldStop: () => true })();
    if (E.isLeft(result)) throw new Error(result.left.message);
    const out = Object.fromEntries(
      Object.entries(namedVariables(result.right.params)).map(([k, v]) => [
        k,
        Float32Array.from(v.dataSync()),
      ]),
    );
    disposeParams(result.right.params);
    return out;
  };
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

  it('a dense run starts SparseVD (θ from its kernels) and a SparseVD run starts SBP + SparseVD as it ended', async () => {
    const dense = await finished({ ...base, dense: true });
    const fromDense = { ...base, initFrom: 'dense run', logSigma2Init: -15 };
    const started = await afterOneStep(fromDense, dense.stored);
    // One Adam step (lr 1e-3) away from the dense kernels; log σ² from logSigma2Init.
    expect(
      maxDiff(started['fc1/theta'] as Float32Array, dense.stored['fc1/kernel']?.values ?? []),
    ).toBeLessThan(2e-3);
    expect(
      maxDiff(started['fc1/logSigma2'] as Float32Array, new Float32Array(235200).fill(-15)),
    ).toBeLessThan(2e-3);
    // Trained for its epoch, it ends better than the same epoch from scratch.
    const data = await loadRunData(fromDense)();
    if (E.isLeft(data)) throw new Error(data.left.message);
    const warm = await train(fromDense, data.right, { initialWeights: dense.stored })();
    if (E.isLeft(warm)) throw new Error(warm.left.message);
    disposeParams(warm.right.params);
    const scratch = await run(base);
    expect(warm.right.metrics[0]?.testError).toBeLessThan(scratch.metrics[0]?.testError as number);

    // SparseVD's θ and log σ² carry over to SBP + SparseVD; the unit noise starts fresh.
    const sparse = await finished(base);
    const sbp = await afterOneStep(
      { ...base, method: 'sbp+sparsevd', initFrom: 'sparsevd run' },
      sparse.stored,
    );
    for (const name of ['fc1/theta', 'fc1/logSigma2', 'fc3/bias'])
      expect(maxDiff(sbp[name] as Float32Array, sparse.stored[name]?.values ?? []), name).toBeLessThan(2e-3);
    expect(Object.keys(sbp)).toContain('fc1_inputs/mu');
  });

  it('refuses weights no layer takes, wrong shapes, and initFrom without weights, naming them', async () => {
    const sparse = await finished(base);
    const data = await loadRunData(base)();
    if (E.isLeft(data)) throw new Error(data.left.message);
    const attempt = (config: TrainConfig, initialWeights?: Record<string, StoredTensor>) =>
      train(config, data.right, initialWeights === undefined ? {} : { initialWeights })();
    const intoDense = await attempt({ ...base, dense: true, initFrom: 'runs/a' }, sparse.stored);
    expect(E.isLeft(intoDense) && intoDense.left.message).toMatch(
      /^initFrom: runs\/a holds fc1\/theta, fc1\/logSigma2, .* which no layer of this lenet300 network takes \(SparseVD weights cannot start an ordinary layer/,
    );
    const wrongShape = {
      ...sparse.stored,
      'fc1/theta': { shape: [10, 10], values: new Float32Array(100) },
    };
    const shaped = await attempt({ ...base, initFrom: 'runs/b' }, wrongShape);
    expect(E.isLeft(shaped) && shaped.left.message).toMatch(
      /^initFrom: runs\/b: dense 'fc1': weights.theta has shape \[10, 10\], expected \[784, 300\]/,
    );
    const without = await attempt({ ...base, initFrom: 'runs/c' });
    expect(E.isLeft(without) && without.left.message).toMatch(
      /^initFrom: the run starts from runs\/c, but no initialWeights/,
    );
    expect(validateConfig({ ...base, initFrom: 'runs/d', pretrainEpochs: 2 })).toMatchObject({
      left: { option: 'initFrom' },
    });
  });
});

describe('other datasets', () => {
  beforeAll(() => useBackend('wasm'));

  it('trains LeNet-300-100 on real Fashion-MNIST (the Debian package) for an epoch', async () => {
    const { metrics, data } = await run({ ...base, dataset: 'fashion-mnist' });
    expect(data.train.name).toMatch(/^fashion-mnist\/train/);
    expect(metrics[0]?.testError).toBeLessThan(0.8); // chance is 0.9; 500 images and one epoch with the KL ramp
  });

  it('prepares CIFAR-10 for the VGG-like net: NHWC layout, per-channel standardisation from the training set', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'cifar-'));
    const records = (n: number, shift: number) =>
      Uint8Array.from({ length: n * 3073 }, (_, i) =>
        i % 3073 === 0 ? (Math.floor(i / 3073) + shift) % 10 : (i * 7 + shift) % 256,
      );
    for (let i = 1; i <= 5; i += 1) writeFileSync(join(dir, `data_batch_${i}.bin`), records(4, i));
    writeFileSync(join(dir, 'test_batch.bin'), records(3, 0));
    // The whole (tiny) set: base's subsets are larger than these 20 / 3 examples, which is refused.
    const { trainSubset: _t, testSubset: _s, ...whole } = base;
    const tooLarge = await loadRunData({ ...base, model: 'vgg', dataset: 'cifar10', dataDir: dir })();
    expect(E.isLeft(tooLarge) && tooLarge.left.message).toMatch(
      /^trainSubset: 500 is more than the 20 training examples of cifar10$/,
    );
    const loaded = await loadRunData({ ...whole, model: 'vgg', dataset: 'cifar10', dataDir: dir })();
    if (E.isLeft(loaded)) throw new Error(loaded.left.message);
    expect(loaded.right.train.labels.length).toBe(20);
    expect(loaded.right.batching.layout).toBe('nhwc');
    const normalize = loaded.right.batching.normalize as { mean: number[]; std: number[] };
    expect(normalize.mean).toHaveLength(3);
    for (const s of normalize.std) expect(s).toBeGreaterThan(0);
    const missing = await loadRunData({
      ...base,
      model: 'vgg',
      dataset: 'cifar10',
      dataDir: join(dir, 'nope'),
    })();
    expect(E.isLeft(missing) && missing.left.message).toMatch(
      /directory not found; download and unpack the CIFAR-10 binary version/,
    );
  });
});
