import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isActivation } from './activation.js';
import './sparse-vd-conv2d.js';
import './sparse-vd-dense.js';

/** Options of {@link sparsify}. */
export interface SparsifyOptions {
  /** N, the number of training examples the model will be fine-tuned on (scales the KL term). */
  readonly trainingSize: number;
  /** Initial log σ² of the new SparseVD weights; −15 by default (the paper's start from pretrained weights). */
  readonly logSigma2Init?: number;
  /** Pruning threshold on log α; default 3. */
  readonly threshold?: number;
}

type Json = { [key: string]: unknown };

/** Rewrites one layer entry of a model topology; returns whether it became a SparseVD layer. */
const rewrite = (entry: Json, options: SparsifyOptions): boolean => {
  const className = entry.class_name;
  if (className !== 'Dense' && className !== 'Conv2D') return false;
  const config = entry.config as Json;
  const name = String(config.name);
  const activation = String(config.activation ?? 'linear');
  if (!isActivation(activation)) {
    throw new RangeError(
      `sparsify: layer "${name}" has activation "${activation}", which SparseVD layers do not support`,
    );
  }
  const common: Json = {
    name,
    trainable: config.trainable ?? true,
    dtype: config.dtype ?? 'float32',
    activation,
    use_bias: config.use_bias ?? true,
    training_size: options.trainingSize,
    log_sigma2_init: options.logSigma2Init ?? -15,
    threshold: options.threshold ?? 3,
    ...(config.batch_input_shape === undefined ? {} : { batch_input_shape: config.batch_input_shape }),
  };
  if (className === 'Dense') {
    entry.class_name = 'SparseVDDense';
    entry.config = { ...common, units: config.units };
    return true;
  }
  const dilation = config.dilation_rate;
  const dilated = Array.isArray(dilation)
    ? dilation.some((d) => d !== 1)
    : dilation !== undefined && dilation !== 1;
  if ((config.data_format ?? 'channels_last') !== 'channels_last' || dilated) {
    throw new RangeError(`sparsify: Conv2D layer "${name}" must be channels_last without dilation`);
  }
  entry.class_name = 'SparseVDConv2D';
  entry.config = {
    ...common,
    filters: config.filters,
    kernel_size: config.kernel_size,
    strides: config.strides,
    padding: config.padding,
  };
  return true;
};

/** The layer entries of a (possibly nested) model topology. */
const layerEntries = (topology: Json): Json[] => {
  const config = topology.config as Json | Json[];
  const layers = Array.isArray(config) ? config : ((config.layers as Json[] | undefined) ?? []);
  return layers;
};

/**
 * A copy of a trained `@tensorflow/tfjs-layers` model whose `Dense` and `Conv2D` layers are replaced by
 * {@link SparseVDDense} and {@link SparseVDConv2D} layers initialised from the trained weights (θ = the
 * kernel, log σ² = `logSigma2Init`, the same bias), every other layer copied with its weights — ready to
 * fine-tune with Sparse VD (as bayesian-torch's `dnn_to_bnn` does for its layers). Works on sequential and
 * functional models: the topology is rewritten and rebuilt, so the graph is unchanged. The original model
 * is left as it was.
 */
export const sparsify = async (
  model: tfl.LayersModel,
  options: SparsifyOptions,
): Promise<tfl.LayersModel> => {
  if (!(model instanceof tfl.LayersModel))
    throw new TypeError(
      'sparsify: the first argument must be a tfjs-layers model (tf.sequential or tf.model)',
    );
  const given = (options ?? {}) as Partial<SparsifyOptions>;
  if (!Number.isInteger(given.trainingSize) || (given.trainingSize as number) <= 0)
    throw new RangeError(
      `sparsify: options.trainingSize (N, the number of training examples; it scales the KL term) must be a positive integer, got ${String(given.trainingSize)}`,
    );
  for (const key of ['logSigma2Init', 'threshold'] as const)
    if (given[key] !== undefined && !Number.isFinite(given[key]))
      throw new RangeError(`sparsify: options.${key} must be a finite number, got ${String(given[key])}`);
  const topology = model.toJSON(null, false) as Json;
  const replaced = new Set<string>();
  for (const entry of layerEntries(topology)) {
    if (rewrite(entry, options)) replaced.add(String((entry.config as Json).name));
  }
  const copy = await tfl.models.modelFromJSON({ modelTopology: topology } as Parameters<
    typeof tfl.models.modelFromJSON
  >[0]);
  for (const layer of copy.layers) {
    const original = model.getLayer(layer.name);
    const weights = original.getWeights();
    if (!replaced.has(layer.name)) {
      layer.setWeights(weights);
      continue;
    }
    const [kernel, bias] = weights as [tf.Tensor, tf.Tensor | undefined];
    const logSigma2 = tf.fill(kernel.shape, options.logSigma2Init ?? -15);
    layer.setWeights(bias === undefined ? [kernel, logSigma2] : [kernel, logSigma2, bias]);
    logSigma2.dispose();
  }
  return copy;
};
