import type { Sequential, Shape } from '@sparsevd/layers';

/** A reference network with the input it expects. */
export interface ReferenceModel {
  /** `"lenet300"`, `"lenet5"`, `"vgg"`: the names the trainer's `model` option and the CLI's `--model` use. */
  readonly id: string;
  readonly network: Sequential;
  /** Shape of one input example: `[784]` (flat) or NHWC `[28, 28, 1]`, `[32, 32, 3]`. */
  readonly inputShape: Shape;
  /** Number of classes (outputs). */
  readonly classes: number;
}
