import { batches } from '@sparsevd/datasets';
import { KL_APPROXIMATIONS } from '@sparsevd/kl';
import { namedVariables, type Params, type Sequential, type Shape } from '@sparsevd/layers';
import {
  applyMagnitudeMasks,
  gradualSparsity,
  type MagnitudeMask,
  magnitudeMasks,
  nonzeroMasks,
} from '@sparsevd/pruning';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { adamState, disposeAdam, restoreAdam } from './adam.js';
import type { Checkpoint, StoredTensor } from './checkpoint.js';
import { type CheckpointStore, saveCheckpoint } from './checkpoint-store.js';
import type { TrainConfig } from './config.js';
import type { RunData } from './data.js';
import { type EpochSums, epochMetrics } from './epoch-end.js';
import type { TrainEvent } from './events.js';
import type { EpochMetrics } from './metrics.js';
import { klWeight, learningRate } from './schedules.js';
import { type TrainError, trainError } from './train-error.js';
import { type StepContext, trainStep } from './train-step.js';

/** One phase of a run: dense pretraining, the SparseVD training, or the dense baseline. */
export interface Phase {
  readonly name: 'pretrain' | 'sparsevd' | 'dense';
  readonly network: Sequential;
  readonly params: Params;
  readonly epochs: number;
  readonly lr: number;
  /** L2 coefficient on the weights of the network's plain layers (0: none). */
  readonly l2: number;
}

/** Everything {@link runPhase} needs, by name. */
export interface PhaseRun {
  readonly phase: Phase;
  readonly config: TrainConfig;
  readonly data: RunData;
  readonly emit: (event: TrainEvent) => void;
  readonly stepsPerEpoch: number;
  /** Continue this checkpoint (its position, metrics and Adam state). */
  readonly resume?: Checkpoint;
  /** Where to keep the checkpoint (written after every epoch and when stopped); none when absent. */
  readonly checkpoints?: CheckpointStore;
  readonly shouldStop?: () => boolean;
  readonly betweenSteps?: (live: LiveRun) => void | Promise<void>;
  readonly fusedKernels: boolean;
  /** Recorded in each epoch's metrics ({@link EpochMetrics.machine}). */
  readonly machine?: string;
  /** Input shape of one example, for the structure report of a network with unit noise (SBP methods). */
  readonly structure?: Shape;
}

/** What {@link TrainOptions.betweenSteps} sees: the network as it trains and where the run is. */
export interface LiveRun {
  readonly phase: Phase['name'];
  readonly network: Sequential;
  /** The live parameters: read them (asynchronously, preferably), never change or dispose them. */
  readonly params: Params;
  /** 0-based epoch, and the number of steps done in it. */
  readonly epoch: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
}

/** How a phase ended. */
export interface PhaseResult {
  readonly metrics: EpochMetrics[];
  readonly interrupted: boolean;
}

/** A copy of a tensor's values for a checkpoint. */
export const stored = (t: tf.Tensor): StoredTensor => ({
  shape: t.shape,
  values: Float32Array.from(t.dataSync()),
});

/** A 32-bit seed for the noise of (run seed, epoch, step): the random state is a function of position. */
export const stepSeed = (seed: number, epoch: number, step: number): number => {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (epoch + 0x632be5ab), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (step + 0x1b873593), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * Trains one phase epoch by epoch: each batch one {@link trainStep} at the learning rate and KL weight of its
 * position, each epoch's end {@link epochMetrics} and a checkpoint; stops early (after a checkpoint) when
 * `shouldStop` says so. A resumed phase skips the batches its checkpoint had done and continues its sums.
 */
export const runPhase = async (run: PhaseRun): Promise<E.Either<TrainError, PhaseResult>> => {
  const { phase, config, data, emit, stepsPerEpoch, resume } = run;
  const { network, params, epochs } = phase;
  const named = Object.entries(namedVariables(params)).filter(([, v]) => v.trainable);
  const names = named.map(([name]) => name);
  const vars = named.map(([, v]) => v);
  const adam = adamState(vars);
  if (resume !== undefined) restoreAdam(adam, names, resume.adam);
  const fused = { fused: run.fusedKernels };
  const ctx: StepContext = {
    network,
    params,
    vars,
    // The pretraining phase's L2 is on the weights of its ordinary layers (by their role: not biases).
    l2Weights: (network.tensors?.(params, '') ?? [])
      .filter((t) => t.role === 'weights')
      .map((t) => t.variable),
    l2: phase.l2,
    trainingSize: data.train.labels.length,
    sparse: phase.name === 'sparsevd',
    fused,
    klOptions: { ...fused, kl: KL_APPROXIMATIONS[config.kl ?? 'molchanov'] },
    adam,
  };
  const metrics: EpochMetrics[] = resume === undefined ? [] : [...resume.metrics];
  emit({ type: 'phase', phase: phase.name, epochs });

  const checkpoint = (epoch: number, step: number, sums: EpochSums) => {
    const store = run.checkpoints;
    if (store === undefined) return Promise.resolve(E.right(undefined));
    const ck: Checkpoint = {
      config,
      ...(phase.name === 'pretrain' ? { phase: 'pretrain' as const } : {}),
      position: { epoch, step, ...sums },
      metrics,
      params: Object.fromEntries(Object.entries(namedVariables(params)).map(([k, v]) => [k, stored(v)])),
      adam: {
        step: adam.step,
        m: Object.fromEntries(names.map((name, i) => [name, stored(adam.m[i] as tf.Variable)])),
        v: Object.fromEntries(names.map((name, i) => [name, stored(adam.v[i] as tf.Variable)])),
      },
    };
    return saveCheckpoint(store, ck)().then((written) => {
      if (E.isRight(written)) emit({ type: 'checkpoint', path: store.location, epoch, step });
      return written;
    });
  };

  // Magnitude pruning of the dense baseline: the masks in force (none before the first pruning epoch). The
  // removed weights are held at exactly 0, so a resumed run recovers its masks from the zeros.
  const pruning = phase.name === 'dense' ? config.magnitude : undefined;
  const startEpoch = resume?.position.epoch ?? 0;
  let pruneMasks: MagnitudeMask[] =
    pruning !== undefined && startEpoch > pruning.startEpoch ? nonzeroMasks(network, params) : [];
  const prune = (completed: number): E.Either<TrainError, void> => {
    if (pruning === undefined || completed <= pruning.startEpoch || completed > pruning.endEpoch)
      return E.right(undefined);
    const at = (f: number) => gradualSparsity(f, completed, pruning.startEpoch, pruning.endEpoch);
    try {
      const next = magnitudeMasks(
        network,
        params,
        pruning.sparsity.length === 1 ? at(pruning.sparsity[0] as number) : pruning.sparsity.map(at),
      );
      tf.dispose(pruneMasks.map((m) => m.mask));
      pruneMasks = next;
      applyMagnitudeMasks(pruneMasks);
      return E.right(undefined);
    } catch (e) {
      return E.left(trainError('Config', `magnitude: ${(e as Error).message}`));
    }
  };

  try {
    for (let epoch = startEpoch; epoch < epochs; epoch += 1) {
      emit({ type: 'epoch-start', phase: phase.name, epoch, epochs });
      const resuming = resume !== undefined && epoch === startEpoch;
      const startStep = resuming ? resume.position.step : 0;
      const sums: EpochSums = resuming
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
        const rw = ctx.sparse ? klWeight(config.klSchedule, t, epochs) : 0;
        const result = trainStep(ctx, {
          x,
          y,
          seed: stepSeed(config.seed, epoch, step),
          lr,
          klWeight: rw,
          where: { epoch: epoch + 1, step: step + 1 },
        });
        tf.dispose([x, y]);
        if (E.isLeft(result)) return result;
        if (pruneMasks.length > 0) applyMagnitudeMasks(pruneMasks);
        const { loss, dataTerm, kl } = result.right;
        sums.lossSum += loss * size;
        sums.dataSum += dataTerm * size;
        sums.examples += size;
        lastLr = lr;
        lastRw = rw;
        emit({ type: 'step', epoch, step, steps: stepsPerEpoch, loss, dataTerm, kl, lr, klWeight: rw });
        step += 1;
        if (run.betweenSteps !== undefined)
          await run.betweenSteps({ phase: phase.name, network, params, epoch, step, stepsPerEpoch });
        if (run.shouldStop?.() === true && step < stepsPerEpoch) {
          const now = performance.now();
          sums.seconds += (now - clock) / 1000;
          clock = now;
          const saved = await checkpoint(epoch, step, sums);
          if (E.isLeft(saved)) return saved;
          return E.right({ metrics, interrupted: true });
        }
      }
      sums.seconds += (performance.now() - clock) / 1000;
      const pruned = prune(epoch + 1);
      if (E.isLeft(pruned)) return pruned;
      const ended = epochMetrics(
        network,
        params,
        data,
        ctx.klOptions,
        {
          phase: phase.name,
          epoch,
          sums,
          lr: lastLr,
          klWeight: lastRw,
        },
        {
          trainError: config.randomLabels,
          weightSparsity: pruning !== undefined,
          ...(run.structure === undefined ? {} : { structure: run.structure }),
          ...(run.machine === undefined ? {} : { machine: run.machine }),
        },
      );
      if (E.isLeft(ended)) return ended;
      metrics.push(ended.right);
      emit({ type: 'epoch-end', metrics: ended.right });
      const saved = await checkpoint(epoch + 1, 0, { lossSum: 0, dataSum: 0, examples: 0, seconds: 0 });
      if (E.isLeft(saved)) return saved;
      if (run.shouldStop?.() === true && epoch + 1 < epochs) return E.right({ metrics, interrupted: true });
    }
    return E.right({ metrics, interrupted: false });
  } finally {
    disposeAdam(adam);
    tf.dispose(pruneMasks.map((m) => m.mask));
  }
};
