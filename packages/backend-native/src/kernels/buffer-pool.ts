/**
 * Reuse of kernel output buffers. Every tensor a SparseVD step makes is a new typed array (about 15 MB per
 * LeNet-300-100 step); allocating them costs little, but V8 answers the external memory they add with a
 * scavenge about once per step. Arrays this backend allocated come back here when their tensor's data is
 * released, and the next output of the same length reuses one.
 *
 * An array is only ever reused when nothing can still see it: arrays handed out by `readSync` / `read` (what
 * `dataSync()` and `data()` return) are marked and never reused; an array stored as the data of a second
 * tensor is reused only when both are released; and when any tensor's data is a view into a pooled array
 * (tfjs-backend-cpu's slices are `subarray`s of their input), that array is never reused. Arrays the backend
 * did not allocate (user data, the cpu kernels' own outputs) are never pooled.
 */

/** Arrays allocated by `uninitialized` (the only ones that may be pooled). */
const ours = new WeakSet<Float32Array>();
/** Our arrays by their buffer, to recognise views into them. */
const byBuffer = new WeakMap<ArrayBufferLike, Float32Array>();
/** Arrays that left the backend (read by the user, or viewed by another tensor): never reused. */
const escaped = new WeakSet<Float32Array>();
/** How many tensor data entries hold each of our arrays. */
const owners = new WeakMap<Float32Array, number>();
/** Free arrays by length. */
const free = new Map<number, Float32Array[]>();
let freeBytes = 0;

/** Buffers smaller than this are not worth pooling (allocation is cheap; they add no GC pressure to speak of). */
const MIN_ELEMENTS = 4096;
/** The most memory the pool keeps idle. */
const MAX_FREE_BYTES = 256 * 1024 * 1024;
/** `SPARSEVD_NATIVE_POOL=0` turns reuse (and its bookkeeping) off. */
const ENABLED = process.env.SPARSEVD_NATIVE_POOL !== '0';

/**
 * A Float32Array of `n` elements with unset contents, for a kernel output the addon overwrites entirely: a
 * pooled one when one of that length is free, else a new one from Node's uninitialised allocation (no
 * zero-fill) for large arrays, or an ordinary one.
 */
export const uninitialized = (n: number): Float32Array => {
  if (n < MIN_ELEMENTS) return new Float32Array(n);
  if (!ENABLED) return new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
  const list = free.get(n);
  const reused = list?.pop();
  if (reused !== undefined) {
    freeBytes -= reused.byteLength;
    return reused;
  }
  const fresh = new Float32Array(Buffer.allocUnsafeSlow(n * 4).buffer, 0, n);
  ours.add(fresh);
  byBuffer.set(fresh.buffer, fresh);
  return fresh;
};

/** Marks an array that leaves the backend (a read): it will never be reused. */
export const markEscaped = (values: unknown): void => {
  if (values instanceof Float32Array && ours.has(values)) escaped.add(values);
};

/** Whether an array belongs to the pool (allocated here and never read out). */
export const isPooled = (values: unknown): values is Float32Array =>
  values instanceof Float32Array && ours.has(values) && !escaped.has(values);

/** Notes values stored as a tensor's data (the backend's `write` and `move`). */
export const stored = (values: unknown): void => {
  if (!ArrayBuffer.isView(values)) return;
  const parent = byBuffer.get(values.buffer);
  if (parent === undefined) return;
  if (values !== parent) escaped.add(parent);
  else owners.set(parent, (owners.get(parent) ?? 0) + 1);
};

/** Takes back an array whose tensor data was released (ignored unless pooled and now unowned). */
export const release = (values: unknown): void => {
  if (!isPooled(values)) return;
  const left = (owners.get(values) ?? 1) - 1;
  if (left > 0) {
    owners.set(values, left);
    return;
  }
  owners.delete(values);
  if (freeBytes + values.byteLength > MAX_FREE_BYTES) return;
  const list = free.get(values.length);
  if (list === undefined) free.set(values.length, [values]);
  else list.push(values);
  freeBytes += values.byteLength;
};

/** Bytes held idle by the pool (for tests and diagnostics). */
export const pooledBytes = (): number => freeBytes;
