import { disposeParams, type Params, type Sequential, type Shape } from '@sparsevd/layers';
import { compact } from './compact.js';
import { type Op, readOps } from './internal/ops.js';
import { tfjsWeights } from './internal/tfjs-weights.js';
import type { TfjsModel, TfjsModelOptions } from './tfjs-model-types.js';

/** The element-wise functions of the layer protocol that TensorFlow has as single built-in ops. */
const TF_OPS: ReadonlyMap<string, string | null> = new Map([
  ['relu', 'Relu'],
  ['relu6', 'Relu6'],
  ['sigmoid', 'Sigmoid'],
  ['tanh', 'Tanh'],
  ['elu', 'Elu'],
  ['selu', 'Selu'],
  ['softplus', 'Softplus'],
  ['softsign', 'Softsign'],
  ['linear', null],
]);

type AttrValue = Record<string, unknown>;
interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: ReadonlyArray<string>;
  readonly attr: Record<string, AttrValue>;
}

/** A GraphDef string attribute: base64 bytes, as TensorFlow's JSON GraphDef writes them. */
const str = (s: string): AttrValue => ({ s: btoa(s) });
const ints = (values: ReadonlyArray<number>): AttrValue => ({ list: { i: values.map(String) } });
const FLOAT: AttrValue = { type: 'DT_FLOAT' };
const shapeAttr = (dims: ReadonlyArray<number>) => ({ dim: dims.map((size) => ({ size: String(size) })) });

/**
 * The pruned network as a stock TensorFlow.js graph model (`tf.loadGraphModel` of `@tensorflow/tfjs-converter`,
 * no `@sparsevd` package): compacted first ({@link compact}), then written as a TensorFlow GraphDef of built-in
 * ops — `MatMul`, `BiasAdd`, `Conv2D`, `MaxPool`, `Reshape`, the element-wise ops (`Relu` …) — and, unlike the
 * layers export, a flat input selection as a `GatherV2` of the kept inputs, so the first kernel has only their rows.
 * The model takes the original input (`input`, `[-1, ...inputShape]`) and returns the eval-mode network's
 * outputs (`output`). Quantisation as {@link toTfjsModel}'s.
 *
 * @throws RangeError naming a layer with no built-in TensorFlow op.
 */
export const toTfjsGraphModel = (
  network: Sequential,
  params: Params,
  inputShape: Shape,
  options: TfjsModelOptions = {},
): TfjsModel<'graph-model'> => {
  const compacted = compact(network, params, inputShape, {
    inputs: 'select',
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
  });
  let ops: Op[];
  try {
    ops = readOps('toTfjsGraphModel', compacted.network, compacted.params);
  } finally {
    disposeParams(compacted.params);
  }
  const weights = tfjsWeights(options.quantize ?? 'float32');
  const nodes: GraphNode[] = [
    {
      name: 'input',
      op: 'Placeholder',
      attr: { dtype: FLOAT, shape: { shape: shapeAttr([-1, ...inputShape]) } },
    },
  ];
  const used = new Set(['input', 'output']);
  const unique = (base: string) => {
    const clean = base.replace(/[^A-Za-z0-9_.-]/g, '_') || 'op';
    let name = clean;
    for (let i = 1; used.has(name); i += 1) name = `${clean}_${i}`;
    used.add(name);
    return name;
  };
  const constant = (
    base: string,
    shape: ReadonlyArray<number>,
    values: Float32Array | Int32Array,
    quantize: boolean,
  ) => {
    const name = unique(base);
    const type = values instanceof Int32Array ? 'DT_INT32' : 'DT_FLOAT';
    nodes.push({
      name,
      op: 'Const',
      attr: { value: { tensor: { dtype: type, tensorShape: shapeAttr(shape) } }, dtype: { type } },
    });
    weights.push(name, shape, values, quantize);
    return name;
  };
  let last = 'input';
  const emit = (base: string, op: string, input: string[], attr: Record<string, AttrValue>) => {
    const name = unique(base);
    nodes.push({ name, op, input, attr });
    last = name;
  };
  // A flatten's size is the next weight layer's input count (or the selection's input size).
  let flattenPending: string | undefined;
  const flushFlatten = (size: number) => {
    if (flattenPending === undefined) return;
    const shape = constant(`${flattenPending}/shape`, [2], Int32Array.from([-1, size]), false);
    emit(flattenPending, 'Reshape', [last, shape], { T: FLOAT, Tshape: { type: 'DT_INT32' } });
    flattenPending = undefined;
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'select': {
        flushFlatten(op.inputSize);
        const indices = constant(
          `${op.name}/indices`,
          [op.indices.length],
          Int32Array.from(op.indices),
          false,
        );
        const axis = constant(`${op.name}/axis`, [], Int32Array.from([1]), false);
        emit(op.name, 'GatherV2', [last, indices, axis], {
          Tparams: FLOAT,
          Tindices: { type: 'DT_INT32' },
          Taxis: { type: 'DT_INT32' },
          batch_dims: { i: '0' },
        });
        break;
      }
      case 'dense': {
        flushFlatten(op.inputs);
        const kernel = constant(`${op.name}/kernel`, [op.inputs, op.outputs], op.weights, true);
        const bias = constant(`${op.name}/bias`, [op.outputs], op.bias, false);
        emit(`${op.name}/MatMul`, 'MatMul', [last, kernel], {
          T: FLOAT,
          transpose_a: { b: false },
          transpose_b: { b: false },
        });
        emit(`${op.name}/BiasAdd`, 'BiasAdd', [last, bias], { T: FLOAT, data_format: str('NHWC') });
        break;
      }
      case 'conv': {
        const kernel = constant(`${op.name}/kernel`, [op.kh, op.kw, op.inputs, op.outputs], op.weights, true);
        const bias = constant(`${op.name}/bias`, [op.outputs], op.bias, false);
        emit(`${op.name}/Conv2D`, 'Conv2D', [last, kernel], {
          T: FLOAT,
          strides: ints([1, op.strides[0], op.strides[1], 1]),
          padding: str(op.padding.toUpperCase()),
          data_format: str('NHWC'),
          dilations: ints([1, 1, 1, 1]),
        });
        emit(`${op.name}/BiasAdd`, 'BiasAdd', [last, bias], { T: FLOAT, data_format: str('NHWC') });
        break;
      }
      case 'unitwise': {
        const tfOp = TF_OPS.get(op.op);
        if (tfOp === undefined || Object.keys(op.config).length > 0)
          throw new RangeError(
            `toTfjsGraphModel: layer "${op.name}" (${op.op}) has no built-in TensorFlow op`,
          );
        if (tfOp !== null) emit(op.name, tfOp, [last], { T: FLOAT });
        break;
      }
      case 'maxpool':
        emit(op.name, 'MaxPool', [last], {
          T: FLOAT,
          ksize: ints([1, op.pool[0], op.pool[1], 1]),
          strides: ints([1, op.strides[0], op.strides[1], 1]),
          padding: str(op.padding.toUpperCase()),
          data_format: str('NHWC'),
        });
        break;
      case 'flatten':
        flattenPending = op.name;
        break;
    }
  }
  if (flattenPending !== undefined)
    throw new RangeError('toTfjsGraphModel: a network that ends in flatten has no output layer to size it');
  nodes.push({ name: 'output', op: 'Identity', input: [last], attr: { T: FLOAT } });
  return {
    modelJson: {
      format: 'graph-model',
      generatedBy: 'sparsevd (@sparsevd/pruning toTfjsGraphModel)',
      convertedBy: null,
      modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
      weightsManifest: [{ paths: [options.weightsPath ?? 'weights.bin'], weights: weights.specs }],
    },
    weightData: weights.data(),
    units: compacted.units.map(({ name, before, after }) => ({ name, before, after })),
    inputs: compacted.inputs,
  };
};
