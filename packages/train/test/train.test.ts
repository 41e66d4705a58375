import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { disposeParams, namedVariables } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_VERSION,
  DEFAULT_CONFIG,
  type EpochMetrics,
  type RunData,
  type TrainConfig,
  type TrainEvent,
  train,
} from '../src/index.js';
import { fileCheckpointStore, loadRunData, readCheckpoint, writeCheckpoint } from '../src/node/index.js';
import { useBackend } from './backends.js';

// A small but real run: LeNet-300-100 on 600 MNIST images, batch 50 (12 steps per epoch), 3 epochs.
const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 3,
  batchSize: 50,
  trainSubset: 600,
  testSubset: 300,
  seed: 7,
};
const timeless = (metrics: ReadonlyArray<EpochMetrics>) =>
  metrics.map(({ seconds: _s, examplesPerSecond: _e, ...rest }) => rest);
const tempDir = () => mkdtempSync(join(tmpdir(), 'sparsevd-train-'));

let data: RunData;
beforeAll(async () => {
  await useBackend('wasm');
  const loaded = await loadRunData(config)();
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  data = loaded.right;
});

describe('train', () => {
  it('emits events, evaluates each epoch, and a run killed after epoch 1 and resumed ends identically', async () => {
    const dir = tempDir();
    const events: TrainEvent['type'][] = [];
    const full = await train(config, data, {
      checkpoints: fileCheckpointStore(join(dir, 'full.ckpt')),
      onEvent: (e) => events.push(e.type),
    })();
    if (E.isLeft(full)) throw new Error(full.left.message);
    expect(events.filter((t) => t === 'step')).toHaveLength(36);
    expect(events.filter((t) => t === 'epoch-end')).toHaveLength(3);
    expect(events.at(-1)).toBe('done');
    const [m1, , m3] = full.right.metrics as [EpochMetrics, EpochMetrics, EpochMetrics];
    expect(m3.testError).toBeLessThan(m1.testError + 0.05);
    expect(m3.compression).toBeGreaterThan(1);

    // "Killed" after epoch 1: stop, drop everything in memory, continue from the file.
    const path = join(dir, 'killed.ckpt');
    const first = await train(config, data, {
      checkpoints: fileCheckpointStore(path),
      shouldStop: () => true,
    })();
    if (E.isLeft(first)) throw new Error(first.left.message);
    expect(first.right.interrupted).toBe(true);
    disposeParams(first.right.params);
    const checkpoint = await readCheckpoint(path)();
    if (E.isLeft(checkpoint)) throw new Error(checkpoint.left.message);
    expect(checkpoint.right.position).toMatchObject({ epoch: 0, step: 1 }); // stopped after the first step
    const resumed = await train(config, data, {
      checkpoints: fileCheckpointStore(path),
      resume: checkpoint.right,
    })();
    if (E.isLeft(resumed)) throw new Error(resumed.left.message);
    expect(timeless(resumed.right.metrics)).toEqual(timeless(full.right.metrics));
    const a = namedVariables(full.right.params);
    const b = namedVariables(resumed.right.params);
    for (const name of Object.keys(a))
      expect(Array.from((b[name] as tf.Variable).dataSync())).toEqual(
        Array.from((a[name] as tf.Variable).dataSync()),
      );
    disposeParams(full.right.params);
    disposeParams(resumed.right.params);
  });

  it('a run stopped in its pretraining keeps a pretraining checkpoint and resumes to the uninterrupted result', async () => {
    const pre: TrainConfig = {
      ...config,
      epochs: 1,
      pretrainEpochs: 2,
      logSigma2Init: -15,
      method: 'sbp+sparsevd',
    };
    const dir = tempDir();
    const full = await train(pre, data, { checkpoints: fileCheckpointStore(join(dir, 'full.ckpt')) })();
    if (E.isLeft(full)) throw new Error(full.left.message);
    // Stopped after 15 steps: the 4th of the pretraining's second epoch (12 steps an epoch).
    const path = join(dir, 'stopped.ckpt');
    let steps = 0;
    const phases: string[] = [];
    const stopped = await train(pre, data, {
      checkpoints: fileCheckpointStore(path),
      onEvent: (e) => {
        if (e.type === 'step') steps += 1;
        if (e.type === 'phase') phases.push(e.phase);
      },
      shouldStop: () => steps >= 15,
    })();
    if (E.isLeft(stopped)) throw new Error(stopped.left.message);
    expect(stopped.right.interrupted).toBe(true);
    expect(phases).toEqual(['pretrain']);
    expect(stopped.right.metrics.map((m) => m.phase)).toEqual(['pretrain']);
    // What comes back is the pretraining network (no SparseVD weights, no unit noise).
    expect(stopped.right.network.sparseWeights(stopped.right.params)).toEqual([]);
    disposeParams(stopped.right.params);
    const checkpoint = await readCheckpoint(path)();
    if (E.isLeft(checkpoint)) throw new Error(checkpoint.left.message);
    expect(checkpoint.right.phase).toBe('pretrain');
    expect(checkpoint.right.position).toMatchObject({ epoch: 1, step: 3 });
    expect(checkpoint.right.metrics).toHaveLength(1);
    const resumed = await train(pre, data, {
      checkpoints: fileCheckpointStore(path),
      resume: checkpoint.right,
    })();
    if (E.isLeft(resumed)) throw new Error(resumed.left.message);
    expect(timeless(resumed.right.metrics)).toEqual(timeless(full.right.metrics));
    const a = namedVariables(full.right.params);
    const b = namedVariables(resumed.right.params);
    for (const name of Object.keys(a))
      expect(Array.from((b[name] as tf.Variable).dataSync()), name).toEqual(
        Array.from((a[name] as tf.Variable).dataSync()),
      );
    // The main phase's checkpoint has replaced the pretraining one.
    const after = await readCheckpoint(path)();
    expect(E.isRight(after) && after.right.phase).toBeUndefined();
    disposeParams(full.right.params);
    disposeParams(resumed.right.params);
  });

  it('reads checkpoints of format version 1 (before the pretraining was checkpointed) and refuses unknown versions', async () => {
    const path = join(tempDir(), 'run.ckpt');
    const done = await train({ ...config, epochs: 1 }, data, { checkpoints: fileCheckpointStore(path) })();
    if (E.isLeft(done)) throw new Error(done.left.message);
    disposeParams(done.right.params);
    const bytes = readFileSync(path);
    expect(bytes.readUInt32LE(8)).toBe(CHECKPOINT_VERSION);
    // The version sits in the preamble, outside the checksum: a version-1 file differs only there.
    const { writeFileSync } = await import('node:fs');
    const v1 = Buffer.from(bytes);
    v1.writeUInt32LE(1, 8);
    writeFileSync(path, v1);
    const read = await readCheckpoint(path)();
    expect(E.isRight(read) && read.right.position.epoch).toBe(1);
    expect(E.isRight(read) && read.right.phase).toBeUndefined();
    const v9 = Buffer.from(bytes);
    v9.writeUInt32LE(9, 8);
    writeFileSync(path, v9);
    const refused = await readCheckpoint(path)();
    expect(E.isLeft(refused) && refused.left.message).toMatch(
      /checkpoint version 9; this version of @sparsevd\/train reads versions 1 and 2$/,
    );
  });

  it('a checkpoint write that crashes midway leaves the previous checkpoint intact and no temporary file', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.ckpt');
    const oneEpoch = { ...config, epochs: 1 };
    const done = await train(oneEpoch, data, { checkpoints: fileCheckpointStore(path) })();
    if (E.isLeft(done)) throw new Error(done.left.message);
    const before = readFileSync(path);
    const good = await readCheckpoint(path)();
    if (E.isLeft(good)) throw new Error(good.left.message);
    const crash = async (p: string, bytes: Uint8Array) => {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(p, bytes.subarray(0, bytes.length >> 1)); // half the file reaches the disk…
      throw new Error('ENOSPC: no space left on device'); // …then the process dies
    };
    const failed = await writeCheckpoint(path, { ...good.right, metrics: [] }, crash)();
    expect(E.isLeft(failed) && failed.left.message).toMatch(/cannot write the checkpoint: ENOSPC/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['run.ckpt']);
    expect(E.isRight(await readCheckpoint(path)())).toBe(true);
    // A corrupted checkpoint is refused with a clear message.
    const { writeFileSync } = await import('node:fs');
    const broken = Buffer.from(before);
    broken[broken.length - 7] = (broken[broken.length - 7] as number) ^ 0xff;
    writeFileSync(join(dir, 'broken.ckpt'), broken);
    const refused = await readCheckpoint(join(dir, 'broken.ckpt'))();
    expect(E.isLeft(refused) && refused.left.message).toMatch(
      /checksum mismatch: the file is truncated or corrupted/,
    );
    disposeParams(done.right.params);
  });

  it('stops on a non-finite loss, naming epoch and step, and keeps the last good checkpoint', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.ckpt');
    const oneEpoch = { ...config, epochs: 1 };
    const done = await train(oneEpoch, data, { checkpoints: fileCheckpointStore(path) })();
    if (E.isLeft(done)) throw new Error(done.left.message);
    disposeParams(done.right.params);
    const before = readFileSync(path);
    const good = await readCheckpoint(path)();
    if (E.isLeft(good)) throw new Error(good.left.message);
    // Resume for a second epoch on data with a NaN pixel (float images), as a corrupted batch would be.
    const images = Float32Array.from(data.train.images, (v) => v / 255);
    images[12345] = Number.NaN;
    const poisoned: RunData = {
      ...data,
      train: { ...data.train, images },
      batching: { ...data.batching, normalize: 'unit' },
    };
    const result = await train({ ...config, epochs: 2 }, poisoned, {
      checkpoints: fileCheckpointStore(path),
      resume: good.right,
    })();
    expect(E.isLeft(result) && result.left).toMatchObject({ problem: 'NonFinite', kind: 'NonFinite' });
    if (E.isLeft(result))
      expect(result.left.message).toMatch(
        /^non-finite loss \(NaN\) at epoch 2, step \d+; the last good checkpoint is kept$/,
      );
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('rejects a batch larger than the training set and an invalid configuration', async () => {
    const big = await train({ ...config, batchSize: 601 }, data)();
    expect(E.isLeft(big) && big.left.message).toBe('batchSize: 601 is larger than the 600 training examples');
    const bad = await train({ ...config, lr: 0 }, data)();
    expect(E.isLeft(bad) && bad.left).toMatchObject({ problem: 'Config' });
  });

  it('leaks no tensors over a run', async () => {
    const before = tf.memory().numTensors;
    const result = await train({ ...config, epochs: 1 }, data)();
    if (E.isLeft(result)) throw new Error(result.left.message);
    disposeParams(result.right.params);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('train never rejects', () => {
  it('a throw inside a step (here from an event handler) resolves to a Failed error, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const run = train(config, data, {
      onEvent: (event) => {
        if (event.type === 'step' && event.epoch === 1 && event.step === 4)
          throw new TypeError('injected failure');
      },
    });
    const result = await run().catch((error: unknown) => ({ rejected: error }));
    expect(result).not.toHaveProperty('rejected');
    expect(E.isLeft(result as E.Either<unknown, unknown>)).toBe(true);
    const error = (result as E.Left<{ problem: string; message: string }>).left;
    expect(error.problem).toBe('Failed');
    expect(error.message).toBe('training failed in the sparsevd phase, epoch 2, step 5: injected failure');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('so does a checkpoint writer that throws synchronously instead of rejecting', async () => {
    const result = await train(config, data, {
      checkpoints: fileCheckpointStore(join(tempDir(), 'c.ckpt'), {
        write: () => {
          throw new Error('disk on fire');
        },
      }),
    })();
    expect(E.isLeft(result) && result.left).toMatchObject({ problem: 'Checkpoint' });
    expect(E.isLeft(result) && result.left.message).toMatch(/cannot write the checkpoint: disk on fire/);
  });
});
