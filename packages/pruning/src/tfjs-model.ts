import { disposeParams, type Params, type Sequential, type Shape } from '@sparsevd/layers';
import { compact } from './compact.js';
import { toFloat16 } from './internal/float16.js';
import { type ConvOp, type DenseOp, type Op, readOps } from './internal/ops.js';

/** How the weights of a stock tfjs export are stored: as they are, or quantised by tfjs's own manifest scheme. */
export type TfjsWeightStorage = 'float32' | 'float16' | 'uint8';

/** Options of {@link toTfjsModel}. */
export interface TfjsModelOptions {
  /** Prune at this log α threshold instead of the layers' own. */
  readonly threshold?: number;
  /**
   * `float16` or `uint8` store each kernel quantised as TensorFlow.js's converter does (the weights manifest's
   * `quantization`; stock `tf.loadLayersModel` dequantises on load); biases stay float32. Default `float32`.
   */
  readonly quantize?: TfjsWeightStorage;
  /** The weight file's name in the manifest (default `"weights.bin"`). */
  readonly weightsPath?: string;
}

/** One entry of a tfjs weights manifest. */
export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: ReadonlyArray<number>;
  readonly dtype: 'float32';
  readonly quantization?:
    | { readonly dtype: 'uint8'; readonly min: number; readonly scale: number }
    | { readonly dtype: 'float16' };
}

/** A stock TensorFlow.js layers model: `model.json`'s content and the bytes of its one weight file. */
export interface TfjsModel {
  /** `model.json`: `format`, `modelTopology` (a Keras `Sequential` of built-in layers), `weightsManifest`. */
  readonly modelJson: {
    readonly format: 'layers-model';
    readonly generatedBy: string;
    readonly convertedBy: null;
    readonly modelTopology: Record<string, unknown>;
    readonly weightsManifest: ReadonlyArray<{
      readonly paths: ReadonlyArray<string>;
      readonly weights: ReadonlyArray<TfjsWeightSpec>;
    }>;
  };
  /** The weight file (`weightsManifest[0].paths[0]`). */
  readonly weightData: Uint8Array;
  /** Input features, and output units per weight layer, before → after compaction. */
  readonly units: ReadonlyArray<{ readonly name: string; readonly before: number; readonly after: number }>;
  readonly inputs: { readonly before: number; readonly after: number };
}

const kerasName = (name: string, used: Set<string>): string => {
  const base = name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'layer';
  let candidate = base;
  for (let i = 1; used.has(candidate); i += 1) candidate = `${base}_${i}`;
  used.add(candidate);
  return candidate;
};

/** uint8 with TF's affine scheme, `min` nudged so that 0 is exactly representable (pruned weights stay 0). */
const quantizeUint8 = (values: Float32Array) => {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  const bytes = Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round((v - min) / scale))));
  return { bytes, min, scale };
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
  const storage = options.quantize ?? 'float32';
  const used = new Set<string>();
  const layers: Record<string, unknown>[] = [];
  const specs: TfjsWeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  const push = (name: string, shape: number[], values: Float32Array, quantize: boolean) => {
    if (!quantize || storage === 'float32') {
      specs.push({ name, shape, dtype: 'float32' });
      chunks.push(
        new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
      );
    } else if (storage === 'float16') {
      specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'float16' } });
      chunks.push(new Uint8Array(Uint16Array.from(values, toFloat16).buffer));
    } else {
      const q = quantizeUint8(values);
      specs.push({
        name,
        shape,
        dtype: 'float32',
        quantization: { dtype: 'uint8', min: q.min, scale: q.scale },
      });
      chunks.push(q.bytes);
    }
  };
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
  const weightData = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    weightData.set(c, at);
    at += c.length;
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
      weightsManifest: [{ paths: [options.weightsPath ?? 'weights.bin'], weights: specs }],
    },
    weightData,
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
