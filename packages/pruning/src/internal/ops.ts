import { keepMask } from '@sparsevd/estimators';
import type { Layer, Params, Sequential } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { checkNetwork } from './check-network.js';

/** A weight layer read into plain arrays: masked weights (eval mode) and bias. */
export interface DenseOp {
  readonly kind: 'dense';
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
  /** `[inputs, outputs]`, row-major. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  /** Whether it was a SparseVD layer (its weights masked where log α ≥ threshold). */
  readonly sparse: boolean;
}

export interface ConvOp {
  readonly kind: 'conv';
  readonly name: string;
  readonly kh: number;
  readonly kw: number;
  readonly inputs: number;
  readonly outputs: number;
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
  /** `[kh, kw, inputs, outputs]`, row-major. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly sparse: boolean;
}

export interface PoolOp {
  readonly kind: 'maxpool';
  readonly name: string;
  readonly pool: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: 'valid' | 'same';
}

export interface SelectOp {
  readonly kind: 'select';
  readonly name: string;
  readonly inputSize: number;
  readonly indices: ReadonlyArray<number>;
}

/** A network as a list of plain operations (what compaction and sparse export work on). */
export type Op =
  | DenseOp
  | ConvOp
  | PoolOp
  | SelectOp
  | { readonly kind: 'relu'; readonly name: string }
  | { readonly kind: 'flatten'; readonly name: string };

const pair = (v: unknown): [number, number] => {
  const [a, b] = v as [number, number];
  return [a, b];
};

const masked = (layerParams: Params, threshold: number): Float32Array => {
  const [kept, mask] = keepMask(layerParams.theta as tf.Variable, layerParams.logSigma2 as tf.Variable, {
    threshold,
  });
  const values = kept.dataSync() as Float32Array;
  tf.dispose([kept, mask]);
  return values;
};

const data = (v: unknown): Float32Array => Float32Array.from((v as tf.Variable).dataSync());

/**
 * Reads a sequential network's layers into plain operations in eval mode: SparseVD weights masked at the
 * layer's threshold (or `threshold` when given), plain weights as they are; dropout drops out (identity).
 *
 * @param fn - the entry point, for errors.
 * @throws RangeError naming the layer for layers that cannot be exported (batch-norm, nested sequentials),
 *   and NonFiniteParameterError when a parameter holds NaN or ±∞.
 */
export const readOps = (fn: string, network: Sequential, params: Params, threshold?: number): Op[] => {
  checkNetwork(fn, network, params);
  return network.layers.flatMap((layer: Layer, i): Op[] => {
    const name = network.names[i] as string;
    const p = params[name] as Params;
    const c = layer.config;
    switch (layer.kind) {
      case 'sparsevd-dense':
      case 'dense': {
        const sparse = layer.kind === 'sparsevd-dense';
        const w = (sparse ? p.theta : p.kernel) as tf.Variable;
        return [
          {
            kind: 'dense',
            name,
            inputs: w.shape[0] as number,
            outputs: w.shape[1] as number,
            weights: sparse ? masked(p, threshold ?? (c.threshold as number)) : data(w),
            bias: data(p.bias),
            sparse,
          },
        ];
      }
      case 'sparsevd-conv2d':
      case 'conv2d': {
        const sparse = layer.kind === 'sparsevd-conv2d';
        const w = (sparse ? p.theta : p.kernel) as tf.Variable;
        const [kh, kw, inputs, outputs] = w.shape as [number, number, number, number];
        return [
          {
            kind: 'conv',
            name,
            kh,
            kw,
            inputs,
            outputs,
            strides: pair(c.strides),
            padding: c.padding as 'valid' | 'same',
            weights: sparse ? masked(p, threshold ?? (c.threshold as number)) : data(w),
            bias: data(p.bias),
            sparse,
          },
        ];
      }
      case 'relu':
        return [{ kind: 'relu', name }];
      case 'flatten':
        return [{ kind: 'flatten', name }];
      case 'max-pool':
        return [
          {
            kind: 'maxpool',
            name,
            pool: pair(c.poolSize),
            strides: pair(c.strides),
            padding: c.padding as 'valid' | 'same',
          },
        ];
      case 'select-features':
        return [{ kind: 'select', name, inputSize: c.inputSize as number, indices: c.indices as number[] }];
      case 'dropout':
        return [];
      default:
        throw new RangeError(
          `pruning: layer "${name}" (${layer.kind}) is not supported; export supports dense, conv2d, relu, max-pool, flatten and dropout`,
        );
    }
  });
};

/**
 * Checks that `inputShape` (one example's shape) fits the first operation that reads it: positive integer
 * sizes; a dense layer (or feature selection) takes their product; a conv layer an `[h, w, channels]` image
 * with its input channels.
 *
 * @throws RangeError naming `fn`, the shape and what the layer expects.
 */
export const checkInputShape = (
  fn: string,
  ops: ReadonlyArray<Op>,
  inputShape: ReadonlyArray<number>,
): void => {
  const shown = `[${inputShape.join(', ')}]`;
  if (inputShape.length === 0 || !inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new RangeError(`${fn}: inputShape must be positive integer sizes, got ${shown}`);
  const first = ops.find((op) => op.kind === 'dense' || op.kind === 'conv' || op.kind === 'select');
  if (first === undefined) return;
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (first.kind === 'select' && size !== first.inputSize)
    throw new RangeError(
      `${fn}: inputShape ${shown} has ${size} values; layer "${first.name}" selects from ${first.inputSize}`,
    );
  if (first.kind === 'dense' && size !== first.inputs && !ops.some((op) => op.kind === 'select'))
    throw new RangeError(
      `${fn}: inputShape ${shown} has ${size} values; layer "${first.name}" takes ${first.inputs} inputs`,
    );
  if (first.kind === 'conv' && (inputShape.length !== 3 || inputShape[2] !== first.inputs))
    throw new RangeError(
      `${fn}: inputShape ${shown} is not an [height, width, ${first.inputs}] image, as layer "${first.name}" takes`,
    );
};
