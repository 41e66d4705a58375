import type { BackendName } from './backend-name.js';

/** A backend that `auto` tried and did not use, with the reason. */
export interface PassedOver {
  readonly backend: BackendName;
  /** For example `"@tensorflow/tfjs-node-gpu not installed"` or `"no CUDA device: …"`. */
  readonly reason: string;
}

/** What runs now: the result of {@link selectBackend}. */
export interface BackendInfo {
  /** The sparsevd name of the backend that runs. */
  readonly backend: BackendName;
  /** The name tfjs knows it by (`tf.getBackend()`); `cuda` and `tensorflow` both register `"tensorflow"`. */
  readonly tfjsBackend: string;
  /** The version of the package that provides the backend. */
  readonly version: string;
  /** The version of `@tensorflow/tfjs-core` in use. */
  readonly coreVersion: string;
  /** For `wasm`: whether SIMD and threads are in use. */
  readonly wasm?: { readonly simd: boolean; readonly threads: boolean; readonly threadCount: number };
  /** For `cuda`: the device the probe found. */
  readonly cuda?: { readonly device: string };
  /** For `native`: what the accelerator reports about itself (BLAS, threads). */
  readonly native?: { readonly details: string };
  /** How the choice was made: an explicit request, or `auto`. */
  readonly requested: 'auto' | BackendName;
  /** Every backend tried before this one, with the reason it was passed over (empty for explicit choices). */
  readonly passedOver: ReadonlyArray<PassedOver>;
}
