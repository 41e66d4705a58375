// One-shot magnitude pruning of a finished dense run (no fine-tuning): its final weights, each layer pruned by
// |w| to the given fractions, evaluated on the run's test set — the "without fine-tuning" row beside the gradual
// magnitude-pruning run (section 9 of docs/results.md). Reads the dense run's checkpoint; trains nothing.
import { selectBackend } from '@sparsevd/backend';
import { disposeParams } from '@sparsevd/layers';
import { applyMagnitudeMasks, magnitudeMasks, weightSparsity } from '@sparsevd/pruning';
import { evaluate, restoreNetwork } from '@sparsevd/train';
import { loadRunData, readCheckpoint } from '@sparsevd/train/node';

const orThrow = (either, what) => {
  if (either._tag === 'Left') throw new Error(`${what}: ${either.left.message}`);
  return either.right;
};

/**
 * The dense network of `checkpointPath` pruned layer by layer to `fractions` (removed, per weight tensor) by
 * magnitude: `{ backend, testError, compression, layers: [{ name, removedPercent }] }`.
 */
export const oneShotMagnitude = async (checkpointPath, fractions, backend = 'auto') => {
  const chosen = orThrow(await selectBackend(backend === 'auto' ? {} : { backend })(), 'backend');
  const checkpoint = orThrow(await readCheckpoint(checkpointPath)(), checkpointPath);
  if (!checkpoint.config.dense) throw new Error(`${checkpointPath}: not a dense run`);
  const { network, params } = orThrow(restoreNetwork(checkpoint), checkpointPath);
  try {
    const data = orThrow(await loadRunData(checkpoint.config)(), 'data');
    const masks = magnitudeMasks(network, params, fractions);
    applyMagnitudeMasks(masks);
    for (const m of masks) m.mask.dispose();
    const { error } = evaluate(network, params, data.test, data.batching);
    const report = weightSparsity(network, params);
    return {
      backend: chosen.backend,
      dense: checkpointPath,
      testError: error,
      compression: report.compression,
      layers: report.layers.map((l) => ({ name: l.name, removedPercent: l.removedPercent })),
    };
  } finally {
    disposeParams(params);
  }
};
