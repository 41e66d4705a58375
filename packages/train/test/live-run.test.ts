import { disposeParams, namedVariables } from '@sparsevd/layers';
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  memoryCheckpointStore,
  type RunData,
  type TrainConfig,
  train,
} from '../src/index.js';
import { loadRunData } from '../src/node/index.js';
import { useBackend } from './backends.js';

const config: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 2,
  batchSize: 50,
  trainSubset: 200,
  testSubset: 100,
  seed: 5,
};
let data: RunData;
beforeAll(async () => {
  await useBackend('wasm');
  const loaded = await loadRunData(config)();
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  data = loaded.right;
});

describe('betweenSteps: a page or worker between two steps', () => {
  it('is awaited after every step with the live network; a pause that arrives there stops at that step', async () => {
    const seen: string[] = [];
    let paused = false;
    const store = memoryCheckpointStore();
    const run = await train(config, data, {
      checkpoints: store,
      shouldStop: () => paused,
      betweenSteps: async ({ epoch, step, stepsPerEpoch, params, phase }) => {
        // What a page does: read the live parameters asynchronously, then let its event loop run.
        const theta = namedVariables(params)['fc1/theta'];
        const values = await theta?.data();
        seen.push(`${phase} ${epoch}:${step}/${stepsPerEpoch} ${values?.length}`);
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (epoch === 1 && step === 2) paused = true; // a "pause" message handled by the event loop
      },
    })();
    if (E.isLeft(run)) throw new Error(run.left.message);
    expect(run.right.interrupted).toBe(true);
    expect(seen).toEqual([
      'sparsevd 0:1/4 235200',
      'sparsevd 0:2/4 235200',
      'sparsevd 0:3/4 235200',
      'sparsevd 0:4/4 235200',
      'sparsevd 1:1/4 235200',
      'sparsevd 1:2/4 235200',
    ]);
    disposeParams(run.right.params);
  });

  it('what it throws ends the run as Failed, naming where', async () => {
    const run = await train(config, data, {
      betweenSteps: ({ step }) => {
        if (step === 3) throw new Error('the page went away');
      },
    })();
    expect(E.isLeft(run) && run.left).toMatchObject({
      problem: 'Failed',
      message: 'training failed in the sparsevd phase, epoch 1, step 3: the page went away',
    });
  });
});
