import { convOutputSize, type Shape } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { csrValues } from './csr.js';
import type { SparseNetwork, SparseOp } from './sparse-model-types.js';

/** A network that runs from its CSR form. */
export interface SparseModel {
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  /** Forward pass over `batch` examples laid out flat (NHWC for images): returns `[batch, ...outputShape]` flat. */
  readonly predict: (x: Float32Array, batch: number) => Float32Array;
  /** The same on a tensor `[batch, ...inputShape]`; returns a new tensor. */
  readonly predictTensor: (x: tf.Tensor) => tf.Tensor;
}

/** TF's "same" padding: the padding before the input on one axis. */
const padBefore = (size: number, out: number, k: number, s: number): number =>
  Math.floor(Math.max((out - 1) * s + k - size, 0) / 2);

type Runner = { run: (x: Float32Array, batch: number) => Float32Array; out: Shape };

const runner = (op: SparseOp, shape: Shape): Runner => {
  switch (op.kind) {
    case 'unitwise': {
      const fn = op.fn;
      return { out: shape, run: (x) => x.map(fn) };
    }
    case 'flatten':
      return { out: [shape.reduce((a, b) => a * b, 1)], run: (x) => x };
    case 'select': {
      const inSize = shape[0] as number;
      const idx = op.indices;
      return {
        out: [idx.length],
        run: (x, batch) => {
          const y = new Float32Array(batch * idx.length);
          for (let b = 0; b < batch; b += 1)
            for (let i = 0; i < idx.length; i += 1)
              y[b * idx.length + i] = x[b * inSize + (idx[i] as number)] as number;
          return y;
        },
      };
    }
    case 'dense': {
      const { rowPtr, colIndices, rows, cols } = op.weights;
      const values = csrValues(op.weights);
      const bias = op.bias;
      // Only rows with kept weights are visited: pruned inputs (dead pixels, dead units) cost nothing.
      const live = Uint32Array.from({ length: rows }, (_, r) => r).filter(
        (r) => (rowPtr[r + 1] as number) > (rowPtr[r] as number),
      );
      return {
        out: [cols],
        run: (x, batch) => {
          const y = new Float32Array(batch * cols);
          for (let b = 0; b < batch; b += 1) {
            const yo = b * cols;
            y.set(bias, yo);
            const xo = b * rows;
            for (let i = 0; i < live.length; i += 1) {
              const r = live[i] as number;
              const xv = x[xo + r] as number;
              if (xv === 0) continue;
              for (let k = rowPtr[r] as number, end = rowPtr[r + 1] as number; k < end; k += 1) {
                const at = yo + (colIndices[k] as number);
                y[at] = (y[at] as number) + xv * (values[k] as number);
              }
            }
          }
          return y;
        },
      };
    }
    case 'conv': {
      const [h, w, cin] = shape as [number, number, number];
      const { kh, kw, strides, padding } = op;
      const [sh, sw] = strides;
      const cout = op.weights.cols;
      const oh = convOutputSize(h, kh, sh, padding);
      const ow = convOutputSize(w, kw, sw, padding);
      const pt = padding === 'same' ? padBefore(h, oh, kh, sh) : 0;
      const pl = padding === 'same' ? padBefore(w, ow, kw, sw) : 0;
      const { rowPtr, colIndices } = op.weights;
      const values = csrValues(op.weights);
      const bias = op.bias;
      return {
        out: [oh, ow, cout],
        run: (x, batch) => {
          const y = new Float32Array(batch * oh * ow * cout);
          for (let b = 0; b < batch; b += 1) {
            for (let i = 0; i < oh; i += 1) {
              for (let j = 0; j < ow; j += 1) {
                const yo = ((b * oh + i) * ow + j) * cout;
                y.set(bias, yo);
                for (let di = 0; di < kh; di += 1) {
                  const ii = i * sh + di - pt;
                  if (ii < 0 || ii >= h) continue;
                  for (let dj = 0; dj < kw; dj += 1) {
                    const jj = j * sw + dj - pl;
                    if (jj < 0 || jj >= w) continue;
                    const xo = ((b * h + ii) * w + jj) * cin;
                    const ro = (di * kw + dj) * cin;
                    for (let c = 0; c < cin; c += 1) {
                      const xv = x[xo + c] as number;
                      if (xv === 0) continue;
                      const r = ro + c;
                      for (let k = rowPtr[r] as number, end = rowPtr[r + 1] as number; k < end; k += 1) {
                        const at = yo + (colIndices[k] as number);
                        y[at] = (y[at] as number) + xv * (values[k] as number);
                      }
                    }
                  }
                }
              }
            }
          }
          return y;
        },
      };
    }
    case 'maxpool': {
      const [h, w, c] = shape as [number, number, number];
      const [ph, pw] = op.pool;
      const [sh, sw] = op.strides;
      const oh = convOutputSize(h, ph, sh, op.padding);
      const ow = convOutputSize(w, pw, sw, op.padding);
      const pt = op.padding === 'same' ? padBefore(h, oh, ph, sh) : 0;
      const pl = op.padding === 'same' ? padBefore(w, ow, pw, sw) : 0;
      return {
        out: [oh, ow, c],
        run: (x, batch) => {
          const y = new Float32Array(batch * oh * ow * c).fill(Number.NEGATIVE_INFINITY);
          for (let b = 0; b < batch; b += 1) {
            for (let i = 0; i < oh; i += 1) {
              for (let j = 0; j < ow; j += 1) {
                const yo = ((b * oh + i) * ow + j) * c;
                for (let di = 0; di < ph; di += 1) {
                  const ii = i * sh + di - pt;
                  if (ii < 0 || ii >= h) continue;
                  for (let dj = 0; dj < pw; dj += 1) {
                    const jj = j * sw + dj - pl;
                    if (jj < 0 || jj >= w) continue;
                    const xo = ((b * h + ii) * w + jj) * c;
                    for (let k = 0; k < c; k += 1)
                      if ((x[xo + k] as number) > (y[yo + k] as number)) y[yo + k] = x[xo + k] as number;
                  }
                }
              }
            }
          }
          return y;
        },
      };
    }
  }
};

/**
 * Runs a pruned network from its CSR form (see {@link toSparse}): each dense layer is a batched
 * dense × CSR product that touches only the kept weights (and skips zero inputs, which ReLU makes common);
 * conv layers are sparse direct convolutions; ReLU, max-pool, flatten and feature selection as usual. Its
 * predictions equal the eval-mode network's. Plain JavaScript over typed arrays: no tensor backend needed.
 */
export const sparseModel = (exported: SparseNetwork): SparseModel => {
  let shape = exported.inputShape;
  const runners = exported.ops.map((op) => {
    const r = runner(op, shape);
    shape = r.out;
    return r;
  });
  const inSize = exported.inputShape.reduce((a, b) => a * b, 1);
  const outputShape = shape;
  const predict = (x: Float32Array, batch: number): Float32Array => {
    if (x.length !== batch * inSize) {
      throw new RangeError(
        `sparseModel: ${x.length} input values for a batch of ${batch} × [${exported.inputShape.join(', ')}]`,
      );
    }
    return runners.reduce((h, r) => r.run(h, batch), x);
  };
  return {
    inputShape: exported.inputShape,
    outputShape,
    predict,
    predictTensor: (x) => {
      const batch = x.shape[0] as number;
      return tf.tensor(predict(x.dataSync() as Float32Array, batch), [batch, ...outputShape]);
    },
  };
};
