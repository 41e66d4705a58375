import type {
  FrozenMaxPool,
  FrozenOp,
  FrozenSelect,
  FrozenUnitwise,
  Layer,
  Params,
  Sequential,
} from '@sparsevd/layers';
import type * as tf from '@tensorflow/tfjs-core';
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

/** A frozen form of the layer protocol as an op of this package (`kind` for `form`, arrays for tensors). */
type AsOp<F extends { readonly form: string }> = Omit<F, 'form'> & { readonly kind: F['form'] };

/** An element-wise function (the layer protocol's `unitwise` form: ReLU, or any a layer defines). */
export type UnitwiseOp = AsOp<FrozenUnitwise>;
export type PoolOp = AsOp<FrozenMaxPool>;
export type SelectOp = AsOp<FrozenSelect>;

/** A network as a list of plain operations (what compaction and sparse export work on). */
export type Op =
  | DenseOp
  | ConvOp
  | UnitwiseOp
  | PoolOp
  | SelectOp
  | { readonly kind: 'flatten'; readonly name: string };

/** A frozen tensor's values (a copy), the tensor disposed. */
const values = (t: tf.Tensor): Float32Array => {
  const out = Float32Array.from(t.dataSync());
  t.dispose();
  return out;
};

/** Per-unit factors not yet folded into a weight layer (the protocol's `scale` form). */
interface ScaleOp {
  readonly kind: 'scale';
  readonly name: string;
  readonly scale: Float32Array;
}

/** One frozen operation of the layer protocol, its tensors read into arrays. */
const read = (frozen: FrozenOp): Op | ScaleOp => {
  switch (frozen.form) {
    case 'scale':
      return { kind: 'scale', name: frozen.name, scale: values(frozen.scale) };
    case 'dense': {
      const [inputs, outputs] = frozen.weights.shape as [number, number];
      const { name, sparse } = frozen;
      return {
        kind: 'dense',
        name,
        inputs,
        outputs,
        weights: values(frozen.weights),
        bias: values(frozen.bias),
        sparse,
      };
    }
    case 'conv': {
      const [kh, kw, inputs, outputs] = frozen.weights.shape as [number, number, number, number];
      const { name, strides, padding, sparse } = frozen;
      return {
        kind: 'conv',
        name,
        kh,
        kw,
        inputs,
        outputs,
        strides,
        padding,
        weights: values(frozen.weights),
        bias: values(frozen.bias),
        sparse,
      };
    }
    case 'unitwise': {
      const { name, op, config, fn, layer } = frozen;
      return { kind: 'unitwise', name, op, config, fn, layer };
    }
    case 'maxpool': {
      const { name, pool, strides, padding } = frozen;
      return { kind: 'maxpool', name, pool, strides, padding };
    }
    case 'flatten':
      return { kind: 'flatten', name: frozen.name };
    case 'select': {
      const { name, inputSize, indices } = frozen;
      return { kind: 'select', name, inputSize, indices };
    }
  }
};

/**
 * Reads a sequential network into plain operations in eval mode through the layer protocol (each layer's
 * `freeze`): SparseVD weights masked at the layer's threshold (or `threshold` when given), plain weights as
 * they are; a layer that is the identity in eval mode (dropout) freezes to nothing; per-unit scales (unit
 * noise) are folded into the weight layer next to them.
 *
 * @param fn - the entry point, for errors.
 * @throws RangeError naming a layer with no frozen form (batch-norm, a nested sequential), and
 *   NonFiniteParameterError when a parameter holds NaN or ±∞.
 */
export const readOps = (fn: string, network: Sequential, params: Params, threshold?: number): Op[] => {
  checkNetwork(fn, network, params);
  const all = network.layers.flatMap((layer: Layer, i): Array<Op | ScaleOp> => {
    const name = network.names[i] as string;
    if (layer.freeze === undefined)
      throw new RangeError(
        `${fn}: layer "${name}" (${layer.kind}) has no eval-mode form (Layer.freeze), so it cannot be compacted or exported`,
      );
    const frozen = layer.freeze(params[name] as Params, {
      name,
      ...(threshold === undefined ? {} : { threshold }),
    });
    return frozen.map(read);
  });
  return foldScales(fn, all);
};

/** The input unit (row for dense, input channel for conv) of each flat weight index of a weight op. */
const inputUnit = (op: DenseOp | ConvOp, index: number): number => Math.floor(index / op.outputs) % op.inputs;

/**
 * Folds every `scale` into a weight layer: into the one right before it, when its units are that layer's
 * outputs (columns and bias scaled: (x·W + b)·s), else into the one right after it, when they are its inputs
 * (rows, or input channels, scaled: (x·s)·W). A zero factor so becomes a zero column or row, which compaction
 * removes like any pruned unit.
 */
const foldScales = (fn: string, ops: ReadonlyArray<Op | ScaleOp>): Op[] => {
  const out: Op[] = [];
  let pending: ScaleOp | undefined;
  for (const op of ops) {
    if (op.kind === 'scale') {
      const previous = out[out.length - 1];
      if (
        pending === undefined &&
        (previous?.kind === 'dense' || previous?.kind === 'conv') &&
        previous.outputs === op.scale.length
      ) {
        const weights = previous.weights.map((w, i) => w * (op.scale[i % previous.outputs] as number));
        const bias = previous.bias.map((b, i) => b * (op.scale[i] as number));
        out[out.length - 1] = { ...previous, weights, bias };
      } else if (pending === undefined) pending = op;
      else
        throw new RangeError(
          `${fn}: layers "${pending.name}" and "${op.name}" both scale units with no weight layer between them`,
        );
      continue;
    }
    if (pending !== undefined) {
      const scale = pending.scale;
      if ((op.kind !== 'dense' && op.kind !== 'conv') || op.inputs !== scale.length)
        throw new RangeError(
          `${fn}: layer "${pending.name}" scales ${scale.length} units but is not next to a dense or conv layer with ${scale.length} outputs before it or inputs after it, so it cannot be folded`,
        );
      out.push({ ...op, weights: op.weights.map((w, i) => w * (scale[inputUnit(op, i)] as number)) });
      pending = undefined;
      continue;
    }
    out.push(op);
  }
  if (pending !== undefined)
    throw new RangeError(
      `${fn}: layer "${pending.name}" scales units after the last weight layer, so it cannot be folded`,
    );
  return out;
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
