/** How the weights of a stock tfjs export are stored: as they are, or quantised by tfjs's own manifest scheme. */
export type TfjsWeightStorage = 'float32' | 'float16' | 'uint8';

/** Options of `toTfjsModel`. */
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
  /** `float32` (maybe stored quantised), or `int32` (indices and shapes of a graph model). */
  readonly dtype: 'float32' | 'int32';
  readonly quantization?:
    | { readonly dtype: 'uint8'; readonly min: number; readonly scale: number }
    | { readonly dtype: 'float16' };
}

/**
 * A stock TensorFlow.js model: `model.json`'s content and the bytes of its one weight file. A layers model
 * (`format: 'layers-model'`, `toTfjsModel`) or a graph model (`'graph-model'`, `toTfjsGraphModel`).
 */
export interface TfjsModel<F extends 'layers-model' | 'graph-model' = 'layers-model'> {
  /**
   * `model.json`: `format`, `modelTopology` (a Keras `Sequential` of built-in layers, or a TensorFlow GraphDef of
   * built-in ops), `weightsManifest`.
   */
  readonly modelJson: {
    readonly format: F;
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
