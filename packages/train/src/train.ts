import { batchCount } from '@sparsevd/datasets';
import { disposeParams, namedVariables, type Params, type Sequential, type Shape } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { buildModel, PRETRAIN_L2, pretrainModel } from './build-model.js';
import type { Checkpoint, StoredTensor } from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { type TrainConfig, validateConfig } from './config.js';
import type { RunData } from './data.js';
import type { TrainEvent } from './events.js';
import type { EpochMetrics } from './metrics.js';
import { type LiveRun, type Phase, type PhaseResult, runPhase } from './phase.js';
import { restoreNetwork } from './restore-network.js';
import { type TrainError, trainError } from './train-error.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** Receives every {@link TrainEvent}. */
  readonly onEvent?: (event: TrainEvent) => void;
  /**
   * Where to keep the checkpoint, written after every epoch and when `shouldStop` stops the run: a file in Node
   * (`fileCheckpointStore(path)` of `@sparsevd/train/node`), IndexedDB in a page (`indexedDbCheckpointStore`);
   * none when absent.
   */
  readonly checkpoints?: CheckpointStore;
  /** Continue this checkpoint instead of starting afresh (its configuration must match `config`). */
  readonly resume?: Checkpoint;
  /** Polled between steps: when it returns true the run saves a checkpoint at that step and stops. */
  readonly shouldStop?: () => boolean;
  /**
   * Awaited after every step with the live network ({@link LiveRun}): a page or a worker yields to its event
   * loop here (so a pause message or a redraw happens mid-epoch) and may draw the network as it trains, reading
   * the parameters asynchronously. It must not change or dispose them; what it throws ends the run as `Failed`.
   */
  readonly betweenSteps?: (live: LiveRun) => void | Promise<void>;
  /**
   * Use the backend's fused kernels where it registered them (default `true`); `false` composes tfjs ops, for
   * comparisons. Results are the same either way, so this is not part of the configuration.
   */
  readonly fusedKernels?: boolean;
  /**
   * A network of your own to train instead of the preset `config.model` names: any `sequential` of
   * `@sparsevd/layers` (or one read from a tfjs-layers model by `fromLayersModel`), with its input shape, which
   * must fit the data's examples. Its parameters start from `config.seed` (`logSigma2Init` for SparseVD
   * weights); `config.dense` trains it without the KL. Resuming such a run takes the same network again.
   */
  readonly network?: { readonly network: Sequential; readonly inputShape: Shape };
  /**
   * Start from these weights (by `"layer/param"`, as a checkpoint's `params` holds them: a finished run's, see
   * `config.initFrom`) instead of the seed's initialisation: an ordinary network's `kernel`/`bias` start
   * SparseVD's θ (log σ² = `logSigma2Init`), a SparseVD network's `theta`/`logSigma2` start SparseVD layers as
   * they were, unit noise starts from its `mu`/`logSigma`. Layers without given weights start as usual; a
   * given parameter that no layer takes, or of another shape, is a `Config` error naming it. Ignored when
   * resuming (the checkpoint holds the weights).
   */
  readonly initialWeights?: Readonly<Record<string, StoredTensor>>;
  /**
   * The machine running this (for example `"AMD EPYC … (avx512f) · native"`), recorded in every epoch's metrics so
   * a run resumed on another CPU or backend shows which epochs ran where. Not part of the configuration.
   */
  readonly machine?: string;
}

/** A finished (or interrupted) run: the trained network and what happened. */
export interface TrainResult {
  readonly network: Sequential;
  readonly params: Params;
  readonly inputShape: Shape;
  readonly metrics: ReadonlyArray<EpochMetrics>;
  /** True when `shouldStop` ended the run early (a checkpoint was saved where it stopped). */
  readonly interrupted: boolean;
}

/** Why a network of the caller's cannot train on this data with this configuration, or undefined. */
const networkMismatch = (
  given: { readonly network: Sequential; readonly inputShape: Shape },
  data: RunData,
  config: TrainConfig,
): string | undefined => {
  const { network, inputShape } = given;
  if (typeof network?.sparseWeights !== 'function' || typeof network.init !== 'function')
    return 'network: must be a network value of @sparsevd/layers (sequential([...]), or fromLayersModel(model))';
  if (config.pretrainEpochs > 0)
    return 'pretrainEpochs: pretraining builds the dense twin of a preset model; pretrain a network of your own yourself and start from its weights';
  const example = data.train.shape;
  const fits =
    data.batching.layout === 'flat'
      ? inputShape.length === 1 && inputShape[0] === example.reduce((a, b) => a * b, 1)
      : inputShape.join() === example.join();
  if (!fits)
    return `network: takes examples of shape [${inputShape.join(', ')}] but the data's are [${example.join(', ')}] (${data.batching.layout ?? 'flat'})`;
  return undefined;
};

/**
 * The run's network initialised from given weights: every given parameter must be one a layer takes (`kernel`
 * also starts a SparseVD layer's `theta`), of its shape; a `Config` error names those that are not.
 */
const startFrom = (
  network: Sequential,
  inputShape: Shape,
  config: TrainConfig,
  given: Readonly<Record<string, StoredTensor>>,
): E.Either<TrainError, Params> => {
  const from = config.initFrom ?? 'initialWeights';
  const probe = network.init(config.seed, { inputShape });
  const names = new Set(Object.keys(namedVariables(probe)));
  disposeParams(probe);
  const unused = Object.keys(given).filter((key) => {
    const slash = key.lastIndexOf('/');
    const layer = key.slice(0, slash);
    const param = key.slice(slash + 1);
    return !(names.has(key) || (param === 'kernel' && names.has(`${layer}/theta`)));
  });
  if (unused.length > 0) {
    return E.left(
      trainError(
        'Config',
        `initFrom: ${from} holds ${unused.join(', ')}, which no layer of this ${config.model} network takes` +
          (unused.some((k) => k.endsWith('/theta') || k.endsWith('/logSigma2'))
            ? ' (SparseVD weights cannot start an ordinary layer: their pruned weights would come back)'
            : ''),
      ),
    );
  }
  const weights = Object.fromEntries(
    Object.entries(given).map(([k, t]) => [k, tf.tensor(t.values, [...t.shape])]),
  );
  try {
    return E.right(network.init(config.seed, { inputShape, weights, logSigma2Init: config.logSigma2Init }));
  } catch (error) {
    return E.left(trainError('Config', `initFrom: ${from}: ${(error as Error).message}`));
  } finally {
    tf.dispose(Object.values(weights));
  }
};

/**
 * Trains a network by the configuration: minimises `N · mean CE + rw(t) · Σ KL` (Molchanov et al. 2017,
 * eq. 3) with Adam, the KL weight and learning rate following their schedules step by step; after each epoch
 * evaluates the eval-mode (pruned) network on the test set, reports sparsity and compression, and writes an
 * atomic checkpoint. A non-finite loss or parameter stops the run with an error naming the epoch and step,
 * leaving the last good checkpoint in place. A resumed run continues the identical schedule: batch order and
 * noise derive from (seed, epoch, step), and Adam's state is restored exactly.
 *
 * Optional first phase (`pretrainEpochs > 0`): a dense network (with binary dropout and L2, or plain: see
 * `pretrainRegularizer`) is trained, and the Bayesian network starts from its weights (log σ² =
 * `logSigma2Init`, −15 in the paper). That phase is checkpointed as the main one is (a checkpoint with
 * `phase: 'pretrain'`); a run stopped in it returns the pretraining network with `interrupted: true`.
 */
export const train =
  (config: TrainConfig, data: RunData, options: TrainOptions = {}): TE.TaskEither<TrainError, TrainResult> =>
  async () => {
    // A TaskEither never rejects: whatever throws inside the run (a layer, a kernel, an event handler) comes
    // back as a `Failed` error, after the run has released its tensors.
    const where = { phase: 'setup', epoch: 0, step: 0 };
    const track = (event: TrainEvent) => {
      if (event.type === 'phase') where.phase = event.phase;
      if (event.type === 'step') Object.assign(where, { epoch: event.epoch, step: event.step });
      options.onEvent?.(event);
    };
    try {
      return await runTraining(config, data, { ...options, onEvent: track });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const at =
        where.phase === 'setup'
          ? 'before the first step'
          : `in the ${where.phase} phase, epoch ${where.epoch + 1}, step ${where.step + 1}`;
      return E.left(trainError('Failed', `training failed ${at}: ${message.split('\n')[0]}`));
    }
  };

const runTraining = async (
  config: TrainConfig,
  data: RunData,
  options: TrainOptions,
): Promise<E.Either<TrainError, TrainResult>> => {
  const checked = validateConfig(config);
  if (E.isLeft(checked)) return E.left(trainError('Config', checked.left.message));
  const emit = options.onEvent ?? (() => undefined);
  const { train: trainSet, test: testSet } = data;
  const n = trainSet.labels.length;
  if (config.batchSize > n) {
    return E.left(
      trainError('Config', `batchSize: ${config.batchSize} is larger than the ${n} training examples`),
    );
  }
  const stepsPerEpoch = batchCount(trainSet, { batchSize: config.batchSize });
  const resume = options.resume;
  emit({
    type: 'start',
    config,
    stepsPerEpoch,
    trainSize: n,
    testSize: testSet.labels.length,
    ...(resume === undefined
      ? {}
      : { resumedAt: { epoch: resume.position.epoch, step: resume.position.step } }),
  });

  const phaseRun = {
    config,
    data,
    emit,
    stepsPerEpoch,
    fusedKernels: options.fusedKernels ?? true,
    ...(options.shouldStop === undefined ? {} : { shouldStop: options.shouldStop }),
    ...(options.betweenSteps === undefined ? {} : { betweenSteps: options.betweenSteps }),
    ...(options.machine === undefined ? {} : { machine: options.machine }),
  };
  if (options.network !== undefined) {
    const problem = networkMismatch(options.network, data, config);
    if (problem !== undefined) return E.left(trainError('Config', problem));
  }
  const main = options.network ?? buildModel(config);
  // A checkpoint of the pretraining resumes that phase; one of the main phase resumes the main phase.
  const resumePretrain = resume?.phase === 'pretrain' ? resume : undefined;
  const resumeMain = resume?.phase === 'pretrain' ? undefined : resume;
  let params: Params;
  if (resumeMain !== undefined) {
    const restored = restoreNetwork(resumeMain, options.network);
    if (E.isLeft(restored)) return restored;
    params = restored.right.params;
  } else if (config.pretrainEpochs > 0 && !config.dense) {
    const dense = pretrainModel(config);
    // A run stopped in its pretraining resumes it from the pretraining checkpoint.
    let pretrainParams: Params;
    if (resumePretrain !== undefined) {
      const restored = restoreNetwork(resumePretrain);
      if (E.isLeft(restored)) return restored;
      pretrainParams = restored.right.params;
    } else {
      pretrainParams = dense.network.init(config.seed, { inputShape: dense.inputShape });
    }
    const pre = await runPhase({
      ...phaseRun,
      phase: {
        name: 'pretrain',
        network: dense.network,
        params: pretrainParams,
        epochs: config.pretrainEpochs,
        lr: 1e-3,
        l2: (config.pretrainRegularizer ?? 'dropout+l2') === 'dropout+l2' ? PRETRAIN_L2 : 0,
      },
      ...(resumePretrain === undefined ? {} : { resume: resumePretrain }),
      ...(options.checkpoints === undefined ? {} : { checkpoints: options.checkpoints }),
    }).catch((error: unknown) => {
      disposeParams(pretrainParams);
      throw error;
    });
    if (E.isLeft(pre)) {
      disposeParams(pretrainParams);
      return pre;
    }
    if (pre.right.interrupted) {
      // Stopped in the pretraining: its checkpoint is saved; the result is the pretraining network so far.
      emit({ type: 'done', metrics: pre.right.metrics, interrupted: true });
      return E.right({
        network: dense.network,
        params: pretrainParams,
        inputShape: dense.inputShape,
        metrics: pre.right.metrics,
        interrupted: true,
      });
    }
    const weights = Object.fromEntries(
      Object.entries(namedVariables(pretrainParams)).map(([k, v]) => [k, v as tf.Tensor]),
    );
    params = main.network.init(config.seed, {
      inputShape: main.inputShape,
      weights,
      logSigma2Init: config.logSigma2Init,
    });
    disposeParams(pretrainParams);
  } else if (options.initialWeights !== undefined || config.initFrom !== undefined) {
    if (options.initialWeights === undefined) {
      return E.left(
        trainError(
          'Config',
          `initFrom: the run starts from ${config.initFrom}, but no initialWeights were given (read them from its checkpoint)`,
        ),
      );
    }
    const started = startFrom(main.network, main.inputShape, config, options.initialWeights);
    if (E.isLeft(started)) return started;
    params = started.right;
  } else {
    params = main.network.init(config.seed, {
      inputShape: main.inputShape,
      logSigma2Init: config.logSigma2Init,
    });
  }
  const structured = (config.method ?? 'sparsevd') !== 'sparsevd' && !config.dense;
  const phase: Phase = {
    name: config.dense ? 'dense' : 'sparsevd',
    network: main.network,
    params,
    epochs: config.epochs,
    lr: config.lr,
    l2: 0,
  };
  let result: E.Either<TrainError, PhaseResult>;
  try {
    result = await runPhase({
      ...phaseRun,
      phase,
      ...(structured ? { structure: main.inputShape } : {}),
      ...(resumeMain === undefined ? {} : { resume: resumeMain }),
      ...(options.checkpoints === undefined ? {} : { checkpoints: options.checkpoints }),
    });
  } catch (error) {
    disposeParams(params);
    throw error;
  }
  if (E.isLeft(result)) {
    disposeParams(params);
    return result;
  }
  emit({ type: 'done', metrics: result.right.metrics, interrupted: result.right.interrupted });
  return E.right({ network: main.network, params, inputShape: main.inputShape, ...result.right });
};
