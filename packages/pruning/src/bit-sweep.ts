import * as E from 'fp-ts/lib/Either.js';
import { parseSparse } from './sparse-format.js';
import type { SparseNetwork } from './sparse-model-types.js';
import { type CodebookKind, packSparse } from './sparse-packed.js';

/** Options of {@link smallestPacked}. */
export interface BitSweepOptions {
  /**
   * The error of a network on held-out data (a validation split of the training data — never the test set,
   * which should only report): called with each candidate as the file would load.
   */
  readonly evaluate: (network: SparseNetwork) => number;
  /** How much worse than the unquantised network a candidate may be, as a fraction (0.001 = 0.1 pp). */
  readonly budget: number;
  readonly codebook?: CodebookKind;
}

/** What {@link smallestPacked} chose, and what it tried. */
export interface BitSweepResult {
  readonly bytes: Uint8Array;
  readonly bits: Readonly<Record<string, number>>;
  /** The chosen file's error, and the unquantised network's, by `evaluate`. */
  readonly error: number;
  readonly baseline: number;
  readonly tried: ReadonlyArray<{
    readonly bits: Readonly<Record<string, number>>;
    readonly bytes: number;
    readonly error: number;
  }>;
}

/**
 * The smallest packed file ({@link packSparse}) whose error stays within `budget` of the unquantised
 * network's: every layer starts at 8 bits (more, up to 16, if 8 already breaks the budget), then each layer —
 * the one with most weights first — gives up one bit at a time while the whole network stays within budget.
 * Each candidate is packed, read back and evaluated exactly as it would ship.
 */
export const smallestPacked = (network: SparseNetwork, options: BitSweepOptions): BitSweepResult => {
  if (!(options.budget >= 0 && Number.isFinite(options.budget)))
    throw new RangeError(`smallestPacked: budget must be a finite fraction ≥ 0, got ${options.budget}`);
  const layers = network.ops
    .filter((o) => o.kind === 'dense' || o.kind === 'conv')
    .map((o) => ({
      name: o.name,
      nnz: o.kind === 'dense' || o.kind === 'conv' ? o.weights.colIndices.length : 0,
    }))
    .sort((a, b) => b.nnz - a.nnz);
  const baseline = options.evaluate(network);
  const tried: { bits: Record<string, number>; bytes: number; error: number }[] = [];
  const attempt = (bits: Record<string, number>) => {
    const bytes = packSparse(network, {
      bits,
      ...(options.codebook === undefined ? {} : { codebook: options.codebook }),
    });
    const read = parseSparse(bytes, '<candidate>');
    if (E.isLeft(read))
      throw new Error(`smallestPacked: a packed candidate does not read back: ${read.left.message}`);
    const error = options.evaluate(read.right);
    tried.push({ bits: { ...bits }, bytes: bytes.length, error });
    return { bytes, error };
  };
  const ok = (error: number) => error <= baseline + options.budget + 1e-12;
  let start = 8;
  let bits = Object.fromEntries(layers.map((l) => [l.name, start]));
  let best = attempt(bits);
  while (!ok(best.error) && start < 16) {
    start = Math.min(16, start + 4);
    bits = Object.fromEntries(layers.map((l) => [l.name, start]));
    best = attempt(bits);
  }
  for (const layer of layers) {
    while ((bits[layer.name] as number) > 1) {
      const candidate = { ...bits, [layer.name]: (bits[layer.name] as number) - 1 };
      const result = attempt(candidate);
      if (!ok(result.error)) break;
      bits = candidate;
      best = result;
    }
  }
  return { bytes: best.bytes, bits, error: best.error, baseline, tried };
};
