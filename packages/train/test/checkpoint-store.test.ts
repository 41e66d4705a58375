import { loadMnist } from '@sparsevd/datasets/node';
import { disposeParams } from '@sparsevd/layers';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CheckpointStore,
  DEFAULT_CONFIG,
  loadCheckpoint,
  memoryCheckpointStore,
  prepareRunData,
  type RunData,
  serializeCheckpoint,
  type TrainConfig,
  train,
} from '../src/index.js';
import { loadRunData } from '../src/node/index.js';
import { useBackend } from './backends.js';

const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 1,
  batchSize: 50,
  trainSubset: 200,
  testSubset: 100,
  seed: 3,
};
let data: RunData;
beforeAll(async () => {
  await useBackend('wasm');
  const loaded = await loadRunData(config)();
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  data = loaded.right;
});

describe('checkpoint stores', () => {
  it('a run keeps its checkpoint in any store: memory holds what a file would, and clear empties it', async () => {
    const store = memoryCheckpointStore('test-store');
    expect(await loadCheckpoint(store)()).toEqual(E.right(undefined));
    const events: string[] = [];
    const done = await train(config, data, {
      checkpoints: store,
      onEvent: (e) => {
        if (e.type === 'checkpoint') events.push(`${e.path}@${e.epoch}`);
      },
    })();
    if (E.isLeft(done)) throw new Error(done.left.message);
    disposeParams(done.right.params);
    expect(events).toEqual(['test-store@1']);
    const loaded = await loadCheckpoint(store)();
    if (E.isLeft(loaded) || loaded.right === undefined) throw new Error('no checkpoint');
    expect(loaded.right.position.epoch).toBe(1);
    expect(loaded.right.metrics).toHaveLength(1);
    const bytes = await store.read();
    expect(bytes !== undefined && Buffer.compare(serializeCheckpoint(loaded.right), bytes)).toBe(0);
    await store.clear();
    expect(await loadCheckpoint(store)()).toEqual(E.right(undefined));
  });

  it('a store that fails is a Checkpoint error naming it; broken bytes are refused with the reason', async () => {
    const failing: CheckpointStore = {
      location: 'indexeddb:sparsevd/run',
      write: () => Promise.reject(new Error('QuotaExceededError')),
      read: () => Promise.resolve(new Uint8Array([1, 2, 3])),
      clear: () => Promise.resolve(),
    };
    const run = await train(config, data, { checkpoints: failing })();
    expect(E.isLeft(run) && run.left.message).toBe(
      'indexeddb:sparsevd/run: cannot write the checkpoint: QuotaExceededError',
    );
    const read = await loadCheckpoint(failing)();
    expect(E.isLeft(read) && read.left.message).toBe(
      'indexeddb:sparsevd/run: truncated: shorter than the checkpoint preamble',
    );
  });

  it('prepareRunData gives what loadRunData gives, from splits loaded anywhere', async () => {
    const splits = await loadMnist()();
    if (E.isLeft(splits)) throw new Error(splits.left.message);
    const prepared = prepareRunData(config, splits.right);
    if (E.isLeft(prepared)) throw new Error(prepared.left.message);
    expect(prepared.right.train.labels).toEqual(data.train.labels);
    expect(Buffer.compare(prepared.right.test.images as Uint8Array, data.test.images as Uint8Array)).toBe(0);
    expect(prepared.right.batching).toEqual(data.batching);
    const tooLarge = prepareRunData({ ...config, testSubset: 20_000 }, splits.right);
    expect(E.isLeft(tooLarge) && tooLarge.left.message).toMatch(
      /testSubset: 20000 is more than the 10000 test examples/,
    );
  });
});
