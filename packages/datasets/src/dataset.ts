/**
 * A labelled image dataset as a plain, compact value: pixels stay bytes until a batch is made.
 *
 * `images` holds `count × height × width × channels` values in NHWC order (row-major, channels last);
 * `labels` one class index per example.
 */
export interface Dataset {
  /** For messages and reports, e.g. `"mnist/train"`. */
  readonly name: string;
  /** Pixels: bytes 0–255 for image sets, float32 for synthetic feature sets. */
  readonly images: Uint8Array | Float32Array;
  /** One class index per example, each < `classes`. */
  readonly labels: Uint8Array;
  /** Shape of one example: `[height, width, channels]` for images, `[features]` for feature vectors. */
  readonly shape: ReadonlyArray<number>;
  /** Number of classes. */
  readonly classes: number;
}

/** A train / test pair. */
export interface Splits {
  readonly train: Dataset;
  readonly test: Dataset;
}

/** Number of examples of a dataset. */
export const size = (dataset: Dataset): number => dataset.labels.length;

/** Number of values in one example. */
export const exampleSize = (dataset: Dataset): number => dataset.shape.reduce((a, b) => a * b, 1);
