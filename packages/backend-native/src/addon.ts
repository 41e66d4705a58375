import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions of the compiled addon (native/addon.cc). */
export interface Addon {
  /** Row-major `C = alpha·op(A)·op(B) + beta·C` by OpenBLAS (offsets and leading dimensions in elements). */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    aOffset: number,
    lda: number,
    b: Float32Array,
    bOffset: number,
    ldb: number,
    beta: number,
    c: Float32Array,
    cOffset: number,
    ldc: number,
  ): void;
  /** NHWC image patches as rows: `[batch·outH·outW, kh·kw·channels]`. */
  im2col(...args: [...geometry: number[], x: Float32Array, cols: Float32Array]): void;
  /**
   * NHWC convolution for 1 to 32 filters without the patch matrix: `y[batch·outH·outW, filters] =
   * patches(x) · filter[kh·kw·c, filters]`; `geometry` im2col's 14 numbers as one array.
   */
  conv2dSmall(
    geometry: number[],
    filters: number,
    x: Float32Array,
    filter: Float32Array,
    y: Float32Array,
  ): void;
  /** The adjoint of `im2col` (overwrites `dx`). */
  col2im(...args: [...geometry: number[], cols: Float32Array, dx: Float32Array]): void;
  /** Broadcasting binary op (see native/addon.cc for op codes) into a Float32Array or, for comparisons, a Uint8Array. */
  binary(
    op: number,
    a: Float32Array,
    aStrides: number[],
    b: Float32Array,
    bStrides: number[],
    out: Float32Array | Uint8Array,
    shape: number[],
  ): void;
  /** Unary op (`p`, `q`: the clip range). */
  unary(op: number, x: Float32Array, out: Float32Array, p: number, q: number): void;
  /** Sum over the trailing `inner` elements of each of `outer` rows. */
  sumInner(x: Float32Array, outer: number, inner: number, out: Float32Array): void;
  /** Sum over the leading `outer` rows of each of `inner` columns. */
  sumOuter(x: Float32Array, outer: number, inner: number, out: Float32Array): void;
  /**
   * Σ KL of one weight tensor from θ and log σ² (log α = clip(log σ² − log(θ² + eps), lo, hi), the paper's
   * approximation) in one pass; with gradient arrays, also ∂ΣKL/∂θ and ∂ΣKL/∂log σ² per element.
   */
  klOfWeights(
    theta: Float32Array,
    logSigma2: Float32Array,
    eps: number,
    lo: number,
    hi: number,
    dTheta: Float32Array | null,
    dLogSigma2: Float32Array | null,
  ): number;
  /** LRT dense forward: `y = x·θ + bias + std ⊙ noise`, `std = sqrt(x²·exp(log σ²) + varEps)` (both written). */
  lrtDenseForward(
    x: Float32Array,
    theta: Float32Array,
    logSigma2: Float32Array,
    noise: Float32Array,
    bias: Float32Array | null,
    batch: number,
    inUnits: number,
    outUnits: number,
    varEps: number,
    y: Float32Array,
    std: Float32Array,
  ): void;
  /** ∂L/∂x of the LRT dense layer. */
  lrtDenseGradInput(
    x: Float32Array,
    dy: Float32Array,
    noise: Float32Array,
    std: Float32Array,
    theta: Float32Array,
    logSigma2: Float32Array,
    batch: number,
    inUnits: number,
    outUnits: number,
    dx: Float32Array,
  ): void;
  /** ∂L/∂log σ² of the LRT dense layer. */
  lrtDenseGradLogSigma2(
    x: Float32Array,
    dy: Float32Array,
    noise: Float32Array,
    std: Float32Array,
    logSigma2: Float32Array,
    batch: number,
    inUnits: number,
    outUnits: number,
    dLogSigma2: Float32Array,
  ): void;
  /**
   * LRT conv forward (NHWC): the dense forward over the im2col patches of `x`; `geometry` as im2col's 14 numbers.
   * `cols` and `squares` ([rows × k]), when given, receive the patches and their squares for the backward pass.
   */
  lrtConvForward(
    geometry: number[],
    x: Float32Array,
    theta: Float32Array,
    logSigma2: Float32Array,
    noise: Float32Array,
    bias: Float32Array | null,
    outChannels: number,
    varEps: number,
    y: Float32Array,
    std: Float32Array,
    cols: Float32Array | null,
    squares: Float32Array | null,
  ): void;
  /** ∂L/∂x of the LRT conv layer. */
  lrtConvGradInput(
    geometry: number[],
    x: Float32Array,
    dy: Float32Array,
    noise: Float32Array,
    std: Float32Array,
    theta: Float32Array,
    logSigma2: Float32Array,
    outChannels: number,
    dx: Float32Array,
  ): void;
  /** ∂L/∂log σ² of the LRT conv layer; `squares` as `lrtConvForward` kept them, or null to recompute them. */
  lrtConvGradLogSigma2(
    geometry: number[],
    x: Float32Array,
    dy: Float32Array,
    noise: Float32Array,
    std: Float32Array,
    logSigma2: Float32Array,
    outChannels: number,
    dLogSigma2: Float32Array,
    squares: Float32Array | null,
  ): void;
  /** `mask = [clip(log α) < threshold]` (0/1) and `θ ⊙ mask` in one pass. */
  maskedTheta(
    theta: Float32Array,
    logSigma2: Float32Array,
    threshold: number,
    eps: number,
    lo: number,
    hi: number,
    out: Float32Array,
    mask: Float32Array,
  ): void;
  /** One Adam step in one pass (see native/fused.cc for the exact order of operations). */
  adamUpdate(
    x: Float32Array,
    m: Float32Array,
    v: Float32Array,
    g: Float32Array,
    beta1: number,
    beta2: number,
    epsilon: number,
    stepSize: number,
    invSqrtBc2: number,
    xOut: Float32Array,
    mOut: Float32Array,
    vOut: Float32Array,
  ): void;
  /**
   * Fills `out` with the values tfjs's `randomNormal(…, mean, stdDev, 'float32', seed)` gives for the seed
   * whose `String()` is `seed` (seedrandom's Alea + the Marsaglia polar method, replayed in C++).
   */
  randomNormal(seed: string, mean: number, stdDev: number, out: Float32Array): void;
  /** NHWC max pooling: 12 geometry numbers (batch, h, w, c, fh, fw, sh, sw, padTop, padLeft, outH, outW). */
  maxPool(...args: [...geometry: number[], x: Float32Array, out: Float32Array]): void;
  /** The gradient of `maxPool` (overwrites `dx`). */
  maxPoolGrad(...args: [...geometry: number[], x: Float32Array, dy: Float32Array, dx: Float32Array]): void;
  /**
   * The epilogue of a product, in place: `y[r·n + j] = act(y[r·n + j] + bias[j])` for `rows` rows of `n`; `bias`
   * has `n` values, or is null for none; `activation` 0 is the identity, 1 relu (NaN stays NaN, as `tf.relu`).
   */
  biasActivation(
    y: Float32Array,
    rows: number,
    n: number,
    bias: Float32Array | null,
    activation: 0 | 1,
  ): void;
  /**
   * Structured Bayesian Pruning's KL per unit (log θ ~ N(μ, σ²) truncated to [a, b], uniform prior on [a, b]; μ
   * and log σ clipped to [lo, hi]) into `kl`, with its gradients in μ and log σ; double precision inside.
   */
  unitNoiseKl(
    mu: Float32Array,
    logSigma: Float32Array,
    a: number,
    b: number,
    lo: number,
    hi: number,
    kl: Float32Array,
    dMu: Float32Array,
    dLogSigma: Float32Array,
  ): void;
  /**
   * A sample of θ per unit from standard-normal `noise` (inverse-CDF sampling of the truncated log-normal) into
   * `theta`, with ∂θ/∂μ, ∂θ/∂log σ and ∂θ/∂noise; double precision inside.
   */
  unitNoiseSample(
    mu: Float32Array,
    logSigma: Float32Array,
    a: number,
    b: number,
    lo: number,
    hi: number,
    noise: Float32Array,
    theta: Float32Array,
    dMu: Float32Array,
    dLogSigma: Float32Array,
    dNoise: Float32Array,
  ): void;
  /** Matrix transpose. */
  transpose2d(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** OpenBLAS's build configuration. */
  blasInfo(): string;
  /**
   * Sets (when given; at most the widest version the CPU runs, else a RangeError) and returns the instruction set
   * the vectorised kernels run with: `[in use, widest this CPU runs, description of the one in use]`.
   */
  isa(name?: NativeIsa): [NativeIsa, NativeIsa, string];
  /** Sets (when given) and returns the number of threads the addon computes on (OpenBLAS stays single-threaded). */
  threads(n?: number): number;
}

/** The versions of the vectorised kernels, narrowest first (on CPUs other than x86-64 only `baseline`). */
export const NATIVE_ISAS = ['baseline', 'avx2', 'avx512'] as const;

/** One version of the vectorised kernels: `avx512` (AVX-512 + FMA), `avx2` (AVX2 + FMA) or `baseline`. */
export type NativeIsa = (typeof NATIVE_ISAS)[number];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Loads the addon, or says why it is not there: the one built from source here (build/Release) when there is
 * one, else the prebuilt binary the package ships for this platform and architecture (prebuilds/, which needs no
 * compiler or OpenBLAS), else the reason recorded when the package was built.
 */
export const loadAddon = (): { readonly addon: Addon } | { readonly reason: string } => {
  const built = join(root, 'build', 'Release', 'sparsevd_native.node');
  const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'sparsevd_native.node');
  const binary = [built, prebuilt].find((file) => existsSync(file));
  if (binary === undefined) {
    const status = join(root, 'build', 'status.json');
    const recorded = existsSync(status)
      ? (JSON.parse(readFileSync(status, 'utf8')) as { reason?: string }).reason
      : undefined;
    return {
      reason:
        recorded ||
        `the addon was not built and no prebuilt binary ships for ${process.platform}-${process.arch} (run the package build: node scripts/build-addon.mjs)`,
    };
  }
  try {
    return { addon: createRequire(import.meta.url)(binary) as Addon };
  } catch (error) {
    return { reason: `the addon does not load: ${(error as Error).message.split('\n')[0]}` };
  }
};
