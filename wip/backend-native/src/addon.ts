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
   * Σ KL of one weight tensor (the paper's approximation of log α's KL) in one pass; with gradient arrays,
   * also `dy · ∂ΣKL/∂θ` and `dy · ∂ΣKL/∂log σ²`.
   */
  klSum(
    theta: Float32Array,
    logSigma2: Float32Array,
    dTheta?: Float32Array,
    dLogSigma2?: Float32Array,
    dy?: number,
  ): number;
  /** Matrix transpose. */
  transpose2d(x: Float32Array, rows: number, cols: number, out: Float32Array): void;
  /** OpenBLAS's build configuration. */
  blasInfo(): string;
  /** Sets (when given) and returns OpenBLAS's thread count. */
  threads(n?: number): number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Loads the addon, or says why it is not there (the reason recorded when the package was built). */
export const loadAddon = (): { readonly addon: Addon } | { readonly reason: string } => {
  const binary = join(root, 'build', 'Release', 'sparsevd_native.node');
  if (!existsSync(binary)) {
    const status = join(root, 'build', 'status.json');
    const recorded = existsSync(status)
      ? (JSON.parse(readFileSync(status, 'utf8')) as { reason?: string }).reason
      : undefined;
    return {
      reason: recorded || 'the addon was not built (run the package build: node scripts/build-addon.mjs)',
    };
  }
  try {
    return { addon: createRequire(import.meta.url)(binary) as Addon };
  } catch (error) {
    return { reason: `the addon does not load: ${(error as Error).message.split('\n')[0]}` };
  }
};
