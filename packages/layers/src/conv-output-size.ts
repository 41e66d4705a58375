/**
 * The output length of a convolution or pooling window along one axis, as tfjs (and TensorFlow) compute it:
 * `ceil(size / stride)` with `same` padding, `floor((size − kernel) / stride) + 1` with `valid` — ≤ 0 when the
 * input is smaller than the window.
 *
 * @example
 * ```ts
 * import { convOutputSize } from '@sparsevd/layers';
 * convOutputSize(28, 5, 1, 'valid'); // 24: LeNet-5-Caffe's first convolution
 * ```
 */
export const convOutputSize = (
  size: number,
  kernel: number,
  stride: number,
  padding: 'valid' | 'same',
): number => (padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1);
