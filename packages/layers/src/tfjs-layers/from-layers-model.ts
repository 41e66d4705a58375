import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { dropout } from '../dropout.js';
import { flatten } from '../flatten.js';
import type { Layer, Params, Shape } from '../layer.js';
import { maxPool } from '../max-pool.js';
import { plainConv2d } from '../plain-conv2d.js';
import { plainDense } from '../plain-dense.js';
import { relu } from '../relu.js';
import { type Sequential, sequential } from '../sequential.js';
import { conv2d } from '../sparse-conv2d.js';
import { dense } from '../sparse-dense.js';
import { unitNoise } from '../unit-noise.js';

/** A network value read from a tfjs-layers model: what every other function of the project takes. */
export interface NetworkValue {
  readonly network: Sequential;
  readonly params: Params;
  /** One example's shape (the model's input shape without the batch dimension). */
  readonly inputShape: Shape;
}

type Config = tf.serialization.ConfigDict;

const pair = (v: unknown): [number, number] => {
  const [a, b = a] = (Array.isArray(v) ? v : [v]) as number[];
  return [a as number, b as number];
};

/** The layers of the project that one tfjs-layers layer becomes, and its weights by parameter name. */
interface Converted {
  readonly layers: Layer[];
  readonly weights: Readonly<Record<string, tf.Tensor>>;
  /** log σ² of a SparseVD layer (set after init: `init` takes it as a constant only). */
  readonly logSigma2?: tf.Tensor;
}

const activation = (name: string, value: unknown, last: boolean): Layer[] => {
  const fn = String(value ?? 'linear');
  if (fn === 'linear') return [];
  if (fn === 'relu') return [relu({ name: `${name}_relu` })];
  // A final softmax only normalises the logits: the network value returns the logits (the same argmax, and
  // what the trainer's loss takes).
  if (fn === 'softmax' && last) return [];
  throw new RangeError(
    `fromLayersModel: layer "${name}" has activation "${fn}"; the network values support relu (and a final softmax)`,
  );
};

const convert = (layer: tfl.layers.Layer, last: boolean, made: tf.Tensor[]): Converted => {
  const name = layer.name;
  const c = layer.getConfig() as Config;
  const w = layer.getWeights();
  const bias = (useBias: unknown, units: number, at: number): tf.Tensor => {
    if (useBias !== false) return w[at] as tf.Tensor;
    const zeros = tf.zeros([units]);
    made.push(zeros);
    return zeros;
  };
  switch (layer.getClassName()) {
    case 'SparseVDDense':
    case 'SparseVDConv2D': {
      const isDense = layer.getClassName() === 'SparseVDDense';
      const units = Number(isDense ? c.units : c.filters);
      const own = { name, threshold: Number(c.threshold ?? 3), trainClip: c.trainClip === true };
      const made = isDense
        ? dense({ ...own, units })
        : conv2d({
            ...own,
            filters: units,
            kernelSize: pair(c.kernelSize),
            strides: pair(c.strides ?? 1),
            padding: (c.padding ?? 'valid') as 'valid' | 'same',
          });
      return {
        layers: [made, ...activation(name, c.activation, last)],
        weights: { kernel: w[0] as tf.Tensor, bias: bias(c.useBias, units, 2) },
        logSigma2: w[1] as tf.Tensor,
      };
    }
    case 'SBPUnitNoise':
      return {
        layers: [unitNoise({ name, snrThreshold: Number(c.snrThreshold ?? 1) })],
        weights: { mu: w[0] as tf.Tensor, logSigma: w[1] as tf.Tensor },
      };
    case 'Dense':
      return {
        layers: [plainDense({ name, units: Number(c.units) }), ...activation(name, c.activation, last)],
        weights: { kernel: w[0] as tf.Tensor, bias: bias(c.useBias, Number(c.units), 1) },
      };
    case 'Conv2D': {
      if (
        (c.dataFormat ?? 'channelsLast') !== 'channelsLast' ||
        pair(c.dilationRate ?? 1).some((d) => d !== 1)
      )
        throw new RangeError(
          `fromLayersModel: Conv2D layer "${name}" must be channels-last without dilation`,
        );
      const made = plainConv2d({
        name,
        filters: Number(c.filters),
        kernelSize: pair(c.kernelSize),
        strides: pair(c.strides ?? 1),
        padding: (c.padding ?? 'valid') as 'valid' | 'same',
      });
      return {
        layers: [made, ...activation(name, c.activation, last)],
        weights: { kernel: w[0] as tf.Tensor, bias: bias(c.useBias, Number(c.filters), 1) },
      };
    }
    case 'Flatten':
      return { layers: [flatten({ name })], weights: {} };
    case 'MaxPooling2D':
      return {
        layers: [
          maxPool({
            name,
            poolSize: pair(c.poolSize),
            strides: pair(c.strides ?? c.poolSize),
            padding: (c.padding ?? 'valid') as 'valid' | 'same',
          }),
        ],
        weights: {},
      };
    case 'Dropout':
      return { layers: [dropout({ name, rate: Number(c.rate) })], weights: {} };
    case 'Activation':
      return { layers: activation(name, c.activation, last), weights: {} };
    case 'ReLU':
      return { layers: [relu({ name })], weights: {} };
    default:
      throw new RangeError(
        `fromLayersModel: layer "${name}" (${layer.getClassName()}) has no network value; supported: SparseVDDense, SparseVDConv2D, SBPUnitNoise, Dense, Conv2D, Flatten, MaxPooling2D, Dropout, Activation, ReLU`,
      );
  }
};

/**
 * Reads a tfjs-layers model — `tf.sequential`, or a `tf.model` whose layers form one chain — with
 * {@link SparseVDDense} / {@link SparseVDConv2D} and ordinary layers into a network value with its
 * parameters (copies: the model is left as it is), so that pruning, compaction, export and the trainer take
 * it: `const { network, params } = fromLayersModel(model); sparsityReport(network, params)`.
 *
 * SparseVD layers keep θ, log σ², bias and threshold; activations become `relu` layers (a final softmax is
 * left out: the value returns logits, with the same argmax).
 *
 * @throws RangeError naming the layer that has no network value or is not part of a chain.
 */
export const fromLayersModel = (model: tfl.LayersModel): NetworkValue => {
  if (!(model instanceof tfl.LayersModel))
    throw new TypeError(
      'fromLayersModel: the argument must be a tfjs-layers model (tf.sequential or tf.model)',
    );
  const input = model.inputs[0];
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || input === undefined)
    throw new RangeError('fromLayersModel: the model must have one input and one output');
  const inputShape = input.shape.slice(1);
  if (!inputShape.every((d): d is number => typeof d === 'number' && d > 0))
    throw new RangeError(
      `fromLayersModel: the input shape [${input.shape.join(', ')}] must be fully defined`,
    );
  const own = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  own.forEach((layer, i) => {
    const inbound = layer.inboundNodes.flatMap((node) => node.inboundLayers.map((l) => l.name));
    const previous = i === 0 ? undefined : (own[i - 1] as tfl.layers.Layer).name;
    if (previous !== undefined && (inbound.length !== 1 || inbound[0] !== previous))
      throw new RangeError(
        `fromLayersModel: layer "${layer.name}" does not follow "${previous}" alone; only chains convert`,
      );
  });
  const made: tf.Tensor[] = [];
  const converted = own.map((layer, i) => convert(layer, i === own.length - 1, made));
  const layers = converted.flatMap((c) => c.layers);
  const network = sequential(layers);
  const weights: Record<string, tf.Tensor> = {};
  converted.forEach((c, i) => {
    const name = (own[i] as tfl.layers.Layer).name;
    for (const [key, value] of Object.entries(c.weights)) weights[`${name}/${key}`] = value;
  });
  const params = network.init(0, { inputShape, weights });
  converted.forEach((c, i) => {
    if (c.logSigma2 !== undefined)
      ((params[(own[i] as tfl.layers.Layer).name] as Params).logSigma2 as tf.Variable).assign(c.logSigma2);
  });
  tf.dispose(made);
  return { network, params, inputShape };
};
