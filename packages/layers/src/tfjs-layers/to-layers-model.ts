import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Params, Shape } from '../layer.js';
import type { Sequential } from '../sequential.js';
import { SBPUnitNoise } from './sbp-unit-noise.js';
import { SparseVDConv2D } from './sparse-vd-conv2d.js';
import { SparseVDDense } from './sparse-vd-dense.js';

/** Options of {@link toLayersModel}. */
export interface ToLayersModelOptions {
  /** N, the number of training examples, which the SparseVD layers' KL term is divided by (`model.fit`). */
  readonly trainingSize: number;
}

const numbers = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : [Number(v), Number(v)]);

/**
 * The tfjs-layers model of a network value (the inverse of {@link fromLayersModel}): `tf.sequential` with
 * {@link SparseVDDense} / {@link SparseVDConv2D} for the SparseVD layers (θ, log σ², bias, threshold,
 * train-clip copied), `dense` / `conv2d` for the plain ones, a ReLU as the activation of the weight layer
 * before it (or an `activation` layer), and `flatten`, `maxPooling2d`, `dropout`. The weights are copies.
 *
 * @throws RangeError naming a layer with no tfjs-layers counterpart (batch-norm, feature selection).
 */
export const toLayersModel = (
  network: Sequential,
  params: Params,
  inputShape: Shape,
  options: ToLayersModelOptions,
): tfl.Sequential => {
  const model = tfl.sequential();
  const weights: [tfl.layers.Layer, tf.Tensor[]][] = [];
  let first = true;
  const input = () => {
    const shape = first ? { inputShape: [...inputShape] } : {};
    first = false;
    return shape;
  };
  network.layers.forEach((layer, i) => {
    const name = network.names[i] as string;
    const p = params[name] as Params;
    const c = layer.config;
    const next = network.layers[i + 1];
    const activation = next?.kind === 'relu' ? 'relu' : 'linear';
    const variable = (key: string) => p[key] as tf.Variable;
    let made: tfl.layers.Layer | undefined;
    switch (layer.kind) {
      case 'sparsevd-dense':
      case 'sparsevd-conv2d': {
        const common = {
          name,
          trainingSize: options.trainingSize,
          threshold: Number(c.threshold),
          trainClip: c.trainClip === true,
          activation,
          ...input(),
        };
        made =
          layer.kind === 'sparsevd-dense'
            ? new SparseVDDense({ ...common, units: Number(c.units) })
            : new SparseVDConv2D({
                ...common,
                filters: Number(c.filters),
                kernelSize: numbers(c.kernelSize) as [number, number],
                strides: numbers(c.strides) as [number, number],
                padding: c.padding as 'valid' | 'same',
              });
        weights.push([made, [variable('theta'), variable('logSigma2'), variable('bias')]]);
        break;
      }
      case 'sbp-unit-noise':
        made = new SBPUnitNoise({
          name,
          trainingSize: options.trainingSize,
          snrThreshold: Number(c.snrThreshold),
          ...input(),
        });
        weights.push([made, [variable('mu'), variable('logSigma')]]);
        break;
      case 'dense':
        made = tfl.layers.dense({ name, units: Number(c.units), activation, ...input() });
        weights.push([made, [variable('kernel'), variable('bias')]]);
        break;
      case 'conv2d':
        made = tfl.layers.conv2d({
          name,
          filters: Number(c.filters),
          kernelSize: numbers(c.kernelSize),
          strides: numbers(c.strides),
          padding: c.padding as 'valid' | 'same',
          activation,
          ...input(),
        });
        weights.push([made, [variable('kernel'), variable('bias')]]);
        break;
      case 'relu': {
        const previous = network.layers[i - 1]?.kind;
        const folded = ['sparsevd-dense', 'sparsevd-conv2d', 'dense', 'conv2d'].includes(previous ?? '');
        if (!folded) made = tfl.layers.activation({ name, activation: 'relu', ...input() });
        break;
      }
      case 'flatten':
        made = tfl.layers.flatten({ name, ...input() });
        break;
      case 'maxpool':
        made = tfl.layers.maxPooling2d({
          name,
          poolSize: numbers(c.poolSize) as [number, number],
          strides: numbers(c.strides) as [number, number],
          padding: c.padding as 'valid' | 'same',
          ...input(),
        });
        break;
      case 'dropout':
        made = tfl.layers.dropout({ name, rate: Number(c.rate), ...input() });
        break;
      default:
        throw new RangeError(`toLayersModel: layer "${name}" (${layer.kind}) has no tfjs-layers counterpart`);
    }
    if (made !== undefined) model.add(made);
  });
  for (const [layer, values] of weights) layer.setWeights(values);
  return model;
};
