import { disposeParams, type Params, type Sequential, type Shape } from '@sparsevd/layers';
import { compact } from './compact.js';
import { type ConvOp, checkInputShape, type DenseOp, type Op, readOps } from './internal/ops.js';
import { withTotals } from './internal/weight-totals.js';
import type { WeightSparsity } from './magnitude.js';

/** One weight layer of a {@link StructureReport}: before (the eval-mode network) and after compaction. */
export interface LayerStructure {
  readonly name: string;
  readonly kind: 'dense' | 'conv';
  /** The weight tensor's shape in the dense network: `[inputs, units]`, or `[kh, kw, inChannels, filters]`. */
  readonly shape: ReadonlyArray<number>;
  /** Input units (dense inputs, conv input channels) that feed at least one nonzero weight. */
  readonly inputs: { readonly before: number; readonly after: number };
  /** Output units (neurons, filters) kept. */
  readonly units: { readonly before: number; readonly after: number };
  /** All weights of the dense layer, and the nonzero weights left after compaction. */
  readonly weights: { readonly before: number; readonly nonzero: number };
  /** Multiply-adds × 2 of one example through the dense layer and through the compacted one. */
  readonly flops: { readonly before: number; readonly after: number };
}

/** What structure the pruning left: units per layer and the FLOPs of the compacted network. */
export interface StructureReport {
  readonly layers: ReadonlyArray<LayerStructure>;
  /**
   * Units kept as the structured-pruning papers write them (Neklyudov et al. 2017, Louizos et al. 2017): the
   * output filters of conv layers and the inputs of dense layers, e.g. `"20-50-800-500"` for LeNet-5-Caffe
   * before pruning, `"784-300-100"` for LeNet-300-100.
   */
  readonly units: string;
  readonly unitsBefore: string;
  /** Σ FLOPs of one example, dense network and compacted network. */
  readonly flops: { readonly before: number; readonly after: number };
}

type Weight = DenseOp | ConvOp;

/** Output spatial size of a window op along one axis. */
const windowed = (size: number, kernel: number, stride: number, padding: 'valid' | 'same') =>
  padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;

/** FLOPs (2 × multiply-adds) of each weight op for one example of `inputShape`. */
const flopsOf = (ops: ReadonlyArray<Op>, inputShape: Shape): number[] => {
  let shape = [...inputShape];
  const out: number[] = [];
  for (const op of ops) {
    if (op.kind === 'dense') {
      out.push(2 * op.inputs * op.outputs);
      shape = [op.outputs];
    } else if (op.kind === 'conv') {
      const [h = 1, w = 1] = shape;
      const ho = windowed(h, op.kh, op.strides[0], op.padding);
      const wo = windowed(w, op.kw, op.strides[1], op.padding);
      out.push(2 * op.kh * op.kw * op.inputs * op.outputs * ho * wo);
      shape = [ho, wo, op.outputs];
    } else if (op.kind === 'maxpool') {
      const [h = 1, w = 1, c = 1] = shape;
      shape = [
        windowed(h, op.pool[0], op.strides[0], op.padding),
        windowed(w, op.pool[1], op.strides[1], op.padding),
        c,
      ];
    } else if (op.kind === 'flatten') shape = [shape.reduce((a, b) => a * b, 1)];
    else if (op.kind === 'select') shape = [op.indices.length];
  }
  return out;
};

const liveInputs = (op: Weight): number => {
  const live = new Set<number>();
  op.weights.forEach((w, i) => {
    if (w !== 0) live.add(Math.floor(i / op.outputs) % op.inputs);
  });
  return live.size;
};

const nonzero = (op: Weight): number => op.weights.reduce((n, w) => n + (w !== 0 ? 1 : 0), 0);

/**
 * The structure pruning left in a network: per weight layer, the input and output units kept, the nonzero
 * weights and the FLOPs of one example, before (every unit) and after structured compaction ({@link compact});
 * works through the layer protocol, so SparseVD weights and unit-noise layers (Structured Bayesian Pruning)
 * count alike.
 *
 * @param inputShape - shape of one input example.
 */
export const structureReport = (
  network: Sequential,
  params: Params,
  inputShape: Shape,
  options: { readonly threshold?: number } = {},
): StructureReport => {
  const before = readOps('structureReport', network, params, options.threshold);
  checkInputShape('structureReport', before, inputShape);
  const compacted = compact(network, params, inputShape, {
    inputs: 'select',
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
  });
  let after: Op[];
  try {
    after = readOps('structureReport', compacted.network, compacted.params);
  } finally {
    disposeParams(compacted.params);
  }
  const weightsBefore = before.filter((op): op is Weight => op.kind === 'dense' || op.kind === 'conv');
  const weightsAfter = after.filter((op): op is Weight => op.kind === 'dense' || op.kind === 'conv');
  const flopsBefore = flopsOf(before, inputShape);
  const flopsAfter = flopsOf(after, compacted.inputShape);
  const layers = weightsBefore.map((b, k): LayerStructure => {
    const a = weightsAfter[k] as Weight;
    return {
      name: b.name,
      kind: b.kind,
      shape: b.kind === 'conv' ? [b.kh, b.kw, b.inputs, b.outputs] : [b.inputs, b.outputs],
      inputs: { before: b.inputs, after: liveInputs(a) },
      units: { before: b.outputs, after: a.outputs },
      weights: { before: b.weights.length, nonzero: nonzero(a) },
      flops: { before: flopsBefore[k] as number, after: flopsAfter[k] as number },
    };
  });
  const paper = (pick: 'before' | 'after') =>
    layers.map((l) => (l.kind === 'conv' ? l.units[pick] : l.inputs[pick])).join('-');
  return {
    layers,
    units: paper('after'),
    unitsBefore: paper('before'),
    flops: {
      before: flopsBefore.reduce((s, f) => s + f, 0),
      after: flopsAfter.reduce((s, f) => s + f, 0),
    },
  };
};

/**
 * The weights a structure report leaves, as a {@link WeightSparsity}: per layer, the nonzero weights of the
 * compacted network against the dense layer's — what a network with unit noise (Structured Bayesian Pruning)
 * keeps, its removed units' weights counted as removed with the ones SparseVD pruned.
 */
export const structureSparsity = (structure: StructureReport): WeightSparsity => {
  const layers = structure.layers.map((l) => ({
    name: l.name,
    shape: l.shape,
    weights: l.weights.before,
    kept: l.weights.nonzero,
    removedPercent: (100 * (l.weights.before - l.weights.nonzero)) / l.weights.before,
  }));
  return withTotals(layers);
};
