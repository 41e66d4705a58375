import type { Shape } from '@sparsevd/layers';
import type { Csr } from './csr.js';

/** One operation of an exported sparse network. */
export type SparseOp =
  | { readonly kind: 'dense'; readonly name: string; readonly weights: Csr; readonly bias: Float32Array }
  | {
      readonly kind: 'conv';
      readonly name: string;
      readonly kh: number;
      readonly kw: number;
      readonly strides: readonly [number, number];
      readonly padding: 'valid' | 'same';
      /** The filter as a `[kh·kw·inChannels, outChannels]` matrix. */
      readonly weights: Csr;
      readonly bias: Float32Array;
    }
  | {
      readonly kind: 'maxpool';
      readonly name: string;
      readonly pool: readonly [number, number];
      readonly strides: readonly [number, number];
      readonly padding: 'valid' | 'same';
    }
  | { readonly kind: 'select'; readonly name: string; readonly indices: Uint32Array }
  | {
      /** An element-wise function: `op` and `config` name it in the file, `fn` runs it. */
      readonly kind: 'unitwise';
      readonly name: string;
      readonly op: string;
      readonly config: Readonly<Record<string, number | string | boolean>>;
      readonly fn: (value: number) => number;
    }
  | { readonly kind: 'flatten'; readonly name: string };

/** Size of one weight layer in the export. */
export interface LayerBytes {
  readonly name: string;
  readonly weights: number;
  readonly nonzeros: number;
  /** float32 weights and bias, as stored densely. */
  readonly denseBytes: number;
  /** CSR arrays (values, column indices, row pointers) and the float32 bias. */
  readonly sparseBytes: number;
}

/** A pruned network in CSR form: what {@link toSparse} makes and {@link sparseModel} runs. */
export interface SparseNetwork {
  readonly inputShape: Shape;
  readonly ops: ReadonlyArray<SparseOp>;
}

/** {@link SparseNetwork} with its size accounting. */
export interface SparseExport extends SparseNetwork {
  readonly layers: ReadonlyArray<LayerBytes>;
  /** Σ dense float32 bytes of the weight layers (weights + biases). */
  readonly denseBytes: number;
  /** Σ CSR bytes of the weight layers (+ biases). */
  readonly sparseBytes: number;
  /** denseBytes / sparseBytes: the real compression of the stored model. */
  readonly byteCompression: number;
}
