import { access } from 'node:fs/promises';
import { type BackendChoice, type BackendInfo, selectBackend } from '@sparsevd/backend';
import type { Params, Sequential, Shape } from '@sparsevd/layers';
import {
  masks,
  type SparsityReport,
  type StructureReport,
  sparsityReport,
  structureReport,
  structureSparsity,
  type WeightSparsity,
  weightSparsity,
} from '@sparsevd/pruning';
import {
  buildModel,
  type Checkpoint,
  type EpochMetrics,
  restoreNetwork,
  type TrainConfig,
} from '@sparsevd/train';
import { readCheckpoint } from '@sparsevd/train/node';
import * as E from 'fp-ts/lib/Either.js';
import { type CliError, failure } from './cli-error.js';
import { firstLayerChart, logAlphaChart, renderSvg, trainingChart } from './plots.js';
import { runFiles, writeAtomic, writeJson } from './run-dir.js';
import { backendLine } from './summary.js';

export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Starts the backend; a conv net on wasm (no Conv2DBackpropFilter kernel there) is refused with a hint. */
export const startBackend = async (
  choice: BackendChoice,
  config: TrainConfig | undefined,
  training: boolean,
): Promise<E.Either<CliError, BackendInfo>> => {
  const chosen = await selectBackend(choice === 'auto' ? {} : { backend: choice })();
  if (E.isLeft(chosen)) return E.left(failure(chosen.left.message));
  if (training && config !== undefined && config.model !== 'lenet300' && chosen.right.backend === 'wasm') {
    return E.left(
      failure(
        `${config.model} cannot train on the wasm backend: tfjs-backend-wasm has no Conv2DBackpropFilter kernel. ` +
          'Use --backend cpu (very slow), or install @tensorflow/tfjs-node or @sparsevd/backend-native.',
      ),
    );
  }
  return E.right(chosen.right);
};

/** A run's network restored from its checkpoint. */
export interface Restored {
  readonly checkpoint: Checkpoint;
  readonly network: Sequential;
  readonly params: Params;
  readonly inputShape: Shape;
}

/** Loads `DIR/checkpoint.ckpt` and rebuilds the network with its parameters. */
export const restore = async (dir: string): Promise<E.Either<CliError, Restored>> => {
  const files = runFiles(dir);
  if (!(await exists(files.checkpoint)))
    return E.left(failure(`${dir}: no checkpoint.ckpt here; is it a sparsevd run directory?`));
  const read = await readCheckpoint(files.checkpoint)();
  if (E.isLeft(read)) return E.left(failure(read.left.message));
  const checkpoint = read.right;
  if (checkpoint.phase === 'pretrain') {
    return E.left(
      failure(
        `${dir}: the run is still in its pretraining (${checkpoint.position.epoch} of ${checkpoint.config.pretrainEpochs} epochs done); continue it with: sparsevd resume ${dir}`,
      ),
    );
  }
  const restored = restoreNetwork(checkpoint);
  if (E.isLeft(restored)) return E.left(failure(`${files.checkpoint}: ${restored.left.message}`));
  const { network, params, inputShape } = restored.right;
  return E.right({ checkpoint, network, params, inputShape });
};

/**
 * The sparsity a run reports: SparseVD's (log α) for a SparseVD run, the weights the compacted network keeps
 * for one with unit noise (SBP: a removed unit's weights are removed), the zeros of the weights for a
 * magnitude-pruned dense run, none for the plain dense baseline (1×); and, for every pruned network, the
 * structure left (units kept, FLOPs of the compacted network), computed once.
 */
export const runSparsity = (
  config: TrainConfig,
  network: Sequential,
  params: Params,
): {
  readonly report: WeightSparsity | undefined;
  readonly logAlpha: SparsityReport | undefined;
  readonly structure: StructureReport | undefined;
} => {
  const logAlpha = config.dense ? undefined : sparsityReport(network, params);
  const counted = logAlpha ?? (config.magnitude === undefined ? undefined : weightSparsity(network, params));
  if (counted === undefined) return { report: undefined, logAlpha, structure: undefined };
  const structure = structureReport(network, params, buildModel(config).inputShape);
  // With unit noise (SBP) the weights of removed units are removed too: count what the compacted network keeps.
  const structured = !config.dense && (config.method ?? 'sparsevd') !== 'sparsevd';
  return { report: structured ? structureSparsity(structure) : counted, logAlpha, structure };
};

/** Writes `report.json` and the three SVG plots of a run. */
export const writeOutputs = async (
  dir: string,
  config: TrainConfig,
  metrics: ReadonlyArray<EpochMetrics>,
  network: Sequential,
  params: Params,
  backend: BackendInfo | string,
): Promise<string[]> => {
  const files = runFiles(dir);
  const { report, logAlpha, structure } = runSparsity(config, network, params);
  const last = metrics[metrics.length - 1];
  await writeJson(files.report, {
    config,
    backend: typeof backend === 'string' ? backend : backendLine(backend),
    epochs: metrics.length,
    testError: last?.testError,
    compression: report === undefined ? 1 : report.compression,
    allRemoved: report?.allRemoved ?? false,
    totalWeights: report?.totalWeights,
    keptWeights: report?.keptWeights,
    layers: report?.layers ?? [],
    trainingSeconds: metrics.reduce((s, m) => s + m.seconds, 0),
    // Every pruned network (SparseVD, SBP, magnitude): units kept per layer and FLOPs of the compacted network.
    ...(structure === undefined ? {} : { structure }),
  });
  const written = [files.report];
  const title = `${config.model} on ${config.dataset}${config.dense ? ' (dense)' : ''}${config.randomLabels ? ', random labels' : ''}`;
  await writeAtomic(files.trainingPlot, await renderSvg(trainingChart(metrics, title)));
  written.push(files.trainingPlot);
  if (logAlpha !== undefined && logAlpha.layers.length > 0) {
    await writeAtomic(files.logAlphaPlot, await renderSvg(logAlphaChart(logAlpha)));
    written.push(files.logAlphaPlot);
    const [first] = masks(network, params);
    if (first !== undefined) {
      const spec = firstLayerChart(first.name, first.mask.shape, first.mask.dataSync() as Float32Array);
      first.mask.dispose();
      if (spec !== undefined) {
        await writeAtomic(files.inputsPlot, await renderSvg(spec));
        written.push(files.inputsPlot);
      }
    }
  }
  return written;
};
