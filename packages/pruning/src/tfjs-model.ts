import { disposeParams, type Params, type Sequential, type Shape } from '@sparsevd/layers';
import { compact } from './compact.js';
import { type ConvOp, type DenseOp, type Op, readOps } from './internal/ops.js';
import { tfjsWeights } from './internal/tfjs-weights.js';
import type { TfjsModel, TfjsModelOptions } from './tfjs-model-types.js';

const kerasName = (name: string, used: Set<string>): string => {
  const base = name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'layer';
  let candidate = base;
  for (let i = 1; used.has(candidate); i += 1) candidate = `${base}_${i}`;
  used.add(candidate);
  return candidate;
};

/**
 * The pruned network as a stock TensorFlow.js layers model that `tf.loadLayersModel` loads with no `@sparsevd`
 * package: the network is compacted first ({@link compact}: dead units, filters and inputs removed), then
 * written with built-in layers only — `dense`, `conv2d`, `maxPooling2d`, `flatten`, `activation` (ReLU and
 * the other element-wise functions Keras names). A flat input selection is folded into the first dense kernel
 * (rows of removed inputs are zero), so the model takes the original input. It predicts what the eval-mode
 * network predicts.
 *
 * @throws RangeError naming a layer with no built-in tfjs counterpart.
 */
export const toTfjsModel = (
  network: Sequential,
  params: Params,
  inputShape: Shape,
  options: TfjsModelOptions = {},
): TfjsModel => {
  const compacted = compact(
    network,
    params,
    inputShape,
    options.threshold === undefined ? {} : { threshold: options.threshold },
  );
  let ops: Op[];
  try {
    ops = readOps('toTfjsModel', compacted.network, compacted.params);
  } finally {
    disposeParams(compacted.params);
  }
  const used = new Set<string>();
  const layers: Record<string, unknown>[] = [];
  const weights = tfjsWeights(options.quantize ?? 'float32');
  const push = weights.push;
  let select: ReadonlyArray<number> | undefined;
  let selectSize = 0;
  const first = (): Record<string, unknown> =>
    layers.length === 0 ? { batch_input_shape: [null, ...inputShape] } : {};
  for (const op of ops) {
    switch (op.kind) {
      case 'select':
        select = op.indices;
        selectSize = op.inputSize;
        break;
      case 'dense': {
        const name = kerasName(op.name, used);
        let kernel = op.weights;
        let rows = op.inputs;
        if (select !== undefined) {
          // The input selection folded into the kernel: the removed inputs' rows are zero.
          kernel = new Float32Array(selectSize * op.outputs);
          select.forEach((row, j) => {
            kernel.set(op.weights.subarray(j * op.outputs, (j + 1) * op.outputs), row * op.outputs);
          });
          rows = selectSize;
          select = undefined;
        }
        layers.push({
          class_name: 'Dense',
          config: {
            ...first(),
            name,
            units: op.outputs,
            activation: 'linear',
            use_bias: true,
            trainable: true,
            dtype: 'float32',
          },
        });
        push(`${name}/kernel`, [rows, op.outputs], kernel, true);
        push(`${name}/bias`, [op.outputs], (op as DenseOp).bias, false);
        break;
      }
      case 'conv': {
        const c = op as ConvOp;
        const name = kerasName(c.name, used);
        layers.push({
          class_name: 'Conv2D',
          config: {
            ...first(),
            name,
            filters: c.outputs,
            kernel_size: [c.kh, c.kw],
            strides: [...c.strides],
            padding: c.padding,
            data_format: 'channels_last',
            dilation_rate: [1, 1],
            activation: 'linear',
            use_bias: true,
            trainable: true,
            dtype: 'float32',
          },
        });
        push(`${name}/kernel`, [c.kh, c.kw, c.inputs, c.outputs], c.weights, true);
        push(`${name}/bias`, [c.outputs], c.bias, false);
        break;
      }
      case 'unitwise': {
        const activation = KERAS_ACTIVATIONS.get(op.op);
        if (activation === undefined || Object.keys(op.config).length > 0)
          throw new RangeError(
            `toTfjsModel: layer "${op.name}" (${op.op}) has no built-in tfjs-layers activation`,
          );
        layers.push({
          class_name: 'Activation',
          config: {
            ...first(),
            name: kerasName(op.name, used),
            activation,
            trainable: true,
            dtype: 'float32',
          },
        });
        break;
      }
      case 'maxpool':
        layers.push({
          class_name: 'MaxPooling2D',
          config: {
            ...first(),
            name: kerasName(op.name, used),
            pool_size: [...op.pool],
            strides: [...op.strides],
            padding: op.padding,
            data_format: 'channels_last',
            trainable: true,
            dtype: 'float32',
          },
        });
        break;
      case 'flatten':
        layers.push({
          class_name: 'Flatten',
          config: { ...first(), name: kerasName(op.name, used), trainable: true, dtype: 'float32' },
        });
        break;
    }
  }
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'sparsevd (@sparsevd/pruning toTfjsModel)',
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'sparsevd', layers },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{ paths: [options.weightsPath ?? 'weights.bin'], weights: weights.specs }],
    },
    weightData: weights.data(),
    units: compacted.units.map(({ name, before, after }) => ({ name, before, after })),
    inputs: compacted.inputs,
  };
};

/** The element-wise functions of the layer protocol that Keras has as built-in activations. */
const KERAS_ACTIVATIONS: ReadonlyMap<string, string> = new Map([
  ['relu', 'relu'],
  ['relu6', 'relu6'],
  ['sigmoid', 'sigmoid'],
  ['tanh', 'tanh'],
  ['elu', 'elu'],
  ['selu', 'selu'],
  ['softplus', 'softplus'],
  ['softsign', 'softsign'],
  ['linear', 'linear'],
]);
