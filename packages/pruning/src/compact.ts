import {
  flatten,
  type Layer,
  maxPool,
  type Params,
  plainConv2d,
  plainDense,
  type Sequential,
  type Shape,
  selectFeatures,
  sequential,
} from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { type ConvOp, checkInputShape, type DenseOp, type Op, readOps } from './internal/ops.js';

/** Units (neurons or filters) of one weight layer before and after compaction. */
export interface UnitCount {
  readonly name: string;
  readonly kind: 'dense' | 'conv';
  readonly before: number;
  readonly after: number;
}

/** The result of {@link compact}: a smaller ordinary network and what was removed. */
export interface Compacted {
  readonly network: Sequential;
  readonly params: Params;
  readonly inputShape: Shape;
  /** Output units per weight layer, before → after. */
  readonly units: ReadonlyArray<UnitCount>;
  /** Input features before → after (fewer when inputs feed no surviving weight; flat inputs only). */
  readonly inputs: { readonly before: number; readonly after: number };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type WeightOp = Mutable<DenseOp> | Mutable<ConvOp>;

const isWeight = (op: Op): op is DenseOp | ConvOp => op.kind === 'dense' || op.kind === 'conv';

/** Index of weight (row, col) where row walks the op's input units, in the op's layout. */
const rowsOf = (op: WeightOp, unit: number, channels: number): number[] => {
  // Rows of `op`'s weight matrix fed by input unit `unit` (channels = units of the previous layer).
  if (op.kind === 'conv') {
    const rows: number[] = [];
    for (let k = 0; k < op.kh * op.kw; k += 1) rows.push(k * op.inputs + unit);
    return rows;
  }
  const positions = op.inputs / channels; // > 1 after a flatten of a conv output
  return Array.from({ length: positions }, (_, p) => p * channels + unit);
};

const rowIsZero = (op: WeightOp, row: number): boolean => {
  for (let o = 0; o < op.outputs; o += 1) if (op.weights[row * op.outputs + o] !== 0) return false;
  return true;
};

const columnIsZero = (op: WeightOp, unit: number): boolean => {
  const rows = op.weights.length / op.outputs;
  for (let r = 0; r < rows; r += 1) if (op.weights[r * op.outputs + unit] !== 0) return false;
  return true;
};

const zeroRow = (op: WeightOp, row: number): void => {
  op.weights.fill(0, row * op.outputs, (row + 1) * op.outputs);
};
const zeroColumn = (op: WeightOp, unit: number): void => {
  const rows = op.weights.length / op.outputs;
  for (let r = 0; r < rows; r += 1) op.weights[r * op.outputs + unit] = 0;
};

/** Options of {@link compact}. */
export interface CompactOptions {
  /** Prune at this threshold instead of the layers' own. */
  readonly threshold?: number;
  /**
   * What to do with flat inputs that feed no kept weight: `'keep'` (default) leaves them in the first layer
   * as zero rows — on tfjs backends a gather costs more than the matmul rows it saves (measured on wasm:
   * 0.96 ms to gather 256 of 784 columns of a batch of 100, 0.35 ms for the whole 784 × 60 product);
   * `'select'` drops them, putting a `selectFeatures` layer first: the smallest model.
   */
  readonly inputs?: 'keep' | 'select';
}

/**
 * Structured compaction: removes every hidden neuron and conv filter whose incoming or outgoing weights are
 * all pruned, and every flat input that feeds no kept weight, and returns a smaller **ordinary** network
 * whose outputs equal the original's eval-mode outputs (up to float rounding).
 *
 * A unit with no outgoing weights contributes nothing. A unit with no incoming weights outputs a constant
 * (its bias through ReLU / max-pool / flatten), which is folded into the next layer's bias — exactly, as
 * every position of the next layer sees it (for a conv that follows with `same` padding, only a zero
 * constant is folded). Removal repeats until nothing changes, across the conv → flatten → dense boundary.
 *
 * @param inputShape - shape of one input example.
 */
export const compact = (
  network: Sequential,
  params: Params,
  inputShape: Shape,
  options: CompactOptions = {},
): Compacted => {
  const read = readOps('compact', network, params, options.threshold);
  checkInputShape('compact', read, inputShape);
  const ops = read.map((op) =>
    isWeight(op) ? { ...op, weights: op.weights.slice(), bias: op.bias.slice() } : op,
  );
  const weightIdx = ops.flatMap((op, i) => (isWeight(op) ? [i] : []));
  if (weightIdx.length === 0) throw new RangeError('compact: the network has no dense or conv layer');
  if (ops.some((op) => op.kind === 'select'))
    throw new RangeError('compact: the network is already compacted (it selects features)');
  const weights = weightIdx.map((i) => ops[i] as WeightOp);
  const before = weights.map((w) => w.outputs);
  const keep = weights.map((w) => new Array<boolean>(w.outputs).fill(true));
  const first = weights[0] as WeightOp;
  const flatInput = first.kind === 'dense' && inputShape.length === 1 && weightIdx[0] === 0;
  const keepInput = new Array<boolean>(flatInput ? first.inputs : 0).fill(true);

  // What the ops between weight layer k and k + 1 do to the constant output of a dead unit: element-wise
  // functions apply to it, max-pool and flatten pass it unchanged.
  const passes = weightIdx.slice(0, -1).map((i, k) => {
    const fns = ops.slice(i + 1, weightIdx[k + 1]).flatMap((op) => (op.kind === 'unitwise' ? [op.fn] : []));
    return (c: number) => fns.reduce((v, f) => f(v), c);
  });
  for (const op of ops) {
    if (!isWeight(op) && op.kind !== 'unitwise' && op.kind !== 'maxpool' && op.kind !== 'flatten') {
      throw new RangeError(`compact: cannot compact across layer "${op.name}" (${op.kind})`);
    }
  }

  let changed = true;
  while (changed) {
    changed = false;
    for (let k = 0; k + 1 < weights.length; k += 1) {
      const a = weights[k] as WeightOp;
      const b = weights[k + 1] as WeightOp;
      const kept = keep[k] as boolean[];
      for (let u = 0; u < a.outputs; u += 1) {
        if (!kept[u] || kept.filter(Boolean).length === 1) continue; // keep one unit so shapes stay valid
        const rows = rowsOf(b, u, a.outputs);
        const outgoingDead = rows.every((r) => rowIsZero(b, r));
        let remove = outgoingDead;
        if (!outgoingDead && columnIsZero(a, u)) {
          const bias = a.bias[u] as number;
          const constant = (passes[k] as (c: number) => number)(bias);
          if (constant === 0 || b.kind === 'dense' || b.padding === 'valid') {
            for (const r of rows) {
              for (let o = 0; o < b.outputs; o += 1) {
                b.bias[o] = (b.bias[o] as number) + constant * (b.weights[r * b.outputs + o] as number);
              }
            }
            remove = true;
          }
        }
        if (remove) {
          kept[u] = false;
          zeroColumn(a, u);
          a.bias[u] = 0;
          for (const r of rows) zeroRow(b, r);
          changed = true;
        }
      }
    }
    for (let i = 0; i < keepInput.length; i += 1) {
      if (keepInput[i] && rowIsZero(first, i) && keepInput.filter(Boolean).length > 1) {
        keepInput[i] = false;
        changed = true;
      }
    }
  }

  // Rebuild each weight layer with only the kept rows and columns.
  const inputKept = (k: number): number[] => {
    if (k === 0)
      return selectInputs
        ? keepInput.flatMap((on, i) => (on ? [i] : []))
        : Array.from({ length: first.inputs }, (_, i) => i);
    const prev = weights[k - 1] as WeightOp;
    const units = (keep[k - 1] as boolean[]).flatMap((on, i) => (on ? [i] : []));
    const w = weights[k] as WeightOp;
    if (w.kind === 'conv') return units;
    const positions = w.inputs / prev.outputs;
    return Array.from({ length: positions }, (_, p) => units.map((u) => p * prev.outputs + u)).flat();
  };
  const layers: Layer[] = [];
  const initWeights: Record<string, tf.Tensor> = {};
  const units: UnitCount[] = [];
  let w = 0;
  const selectInputs = options.inputs === 'select' && flatInput && keepInput.some((on) => !on);
  if (selectInputs) {
    layers.push(
      selectFeatures({
        inputSize: first.inputs,
        indices: keepInput.flatMap((on, i) => (on ? [i] : [])),
        name: 'inputs',
      }),
    );
  }
  for (const op of ops) {
    if (!isWeight(op)) {
      if (op.kind === 'unitwise') layers.push(op.layer());
      else if (op.kind === 'flatten') layers.push(flatten({ name: op.name }));
      else if (op.kind === 'maxpool')
        layers.push(maxPool({ name: op.name, poolSize: op.pool, strides: op.strides, padding: op.padding }));
      continue;
    }
    const k = w;
    w += 1;
    const wop = weights[k] as WeightOp;
    const rowsIn = inputKept(k);
    const cols =
      k === weights.length - 1
        ? Array.from({ length: wop.outputs }, (_, i) => i)
        : (keep[k] as boolean[]).flatMap((on, i) => (on ? [i] : []));
    units.push({ name: wop.name, kind: wop.kind, before: before[k] as number, after: cols.length });
    const bias = Float32Array.from(cols, (c) => wop.bias[c] as number);
    if (wop.kind === 'dense') {
      const kernel = new Float32Array(rowsIn.length * cols.length);
      rowsIn.forEach((r, i) => {
        cols.forEach((c, j) => {
          kernel[i * cols.length + j] = wop.weights[r * wop.outputs + c] as number;
        });
      });
      layers.push(plainDense({ units: cols.length, name: wop.name }));
      initWeights[`${wop.name}/kernel`] = tf.tensor2d(kernel, [rowsIn.length, cols.length]);
    } else {
      const kernel = new Float32Array(wop.kh * wop.kw * rowsIn.length * cols.length);
      let at = 0;
      for (let s = 0; s < wop.kh * wop.kw; s += 1) {
        for (const ci of rowsIn) {
          for (const co of cols)
            kernel[at++] = wop.weights[(s * wop.inputs + ci) * wop.outputs + co] as number;
        }
      }
      layers.push(
        plainConv2d({
          filters: cols.length,
          kernelSize: [wop.kh, wop.kw],
          strides: wop.strides,
          padding: wop.padding,
          name: wop.name,
        }),
      );
      initWeights[`${wop.name}/kernel`] = tf.tensor4d(kernel, [wop.kh, wop.kw, rowsIn.length, cols.length]);
    }
    initWeights[`${wop.name}/bias`] = tf.tensor1d(bias);
  }
  const compacted = sequential(layers);
  const compactedParams = compacted.init(0, { inputShape, weights: initWeights });
  tf.dispose(Object.values(initWeights));
  return {
    network: compacted,
    params: compactedParams,
    inputShape,
    units,
    inputs: { before: flatInput ? first.inputs : 0, after: flatInput ? keepInput.filter(Boolean).length : 0 },
  };
};
