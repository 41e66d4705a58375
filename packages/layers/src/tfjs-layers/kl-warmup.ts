import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type KlSchedule, klWeight } from '../kl-schedule.js';

/** A layer with a KL term the warm-up scales: SparseVDDense, SparseVDConv2D, SBPUnitNoise. */
interface KlLayer {
  setKlWeight(weight: number): void;
  klPerExample(): tf.Scalar;
}

const hasKl = (layer: unknown): layer is KlLayer =>
  typeof (layer as Partial<KlLayer>).setKlWeight === 'function' &&
  typeof (layer as Partial<KlLayer>).klPerExample === 'function';

/** Options of {@link KlWarmup}. */
export interface KlWarmupOptions {
  /**
   * The KL weight over the fit's epochs: `paper` (default: 0 for the first 2.5 % of the epochs, then linear
   * to 1 by 10 %, the authors' 5 → 20 of 200 epochs scaled to the fit), `linear` or `constant`.
   */
  readonly schedule?: KlSchedule;
}

type Logs = { [key: string]: number | tf.Scalar };

/**
 * A `model.fit` callback for models with SparseVD layers: sets the KL weight rw of every SparseVD layer
 * before each batch by the schedule (the paper's warm-up by default: without it the KL dominates from the
 * first step and the network sparsifies before it learns), and adds to each epoch's logs
 * `kl` (Σ KL / N at the epoch's end), `kl_weight` (rw at the epoch's end) and `data_loss` (the epoch's mean
 * loss less its mean KL term: the data term alone). One asynchronous read per epoch, none per batch.
 *
 * @example
 * ```js
 * await model.fit(x, y, { epochs: 10, batchSize: 100, callbacks: [new KlWarmup()] });
 * ```
 */
export class KlWarmup extends tfl.Callback {
  private readonly schedule: KlSchedule;
  private layers: KlLayer[] = [];
  private epoch = 0;
  private weight = 0;
  private klTermSum: tf.Scalar | undefined;
  private batches = 0;

  constructor(options: KlWarmupOptions = {}) {
    super();
    this.schedule = options.schedule ?? { kind: 'paper' };
  }

  private steps(): number {
    const p = this.params as { steps?: number; samples?: number; batchSize?: number };
    if (typeof p.steps === 'number' && p.steps > 0) return p.steps;
    return Math.max(1, Math.ceil((p.samples ?? 1) / (p.batchSize ?? 32)));
  }

  override async onTrainBegin(): Promise<void> {
    this.layers = this.model.layers.filter((l): l is tfl.layers.Layer & KlLayer => hasKl(l));
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.batches = 0;
    this.klTermSum?.dispose();
    this.klTermSum = undefined;
  }

  override async onBatchBegin(batch: number): Promise<void> {
    const epochs = Number((this.params as { epochs?: number }).epochs ?? 1);
    this.weight = klWeight(this.schedule, this.epoch + batch / this.steps(), epochs);
    for (const layer of this.layers) layer.setKlWeight(this.weight);
  }

  override async onBatchEnd(): Promise<void> {
    const term = tf.tidy(() => tf.mul(this.kl(), this.weight) as tf.Scalar);
    const sum = this.klTermSum === undefined ? term : (tf.add(this.klTermSum, term) as tf.Scalar);
    if (sum !== term) tf.dispose([this.klTermSum as tf.Scalar, term]);
    this.klTermSum = sum;
    this.batches += 1;
  }

  override async onEpochEnd(_epoch: number, logs?: Logs): Promise<void> {
    if (logs === undefined || this.layers.length === 0) return;
    const kl = this.kl();
    // tfjs's epoch logs may still hold the mean loss as a scalar tensor here (it resolves them later).
    const loss = logs.loss;
    const [klValue, termSum, lossValue] = await Promise.all([
      kl.data(),
      this.klTermSum?.data(),
      typeof loss === 'number' || loss === undefined ? loss : loss.data().then((v) => v[0] as number),
    ]);
    kl.dispose();
    logs.kl = klValue[0] as number;
    logs.kl_weight = this.weight;
    if (lossValue !== undefined && termSum !== undefined && this.batches > 0)
      logs.data_loss = lossValue - (termSum[0] as number) / this.batches;
  }

  override async onTrainEnd(): Promise<void> {
    this.klTermSum?.dispose();
    this.klTermSum = undefined;
  }

  /** Σ KL / N over the model's SparseVD layers (without the KL weight). */
  private kl(): tf.Scalar {
    return tf.tidy(() => tf.addN(this.layers.map((l) => l.klPerExample())) as tf.Scalar);
  }
}
