import { readFile } from 'node:fs/promises';
import type { BackendChoice } from '@sparsevd/backend';
import { batches } from '@sparsevd/datasets';
import { disposeParams } from '@sparsevd/layers';
import { formatCompression, sparseModel, structureReport, toSparse, weightSparsity } from '@sparsevd/pruning';
import { writeSparseFile } from '@sparsevd/pruning/node';
import { type EpochMetrics, evaluate, type RunData } from '@sparsevd/train';
import { loadRunData, readCheckpoint } from '@sparsevd/train/node';
import * as E from 'fp-ts/lib/Either.js';
import { type CliError, failure, usageError } from '../cli-error.js';
import { runFiles } from '../run-dir.js';
import { exists, type Restored, restore, runSparsity, startBackend, writeOutputs } from '../run-state.js';
import { summaryTable } from '../summary.js';
import { type Io, runTraining } from './train.js';

/** `sparsevd resume DIR`: continues the run from its checkpoint with the identical schedule. */
export const resumeCommand = async (
  dir: string,
  backend: BackendChoice,
  io: Io,
): Promise<E.Either<CliError, number>> => {
  const path = runFiles(dir).checkpoint;
  if (!(await exists(path)))
    return E.left(failure(`${dir}: no checkpoint.ckpt here; is it a sparsevd run directory?`));
  const read = await readCheckpoint(path)();
  if (E.isLeft(read)) return E.left(failure(read.left.message));
  const checkpoint = read.right;
  if (checkpoint.phase !== 'pretrain' && checkpoint.position.epoch >= checkpoint.config.epochs) {
    return E.left(
      failure(
        `${dir}: the run already finished all ${checkpoint.config.epochs} epochs (see sparsevd report ${dir})`,
      ),
    );
  }
  return runTraining(checkpoint.config, backend, dir, io, checkpoint);
};

/** Starts a backend, restores the run's network and loads its data: what eval and export share. */
export const restoreWithData = async (
  dir: string,
  backendChoice: BackendChoice,
): Promise<E.Either<CliError, Restored & { data: RunData }>> => {
  const backend = await startBackend(backendChoice, undefined, false);
  if (E.isLeft(backend)) return backend;
  const restored = await restore(dir);
  if (E.isLeft(restored)) return restored;
  const data = await loadRunData(restored.right.checkpoint.config)();
  if (E.isLeft(data)) {
    disposeParams(restored.right.params);
    return E.left(failure(data.left.message));
  }
  return E.right({ ...restored.right, data: data.right });
};

/** `sparsevd eval DIR`: test error of the pruned (eval mode) and unpruned (mean) networks, and compression. */
export const evalCommand = async (
  dir: string,
  backendChoice: BackendChoice,
  io: Io,
): Promise<E.Either<CliError, number>> => {
  const loaded = await restoreWithData(dir, backendChoice);
  if (E.isLeft(loaded)) return loaded;
  const { checkpoint, network, params, inputShape, data } = loaded.right;
  const pruned = evaluate(network, params, data.test, data.batching);
  const full = evaluate(network, params, data.test, data.batching, { mode: 'mean' });
  // As the run reports it (SBP: the compacted network's weights); a plain dense run's weights are counted.
  const counted = runSparsity(checkpoint.config, network, params);
  const report = counted.report ?? weightSparsity(network, params);
  const structure = counted.structure ?? structureReport(network, params, inputShape);
  io.out(
    `${[
      `${dir}: ${checkpoint.config.model} on ${checkpoint.config.dataset}, after ${checkpoint.position.epoch} of ${checkpoint.config.epochs} epochs`,
      `test error, pruned (eval mode, log α < ${checkpoint.config.threshold}): ${(100 * pruned.error).toFixed(2)} %`,
      `test error, unpruned (θ, mean mode):          ${(100 * full.error).toFixed(2)} %`,
      `compression |W| / |W ≠ 0|: ${formatCompression(report.compression)} (${report.keptWeights} of ${report.totalWeights} weights kept)`,
      `units kept: ${structure.units} of ${structure.unitsBefore}; FLOPs of one example: ${structure.flops.after.toLocaleString('en-US')} of ${structure.flops.before.toLocaleString('en-US')} (${formatCompression(structure.flops.before / Math.max(1, structure.flops.after))} fewer)`,
    ].join('\n')}\n`,
  );
  disposeParams(params);
  return E.right(0);
};

/** `sparsevd export DIR --format csr [--quantize 8]`: the sparse model file, its size and its test error. */
export const exportCommand = async (
  dir: string,
  backendChoice: BackendChoice,
  quantize: 8 | undefined,
  out: string | undefined,
  io: Io,
): Promise<E.Either<CliError, number>> => {
  const path = out ?? runFiles(dir).sparseModel;
  // Never replace a file this command did not write: an earlier export stays until the user removes it.
  if (await exists(path))
    return E.left(usageError(`--out: ${path} already exists; remove it or choose another --out FILE`));
  const loaded = await restoreWithData(dir, backendChoice);
  if (E.isLeft(loaded)) return loaded;
  const { network, params, inputShape, data } = loaded.right;
  const exported = toSparse(network, params, inputShape, quantize === undefined ? {} : { quantize });
  const written = await writeSparseFile(path, exported)();
  if (E.isLeft(written)) return E.left(failure(written.left.message));
  const sparseError = (model: ReturnType<typeof sparseModel>) => {
    let wrong = 0;
    let count = 0;
    for (const { x, y, size } of batches(data.test, {
      ...data.batching,
      batchSize: 1000,
      shuffle: false,
      labels: 'indices',
    })) {
      const logits = model.predict(x.dataSync() as Float32Array, size);
      const labels = y.dataSync();
      for (let i = 0; i < size; i += 1) {
        const row = logits.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) !== labels[i]) wrong += 1;
      }
      count += size;
      x.dispose();
      y.dispose();
    }
    return wrong / count;
  };
  const lines = [
    `wrote ${path}: ${written.right} bytes (weights ${exported.sparseBytes} bytes in CSR vs ${exported.denseBytes} as dense float32: ${exported.byteCompression.toFixed(1)}×)`,
    ...exported.layers.map(
      (l) => `  ${l.name}: ${l.nonzeros} of ${l.weights} weights, ${l.sparseBytes} bytes`,
    ),
    `test error of the sparse model${quantize === 8 ? ' with 8-bit values' : ''}: ${(100 * sparseError(sparseModel(exported))).toFixed(2)} %`,
  ];
  if (quantize === 8) {
    lines.push(
      `test error with float32 values: ${(100 * sparseError(sparseModel(toSparse(network, params, inputShape)))).toFixed(2)} %`,
    );
  }
  io.out(`${lines.join('\n')}\n`);
  disposeParams(params);
  return E.right(0);
};

/** `sparsevd report DIR`: prints the summary from the run's files and redraws its plots. */
export const reportCommand = async (dir: string, io: Io): Promise<E.Either<CliError, number>> => {
  const backend = await startBackend('cpu', undefined, false);
  if (E.isLeft(backend)) return backend;
  const files = runFiles(dir);
  if (!(await exists(files.metrics)))
    return E.left(failure(`${dir}: no metrics.jsonl here; is it a sparsevd run directory?`));
  const restored = await restore(dir);
  if (E.isLeft(restored)) return restored;
  const { checkpoint, network, params } = restored.right;
  const metrics = (await readFile(files.metrics, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EpochMetrics);
  const stored = (await exists(files.config))
    ? (JSON.parse(await readFile(files.config, 'utf8')) as { backend?: string }).backend
    : undefined;
  const written = await writeOutputs(dir, checkpoint.config, metrics, network, params, stored ?? 'unknown');
  const { report } = runSparsity(checkpoint.config, network, params);
  io.out(
    `${summaryTable(checkpoint.config, metrics, report, stored ?? 'unknown')}\n\nwrote ${written.join(', ')}\n`,
  );
  disposeParams(params);
  return E.right(0);
};
