import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { NonFiniteParameterError, nonFiniteTensorsAsync } from '../non-finite.js';

/** Thrown by `fit` (through {@link NonFiniteGuard}) when a batch's loss is NaN or ±∞ (`batch` −1: the epoch's mean). */
export class NonFiniteLossError extends RangeError {
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly loss: number,
  ) {
    super(
      `fit stopped: the loss is ${loss} ${batch < 0 ? 'over' : `at batch ${batch + 1} of`} epoch ${epoch + 1}; the inputs or targets hold NaN or ±∞, or the learning rate is too high`,
    );
    this.name = 'NonFiniteLossError';
  }
}

type Logs = Record<string, number | tf.Scalar> | undefined;

/**
 * A `model.fit` callback that stops training at the first non-finite loss, and at the end of every epoch
 * when any weight holds NaN or ±∞ (a backend can report a finite loss while the weights have diverged);
 * `fit` then rejects with a {@link NonFiniteLossError} or a `NonFiniteParameterError` naming the layer and
 * the weight, instead of running to the end with a NaN model. Values are read asynchronously (no stall on
 * GPU backends); the weight check costs one reduction per epoch.
 *
 * @example
 * ```js
 * await model.fit(x, y, { epochs: 5, callbacks: [new NonFiniteGuard()] });
 * ```
 */
export class NonFiniteGuard extends tfl.Callback {
  private epoch = 0;
  private failure: Error | undefined;

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    const value = logs?.loss;
    if (value === undefined || this.failure !== undefined) return;
    const loss = typeof value === 'number' ? value : ((await value.data())[0] as number);
    if (!Number.isFinite(loss)) this.stop(new NonFiniteLossError(this.epoch, batch, loss));
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    if (this.failure !== undefined) return;
    const value = logs?.loss;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      this.stop(new NonFiniteLossError(epoch, -1, value));
      return;
    }
    const model = this.model as tfl.LayersModel;
    const named = model.weights.map((w) => [w.name, w.read()] as const);
    const bad = await nonFiniteTensorsAsync(named);
    if (bad.length > 0)
      this.stop(
        new NonFiniteParameterError(
          `fit stopped after epoch ${epoch + 1}`,
          bad,
          'training diverged (NaN or ±∞ in the inputs or targets, or too high a learning rate)',
        ),
      );
  }

  override async onTrainBegin(): Promise<void> {
    this.failure = undefined;
  }

  override async onTrainEnd(): Promise<void> {
    // Thrown here rather than where it was found, so that fit has ended its epoch and released its tensors.
    if (this.failure !== undefined) throw this.failure;
  }

  private stop(failure: Error): void {
    this.failure = failure;
    (this.model as tfl.LayersModel).stopTraining = true;
  }
}
