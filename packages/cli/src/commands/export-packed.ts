import { writeFile } from 'node:fs/promises';
import type { BackendChoice } from '@sparsevd/backend';
import { batches, type Dataset, subset } from '@sparsevd/datasets';
import { disposeParams } from '@sparsevd/layers';
import {
  compact,
  packSparse,
  parseSparse,
  type SparseNetwork,
  smallestPacked,
  sparseModel,
  toSparse,
} from '@sparsevd/pruning';
import type { RunData } from '@sparsevd/train';
import { loadRunData } from '@sparsevd/train/node';
import * as E from 'fp-ts/lib/Either.js';
import { type CliError, failure, usageError } from '../cli-error.js';
import { runFiles } from '../run-dir.js';
import { exists } from '../run-state.js';
import { restoreWithData } from './dir-commands.js';
import type { Io } from './train.js';

const VALIDATION = 10_000;

/** Predicted classes of a sparse network on a dataset (JavaScript CSR inference, as the file runs anywhere). */
const predictions = (network: SparseNetwork, dataset: Dataset, batching: RunData['batching']): Int32Array => {
  const model = sparseModel(network);
  const out = new Int32Array(dataset.labels.length);
  let at = 0;
  for (const { x, y, size } of batches(dataset, {
    ...batching,
    batchSize: 1000,
    shuffle: false,
    labels: 'indices',
  })) {
    const logits = model.predict(x.dataSync() as Float32Array, size);
    const classes = logits.length / size;
    for (let i = 0; i < size; i += 1) {
      const row = logits.subarray(i * classes, (i + 1) * classes);
      out[at++] = row.indexOf(Math.max(...row));
    }
    x.dispose();
    y.dispose();
  }
  return out;
};
const errorOf = (predicted: Int32Array, dataset: Dataset) =>
  predicted.reduce((wrong, c, i) => wrong + (c === dataset.labels[i] ? 0 : 1), 0) / predicted.length;

/**
 * `sparsevd export DIR --format spvd [--bits N | --error-budget PP] [--out FILE]`: the compacted network in the
 * packed sparse format (version 2). With `--bits` every layer gets N bits; otherwise the bit sweep picks the
 * smallest file within the error budget (default 0.1 pp) on a validation split of the training data — the
 * training images the run did not use when it used a subset, else the last 10 000 (which it trained on, said so).
 */
export const exportPackedCommand = async (
  dir: string,
  backendChoice: BackendChoice,
  options: { readonly bits?: number; readonly errorBudget?: number; readonly out: string | undefined },
  io: Io,
): Promise<E.Either<CliError, number>> => {
  const path = options.out ?? runFiles(dir).sparseModel.replace(/\.spvd$/, '.packed.spvd');
  if (await exists(path))
    return E.left(usageError(`--out: ${path} already exists; remove it or choose another --out FILE`));
  const loaded = await restoreWithData(dir, backendChoice);
  if (E.isLeft(loaded)) return loaded;
  const { network, params, inputShape, data, checkpoint } = loaded.right;
  try {
    const c = compact(network, params, inputShape);
    const exported = toSparse(c.network, c.params, c.inputShape);
    disposeParams(c.params);
    // The validation split: training images the run did not train on where there are enough of them.
    const { trainSubset: _t, testSubset: _s, ...whole } = checkpoint.config;
    const full = await loadRunData({ ...whole, randomLabels: false })();
    if (E.isLeft(full)) return E.left(failure(full.left.message));
    const n = full.right.train.labels.length;
    const used = checkpoint.config.trainSubset ?? n;
    const unseen = n - used >= VALIDATION;
    const from = unseen ? used : n - VALIDATION;
    const validation = subset(
      full.right.train,
      Int32Array.from({ length: Math.min(VALIDATION, n) }, (_, i) => from + i),
      'validation',
    );
    const evaluate = (net: SparseNetwork) => errorOf(predictions(net, validation, data.batching), validation);
    const chosen =
      options.bits !== undefined
        ? (() => {
            const bytes = packSparse(exported, { bits: options.bits as number });
            const read = parseSparse(bytes, path);
            if (E.isLeft(read)) throw new Error(read.left.message);
            return {
              bytes,
              bits: undefined,
              error: evaluate(read.right),
              baseline: evaluate(exported),
              tried: [],
            };
          })()
        : smallestPacked(exported, { evaluate, budget: options.errorBudget ?? 0.001 });
    await writeFile(path, chosen.bytes, { flag: 'wx' });
    const read = parseSparse(chosen.bytes, path);
    if (E.isLeft(read)) return E.left(failure(read.left.message));
    const evalPredicted = predictions(exported, data.test, data.batching);
    const packedPredicted = predictions(read.right, data.test, data.batching);
    const agree = packedPredicted.reduce((a, c, i) => a + (c === evalPredicted[i] ? 1 : 0), 0);
    const pct = (v: number) => `${(100 * v).toFixed(2)} %`;
    io.out(
      `${[
        `wrote ${path}: ${chosen.bytes.length} bytes (format version 2; ${exported.layers.reduce((s, l) => s + l.nonzeros, 0)} weights kept)`,
        `  bits per layer: ${
          chosen.bits === undefined
            ? `${options.bits} everywhere`
            : Object.entries(chosen.bits)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')
        }${chosen.tried.length > 0 ? ` (${chosen.tried.length} candidates tried)` : ''}`,
        `  validation error (${validation.labels.length} training images${unseen ? ' the run did not train on' : ', which the run trained on: it used every training image'}): ${pct(chosen.baseline)} unquantised → ${pct(chosen.error)} packed`,
        `test error: ${pct(errorOf(evalPredicted, data.test))} unquantised → ${pct(errorOf(packedPredicted, data.test))} packed; agrees with the eval-mode network on ${agree} of ${data.test.labels.length} test images`,
      ].join('\n')}\n`,
    );
    return E.right(0);
  } finally {
    disposeParams(params);
  }
};
