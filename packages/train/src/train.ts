import { batchCount, batches } from '@sparsevd/datasets';
import { KL_APPROXIMATIONS } from '@sparsevd/kl';
import {
  disposeParams,
  namedVariables,
  nonFiniteTensors,
  type Params,
  type Sequential,
  type Shape,
} from '@sparsevd/layers';
import { sparsityReport } from '@sparsevd/pruning';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import { type AdamState, adamState, adamUpdate, disposeAdam } from './adam.js';
import { buildModel } from './build-model.js';
import { type Checkpoint, type StoredTensor, writeCheckpoint, writeDurably } from './checkpoint.js';
import { type TrainConfig, validateConfig } from './config.js';
import type { RunData } from './data.js';
import { evaluate } from './evaluate.js';
import type { TrainEvent } from './events.js';
import type { EpochMetrics } from './metrics.js';
import { sgvlb } from './objective.js';
import { restoreNetwork } from './restore-network.js';
import { klWeight, learningRate } from './schedules.js';
import { type TrainError, trainError } from './train-error.js';

/** Options of {@link train}. */
export interface TrainOptions {
  /** Receives every {@link TrainEvent}. */
  readonly onEvent?: (event: TrainEvent) => void;
  /** Where to write the checkpoint after every epoch (atomically); none when absent. */
  readonly checkpointPath?: string;
  /** Continue this checkpoint instead of starting afresh (its configuration must match `config`). */
  readonly resume?: Checkpoint;
  /** Polled between steps: when it returns true the run saves a checkpoint at that step and stops. */
  readonly shouldStop?: () => boolean;
  /** The checkpoint file writer (tests inject one that fails mid-write). */
  readonly writeFile?: (path: string, bytes: Uint8Array) => Promise<void>;
  /**
   * Use the backend's fused kernels where it registered them (default `true`); `false` composes tfjs ops, for
   * comparisons. Results are the same either way, so this is not part of the configuration.
   */
  readonly fusedKernels?: boolean;
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

/** L2 coefficient of the dense pretraining phase (binary dropout + L2, the paper's start for VGG-like). */
export const PRETRAIN_L2 = 5e-4;
/** Binary dropout rate of the dense pretraining phase. */
export const PRETRAIN_DROPOUT = 0.5;

/** A 32-bit seed for the noise of (run seed, epoch, step): the random state is a function of position. */
export const stepSeed = (seed: number, epoch: number, step: number): number => {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (epoch + 0x632be5ab), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (step + 0x1b873593), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
};

const stored = (t: tf.Tensor): StoredTensor => ({ shape: t.shape, values: Float32Array.from(t.dataSync()) });

interface Phase {
  readonly name: 'pretrain' | 'sparsevd' | 'dense';
  readonly network: Sequential;
  readonly params: Params;
  readonly epochs: number;
  readonly lr: number;
  readonly l2: number;
}

/**
 * Trains a network by the configuration: minimises `N · mean CE + rw(t) · Σ KL` (Molchanov et al. 2017,
 * eq. 3) with Adam, the KL weight and learning rate following their schedules step by step; after each epoch
 * evaluates the eval-mode (pruned) network on the test set, reports sparsity and compression, and writes an
 * atomic checkpoint. A non-finite loss or parameter stops the run with an error naming the epoch and step,
 * leaving the last good checkpoint in place. A resumed run continues the identical schedule: batch order and
 * noise derive from (seed, epoch, step), and Adam's state is restored exactly.
 *
 * Optional first phase (`pretrainEpochs > 0`): a dense network with binary dropout and L2 is trained, and
 * the SparseVD network starts from its weights (log σ² = `logSigma2Init`, −15 in the paper). That phase is
 * not checkpointed: a run interrupted during it starts it again.
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
      trainError('Config', `batch-size: ${config.batchSize} is larger than the ${n} training examples`),
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

  const main = buildModel(config);
  let params: Params;
  if (resume !== undefined) {
    const restored = restoreNetwork(resume);
    if (E.isLeft(restored)) return restored;
    params = restored.right.params;
  } else if (config.pretrainEpochs > 0 && !config.dense) {
    const dense = buildModel(config, 'dense', PRETRAIN_DROPOUT);
    const pretrainParams = dense.network.init(config.seed, { inputShape: dense.inputShape });
    const pre = await runPhase(
      {
        name: 'pretrain',
        network: dense.network,
        params: pretrainParams,
        epochs: config.pretrainEpochs,
        lr: 1e-3,
        l2: PRETRAIN_L2,
      },
      config,
      data,
      options,
      emit,
      stepsPerEpoch,
      undefined,
      false,
    ).catch((error: unknown) => {
      disposeParams(pretrainParams);
      throw error;
    });
    if (E.isLeft(pre)) {
      disposeParams(pretrainParams);
      return pre;
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
  } else {
    params = main.network.init(config.seed, {
      inputShape: main.inputShape,
      logSigma2Init: config.logSigma2Init,
    });
  }
  const phase: Phase = {
    name: config.dense ? 'dense' : 'sparsevd',
    network: main.network,
    params,
    epochs: config.epochs,
    lr: config.lr,
    l2: 0,
  };
  let result: Awaited<ReturnType<typeof runPhase>>;
  try {
    result = await runPhase(phase, config, data, options, emit, stepsPerEpoch, resume, true);
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

const runPhase = async (
  phase: Phase,
  config: TrainConfig,
  data: RunData,
  options: TrainOptions,
  emit: (event: TrainEvent) => void,
  stepsPerEpoch: number,
  resume: Checkpoint | undefined,
  checkpoints: boolean,
): Promise<E.Either<TrainError, { metrics: EpochMetrics[]; interrupted: boolean }>> => {
  const { network, params, epochs } = phase;
  const named = Object.entries(namedVariables(params)).filter(([, v]) => v.trainable);
  const names = named.map(([name]) => name);
  const vars = named.map(([, v]) => v);
  const kernels = named.filter(([name]) => name.endsWith('/kernel')).map(([, v]) => v);
  const adam: AdamState = adamState(vars);
  if (resume !== undefined) {
    adam.step = resume.adam.step;
    names.forEach((name, i) => {
      const m = resume.adam.m[name];
      const v = resume.adam.v[name];
      if (m !== undefined && v !== undefined) {
        tf.tidy(() => {
          (adam.m[i] as tf.Variable).assign(tf.tensor(m.values, m.shape as number[]));
          (adam.v[i] as tf.Variable).assign(tf.tensor(v.values, v.shape as number[]));
        });
      }
    });
  }
  const metrics: EpochMetrics[] = resume === undefined ? [] : [...resume.metrics];
  const n = data.train.labels.length;
  const sparse = phase.name === 'sparsevd';
  const fused = { fused: options.fusedKernels ?? true };
  const klOptions = { ...fused, kl: KL_APPROXIMATIONS[config.kl ?? 'molchanov'] };
  emit({ type: 'phase', phase: phase.name, epochs });

  const checkpoint = (
    epoch: number,
    step: number,
    sums: { lossSum: number; dataSum: number; examples: number; seconds: number },
  ) => {
    if (!checkpoints || options.checkpointPath === undefined) return Promise.resolve(E.right(undefined));
    const ck: Checkpoint = {
      config,
      position: { epoch, step, ...sums },
      metrics,
      params: Object.fromEntries(Object.entries(namedVariables(params)).map(([k, v]) => [k, stored(v)])),
      adam: {
        step: adam.step,
        m: Object.fromEntries(names.map((name, i) => [name, stored(adam.m[i] as tf.Variable)])),
        v: Object.fromEntries(names.map((name, i) => [name, stored(adam.v[i] as tf.Variable)])),
      },
    };
    const path = options.checkpointPath;
    return writeCheckpoint(path, ck, options.writeFile ?? writeDurably)().then((written) => {
      if (E.isRight(written)) emit({ type: 'checkpoint', path, epoch, step });
      return written;
    });
  };

  try {
    const startEpoch = resume?.position.epoch ?? 0;
    for (let epoch = startEpoch; epoch < epochs; epoch += 1) {
      emit({ type: 'epoch-start', phase: phase.name, epoch, epochs });
      const resuming = resume !== undefined && epoch === startEpoch;
      const startStep = resuming ? resume.position.step : 0;
      const sums = resuming
        ? {
            lossSum: resume.position.lossSum,
            dataSum: resume.position.dataSum,
            examples: resume.position.examples,
            seconds: resume.position.seconds,
          }
        : { lossSum: 0, dataSum: 0, examples: 0, seconds: 0 };
      let lastLr = phase.lr;
      let lastRw = 0;
      let clock = performance.now();
      let step = 0;
      for (const { x, y, size } of batches(data.train, {
        ...data.batching,
        batchSize: config.batchSize,
        seed: config.seed,
        epoch,
      })) {
        if (step < startStep) {
          tf.dispose([x, y]);
          step += 1;
          continue;
        }
        const t = epoch + step / stepsPerEpoch;
        const lr = learningRate(config.lrSchedule, phase.lr, t, epochs);
        const rw = sparse ? klWeight(config.klSchedule, t, epochs) : 0;
        let parts: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const noise = { seed: stepSeed(config.seed, epoch, step) };
          const logits = network.apply(params, x, 'train', noise, fused);
          const kl = sparse ? network.kl(params, klOptions) : tf.scalar(0);
          const { loss, dataTerm } = sgvlb(logits, y, kl, n, rw, fused);
          const l2 =
            phase.l2 > 0
              ? tf.mul(tf.addN(kernels.map((k) => tf.sum(tf.square(k)))), (phase.l2 / 2) * n)
              : tf.scalar(0);
          parts = tf.keep(tf.stack([dataTerm, kl]));
          return tf.add(loss, l2) as tf.Scalar;
        }, vars);
        const [dataTerm, kl] = Array.from((parts as tf.Tensor).dataSync()) as [number, number];
        const lossPerExample = dataTerm + (rw * kl) / n;
        tf.dispose([x, y, value, parts as tf.Tensor]);
        if (!Number.isFinite(lossPerExample)) {
          tf.dispose(Object.values(grads));
          return E.left(
            trainError(
              'NonFinite',
              `non-finite loss (${lossPerExample}) at epoch ${epoch + 1}, step ${step + 1}; the last good checkpoint is kept`,
            ),
          );
        }
        adamUpdate(
          adam,
          vars,
          vars.map((v) => grads[v.name] as tf.Tensor),
          lr,
          fused,
        );
        tf.dispose(Object.values(grads));
        sums.lossSum += lossPerExample * size;
        sums.dataSum += dataTerm * size;
        sums.examples += size;
        lastLr = lr;
        lastRw = rw;
        emit({
          type: 'step',
          epoch,
          step,
          steps: stepsPerEpoch,
          loss: lossPerExample,
          dataTerm,
          kl,
          lr,
          klWeight: rw,
        });
        step += 1;
        if (options.shouldStop?.() === true && step < stepsPerEpoch) {
          const now = performance.now();
          sums.seconds += (now - clock) / 1000;
          clock = now;
          const saved = await checkpoint(epoch, step, sums);
          if (E.isLeft(saved)) return saved;
          return E.right({ metrics, interrupted: true });
        }
      }
      sums.seconds += (performance.now() - clock) / 1000;
      const [diverged] = nonFiniteTensors(params);
      if (diverged !== undefined) {
        return E.left(
          trainError(
            'NonFinite',
            `non-finite parameters after epoch ${epoch + 1} (${diverged.layer}/${diverged.tensor}: ${diverged.count} of ${diverged.size} values); the last good checkpoint is kept`,
          ),
        );
      }
      const test = evaluate(network, params, data.test, data.batching);
      const report = sparse ? sparsityReport(network, params) : undefined;
      const klEnd = sparse ? tf.tidy(() => network.kl(params, klOptions).dataSync()[0] as number) : 0;
      const epochMetrics: EpochMetrics = {
        epoch: epoch + 1,
        phase: phase.name,
        trainLoss: sums.lossSum / sums.examples,
        dataTerm: sums.dataSum / sums.examples,
        kl: klEnd,
        klWeight: lastRw,
        lr: lastLr,
        testError: test.error,
        testLoss: test.loss,
        compression: report === undefined ? 1 : report.compression,
        layers: report?.layers.map((l) => ({ name: l.name, removedPercent: l.removedPercent })) ?? [],
        seconds: sums.seconds,
        examplesPerSecond: sums.seconds > 0 ? sums.examples / sums.seconds : 0,
      };
      metrics.push(epochMetrics);
      emit({ type: 'epoch-end', metrics: epochMetrics });
      const saved = await checkpoint(epoch + 1, 0, { lossSum: 0, dataSum: 0, examples: 0, seconds: 0 });
      if (E.isLeft(saved)) return saved;
      if (options.shouldStop?.() === true && epoch + 1 < epochs)
        return E.right({ metrics, interrupted: true });
    }
    return E.right({ metrics, interrupted: false });
  } finally {
    disposeAdam(adam);
  }
};
