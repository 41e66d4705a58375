import type { DataId } from '@tensorflow/tfjs-core';
import { release, uninitialized } from './buffer-pool.js';

/**
 * The im2col patches of a convolution's input (and their squares), kept from the LRT conv's forward pass for
 * its backward pass: `∂θ = colsᵀ·dy` and `∂log σ² = (cols²)ᵀ·dv` then need no second im2col. Entries are keyed
 * by the input's data id (tfjs data never changes while it lives; saved clones share the id) and the full
 * geometry, and are dropped when that data is released. The arrays come from, and go back to, the buffer pool.
 */
interface Patches {
  readonly geometry: string;
  readonly cols: Float32Array;
  readonly squares: Float32Array;
}

const cache = new Map<DataId, Patches>();
let bytes = 0;

/** The most memory kept in patches at once; beyond it the backward pass recomputes them. */
const MAX_BYTES = 512 * 1024 * 1024;
/** `SPARSEVD_NATIVE_PATCHES=0` turns the cache off. */
const ENABLED = process.env.SPARSEVD_NATIVE_PATCHES !== '0';

const key = (geometry: ReadonlyArray<number>): string => geometry.join(',');

/**
 * Arrays for the patches of `dataId`'s data under `geometry` (each `n` floats), registered in the cache, or
 * undefined when the cache is off or full (the caller then computes the patches into scratch space).
 */
export const keepPatches = (
  dataId: DataId,
  geometry: ReadonlyArray<number>,
  n: number,
): { readonly cols: Float32Array; readonly squares: Float32Array } | undefined => {
  if (!ENABLED) return undefined;
  forgetPatches(dataId);
  if (bytes + 8 * n > MAX_BYTES) return undefined;
  const entry = { geometry: key(geometry), cols: uninitialized(n), squares: uninitialized(n) };
  cache.set(dataId, entry);
  bytes += 8 * n;
  return entry;
};

/** The patches kept for `dataId`'s data under exactly this geometry, if any. */
export const patchesOf = (
  dataId: DataId,
  geometry: ReadonlyArray<number>,
): { readonly cols: Float32Array; readonly squares: Float32Array } | undefined => {
  const entry = cache.get(dataId);
  return entry !== undefined && entry.geometry === key(geometry) ? entry : undefined;
};

/** Drops the patches of `dataId`'s data (its data was released), returning their arrays to the pool. */
export const forgetPatches = (dataId: DataId): void => {
  const entry = cache.get(dataId);
  if (entry === undefined) return;
  cache.delete(dataId);
  bytes -= 4 * (entry.cols.length + entry.squares.length);
  release(entry.cols);
  release(entry.squares);
};

/** Bytes held in kept patches (for tests and diagnostics). */
export const patchBytes = (): number => bytes;
