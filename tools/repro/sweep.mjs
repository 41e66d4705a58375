// The threshold sweep of a finished run: test error and compression of its network pruned at log α
// thresholds 1 … 5, read from the run's checkpoint (no training).
import { selectBackend } from '@sparsevd/backend';
import { disposeParams } from '@sparsevd/layers';
import { thresholdSweep } from '@sparsevd/pruning';
import { evaluate, restoreNetwork } from '@sparsevd/train';
import { loadRunData, readCheckpoint } from '@sparsevd/train/node';

/** The thresholds of the sweep: 1, 1.5, …, 5 (the paper's is 3). */
export const SWEEP_THRESHOLDS = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];

const orThrow = (either, what) => {
  if (either._tag === 'Left') throw new Error(`${what}: ${either.left.message}`);
  return either.right;
};

/**
 * Error and compression of the network in `checkpointPath` at each threshold, on the run's test set, on the
 * given backend (`auto` by default). Returns `{ thresholds: [{ threshold, testError, compression }], backend }`.
 */
export const sweepRun = async (checkpointPath, backend = 'auto', thresholds = SWEEP_THRESHOLDS) => {
  const chosen = orThrow(await selectBackend(backend === 'auto' ? {} : { backend })(), 'backend');
  const checkpoint = orThrow(await readCheckpoint(checkpointPath)(), checkpointPath);
  const { network, params } = orThrow(restoreNetwork(checkpoint), checkpointPath);
  try {
    const data = orThrow(await loadRunData(checkpoint.config)(), 'data');
    const points = await thresholdSweep(
      network,
      params,
      (pruned) => evaluate(network, pruned, data.test, data.batching, { mode: 'mean' }).error,
      thresholds,
    );
    return {
      backend: chosen.backend,
      points: points.map((p) => ({ threshold: p.threshold, testError: p.error, compression: p.compression })),
    };
  } finally {
    disposeParams(params);
  }
};
