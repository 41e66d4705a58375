import type { Params, Sequential, Shape } from '@sparsevd/layers';
import { type Csr, csrBytes, nnz, quantize8, toCsr } from './csr.js';
import { checkInputShape, readOps } from './internal/ops.js';
import type { LayerBytes, SparseExport, SparseOp } from './sparse-model-types.js';

/** Options of {@link toSparse}. */
export interface ToSparseOptions {
  /** Prune at this threshold instead of the layers' own. */
  readonly threshold?: number;
  /** `8`: store each layer's surviving values as 8-bit linear codes (min + q·scale). */
  readonly quantize?: 8;
}

const quantized = (csr: Csr, quantize: 8 | undefined): Csr =>
  quantize === 8 && csr.values instanceof Float32Array ? { ...csr, values: quantize8(csr.values) } : csr;

/**
 * Exports a pruned network in CSR form (eval mode: SparseVD weights with log α ≥ threshold dropped): dense
 * layers as `[in, out]` CSR matrices, conv filters as `[kh·kw·in, out]`; values float32 (or 8-bit
 * quantised), column indices in the smallest unsigned type that fits, row pointers uint32. Reports each
 * layer's size against its dense float32 size: the real compression next to the weight-count ratio.
 *
 * @throws RangeError when `inputShape` does not fit the first layer; NonFiniteParameterError when a
 *   parameter holds NaN or ±∞.
 */
export const toSparse = (
  network: Sequential,
  params: Params,
  inputShape: Shape,
  options: ToSparseOptions = {},
): SparseExport => {
  const layers: LayerBytes[] = [];
  const read = readOps('toSparse', network, params, options.threshold);
  checkInputShape('toSparse', read, inputShape);
  const ops = read.map((op): SparseOp => {
    switch (op.kind) {
      case 'dense':
      case 'conv': {
        const rows = op.kind === 'dense' ? op.inputs : op.kh * op.kw * op.inputs;
        const weights = quantized(toCsr(op.weights, rows, op.outputs), options.quantize);
        layers.push({
          name: op.name,
          weights: op.weights.length,
          nonzeros: nnz(weights),
          denseBytes: 4 * (op.weights.length + op.bias.length),
          sparseBytes: csrBytes(weights) + op.bias.byteLength,
        });
        return op.kind === 'dense'
          ? { kind: 'dense', name: op.name, weights, bias: op.bias }
          : {
              kind: 'conv',
              name: op.name,
              kh: op.kh,
              kw: op.kw,
              strides: op.strides,
              padding: op.padding,
              weights,
              bias: op.bias,
            };
      }
      case 'select':
        return { kind: 'select', name: op.name, indices: Uint32Array.from(op.indices) };
      case 'unitwise': {
        const { name, op: fnName, config, fn } = op;
        return { kind: 'unitwise', name, op: fnName, config, fn };
      }
      default:
        return op;
    }
  });
  const denseBytes = layers.reduce((s, l) => s + l.denseBytes, 0);
  const sparseBytes = layers.reduce((s, l) => s + l.sparseBytes, 0);
  return { inputShape, ops, layers, denseBytes, sparseBytes, byteCompression: denseBytes / sparseBytes };
};
