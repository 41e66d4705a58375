import * as E from 'fp-ts/lib/Either.js';
import type { Csr, IndexArray } from './csr.js';
import { finiteJson } from './finite-json.js';
import { crc32 } from './internal/crc32.js';
import { sparseFormatFail as fail, type SparseFormatError } from './sparse-format-error.js';
import type { SparseNetwork, SparseOp } from './sparse-model-types.js';
import { PACKED_FORMAT_VERSION, unpackSparse } from './sparse-packed.js';

/** The first 8 bytes of a sparse model file. */
export const SPARSE_MAGIC = 'SPVDCSR\0';
/** The format version this package writes and reads. */
export const SPARSE_FORMAT_VERSION = 1;

type Dtype = 'float32' | 'uint8' | 'uint16' | 'uint32';
interface ArrayRef {
  readonly dtype: Dtype;
  readonly offset: number;
  readonly length: number;
}
type Typed = Float32Array | Uint8Array | Uint16Array | Uint32Array;

const CTORS = { float32: Float32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array } as const;
const dtypeOf = (a: Typed): Dtype =>
  a instanceof Float32Array
    ? 'float32'
    : a instanceof Uint8Array
      ? 'uint8'
      : a instanceof Uint16Array
        ? 'uint16'
        : 'uint32';

const PREAMBLE = 20;

/**
 * Serialises a sparse network to one portable buffer. A 20-byte preamble — the magic `SPVDCSR\0`, the
 * format version, the length of the JSON header, and the CRC-32 of everything after the preamble (all
 * uint32 little-endian) — then the JSON header (the network's structure with every array as
 * `{ dtype, offset, length }` into the blob, and the blob's length), then one binary blob of the arrays
 * (little-endian, each 4-byte aligned).
 */
export const serializeSparse = (network: SparseNetwork): Uint8Array => {
  const finite = (name: string, what: string, values: ArrayLike<number>) => {
    for (let i = 0; i < values.length; i += 1)
      if (!Number.isFinite(values[i]))
        throw new RangeError(
          `serializeSparse: layer "${name}", ${what} holds ${values[i]} at index ${i}; a sparse model file holds finite numbers only`,
        );
  };
  for (const op of network.ops) {
    if (op.kind !== 'dense' && op.kind !== 'conv') continue;
    const v = op.weights.values;
    if (v instanceof Float32Array) finite(op.name, 'weights', v);
    else finite(op.name, 'weights (quantisation min and scale)', [v.min, v.scale]);
    finite(op.name, 'bias', op.bias);
  }
  const arrays: Typed[] = [];
  let size = 0;
  const ref = (a: Typed): ArrayRef => {
    const offset = size;
    arrays.push(a);
    size += Math.ceil(a.byteLength / 4) * 4;
    return { dtype: dtypeOf(a), offset, length: a.length };
  };
  const csr = (m: Csr) => ({
    rows: m.rows,
    cols: m.cols,
    rowPtr: ref(m.rowPtr),
    colIndices: ref(m.colIndices),
    values:
      m.values instanceof Float32Array
        ? ref(m.values)
        : { q: ref(m.values.q), min: m.values.min, scale: m.values.scale },
  });
  const ops = network.ops.map((op) => {
    switch (op.kind) {
      case 'dense':
      case 'conv':
        return { ...op, weights: csr(op.weights), bias: ref(op.bias) };
      case 'select':
        return { ...op, indices: ref(op.indices) };
      case 'unitwise':
        // ReLU keeps the first version's spelling, so files without other functions read as before.
        return op.op === 'relu' && Object.keys(op.config).length === 0
          ? { kind: 'relu', name: op.name }
          : { kind: 'unitwise', name: op.name, op: op.op, config: op.config };
      default:
        return op;
    }
  });
  const blob = new Uint8Array(size);
  let at = 0;
  for (const a of arrays) {
    blob.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += Math.ceil(a.byteLength / 4) * 4;
  }
  const header = new TextEncoder().encode(
    finiteJson({
      version: SPARSE_FORMAT_VERSION,
      inputShape: network.inputShape,
      ops,
      blobBytes: size,
    }),
  );
  const out = new Uint8Array(PREAMBLE + header.length + size);
  out.set(new TextEncoder().encode(SPARSE_MAGIC), 0);
  out.set(header, PREAMBLE);
  out.set(blob, PREAMBLE + header.length);
  const view = new DataView(out.buffer);
  view.setUint32(8, SPARSE_FORMAT_VERSION, true);
  view.setUint32(12, header.length, true);
  view.setUint32(16, crc32(out.subarray(PREAMBLE)), true);
  return out;
};

/**
 * Reads a buffer written by {@link serializeSparse}, checking the magic, the version, the header, the
 * blob's length and checksum, every array's bounds and every CSR matrix's structure. A truncated or
 * corrupted file is a `Left` that says what is wrong.
 */
/** The element-wise functions a sparse model file may name, by name: each makes the function from its config. */
export type UnitwiseFunctions = Readonly<
  Record<string, (config: Readonly<Record<string, number | string | boolean>>) => (value: number) => number>
>;

/** The element-wise functions every reader knows. */
const BUILT_IN: UnitwiseFunctions = { relu: () => (v) => Math.max(v, 0) };

/** Options of {@link parseSparse}. */
export interface ParseSparseOptions {
  /**
   * The element-wise functions of layers defined outside this project, by the name their `freeze` gives
   * (`op`): the file stores only that name and the config.
   */
  readonly unitwise?: UnitwiseFunctions;
}

export const parseSparse = (
  bytes: Uint8Array,
  path = '<bytes>',
  options: ParseSparseOptions = {},
): E.Either<SparseFormatError, SparseNetwork> => {
  if (bytes.length < PREAMBLE) {
    return fail('Truncated', path, `${bytes.length} bytes is shorter than the ${PREAMBLE}-byte preamble`);
  }
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== SPARSE_MAGIC)
    return fail('BadMagic', path, 'not a sparsevd sparse model (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version === PACKED_FORMAT_VERSION)
    return unpackSparse(bytes, path, (name, config, what) => {
      const make = options.unitwise?.[name] ?? BUILT_IN[name];
      if (make === undefined)
        throw new Error(
          `${what}: element-wise function "${name}" is not known here; pass it to parseSparse(bytes, path, { unitwise: { '${name}': (config) => fn } })`,
        );
      return make(config);
    });
  if (version !== SPARSE_FORMAT_VERSION) {
    return fail(
      'UnsupportedVersion',
      path,
      `format version ${version}; this reader supports versions ${SPARSE_FORMAT_VERSION} and ${PACKED_FORMAT_VERSION} (a newer @sparsevd/pruning writes it)`,
    );
  }
  const headerLength = view.getUint32(12, true);
  if (PREAMBLE + headerLength > bytes.length) {
    return fail('Truncated', path, `header of ${headerLength} bytes runs past the end of the file`);
  }
  if (crc32(bytes.subarray(PREAMBLE)) !== view.getUint32(16, true)) {
    return fail('ChecksumMismatch', path, 'checksum does not match: the file is truncated or corrupted');
  }
  let header: {
    inputShape: number[];
    ops: Array<Record<string, unknown>>;
    blobBytes: number;
  };
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + headerLength)),
    );
  } catch (error) {
    return fail('BadHeader', path, `header is not valid JSON: ${(error as Error).message}`);
  }
  if (
    !Array.isArray(header?.ops) ||
    !Array.isArray(header.inputShape) ||
    typeof header.blobBytes !== 'number'
  ) {
    return fail('BadHeader', path, 'header lacks inputShape, ops or blobBytes');
  }
  const blob = bytes.subarray(PREAMBLE + headerLength);
  if (blob.length !== header.blobBytes) {
    return fail('Truncated', path, `blob has ${blob.length} bytes, the header says ${header.blobBytes}`);
  }

  const read = (r: unknown, what: string): Typed => {
    const { dtype, offset, length } = (r ?? {}) as Partial<ArrayRef>;
    const Ctor = dtype === undefined ? undefined : CTORS[dtype];
    if (
      Ctor === undefined ||
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      (offset as number) % 4 !== 0
    ) {
      throw new Error(`${what}: bad array reference`);
    }
    const byteLength = (length as number) * Ctor.BYTES_PER_ELEMENT;
    if ((offset as number) + byteLength > blob.length || (length as number) < 0)
      throw new Error(`${what}: array runs past the blob`);
    const copy = new Uint8Array(byteLength);
    copy.set(blob.subarray(offset as number, (offset as number) + byteLength));
    return new Ctor(copy.buffer);
  };
  const readCsr = (m: Record<string, unknown>, what: string): Csr => {
    const rows = m.rows as number;
    const cols = m.cols as number;
    const rowPtr = read(m.rowPtr, `${what}.rowPtr`) as Uint32Array;
    const colIndices = read(m.colIndices, `${what}.colIndices`) as IndexArray;
    const v = m.values as Record<string, unknown>;
    const values =
      v !== null && typeof v === 'object' && 'q' in v
        ? { q: read(v.q, `${what}.values`) as Uint8Array, min: v.min as number, scale: v.scale as number }
        : (read(v, `${what}.values`) as Float32Array);
    const count = values instanceof Float32Array ? values.length : values.q.length;
    if (
      rowPtr.length !== rows + 1 ||
      rowPtr[0] !== 0 ||
      rowPtr[rows] !== colIndices.length ||
      count !== colIndices.length
    ) {
      throw new Error(`${what}: CSR arrays do not fit together`);
    }
    for (let r = 0; r < rows; r += 1)
      if ((rowPtr[r + 1] as number) < (rowPtr[r] as number))
        throw new Error(`${what}: row pointers decrease`);
    for (const c of colIndices) if (c >= cols) throw new Error(`${what}: column index ${c} ≥ ${cols}`);
    return { rows, cols, rowPtr, colIndices, values };
  };
  try {
    const ops = header.ops.map((op, i): SparseOp => {
      const what = `op ${i} (${String(op.name)})`;
      switch (op.kind) {
        case 'dense':
        case 'conv':
          return {
            ...(op as object),
            weights: readCsr(op.weights as Record<string, unknown>, what),
            bias: read(op.bias, `${what}.bias`),
          } as SparseOp;
        case 'select':
          return { ...(op as object), indices: read(op.indices, `${what}.indices`) } as SparseOp;
        case 'relu':
          return {
            kind: 'unitwise',
            name: String(op.name),
            op: 'relu',
            config: {},
            fn: (BUILT_IN.relu as UnitwiseFunctions[string])({}),
          };
        case 'unitwise': {
          const name = String(op.op);
          const make = options.unitwise?.[name] ?? BUILT_IN[name];
          if (make === undefined)
            throw new Error(
              `${what}: element-wise function "${name}" is not known here; pass it to parseSparse(bytes, path, { unitwise: { '${name}': (config) => fn } })`,
            );
          const config = (op.config ?? {}) as Record<string, number | string | boolean>;
          return { kind: 'unitwise', name: String(op.name), op: name, config, fn: make(config) };
        }
        case 'flatten':
        case 'maxpool':
          return op as unknown as SparseOp;
        default:
          throw new Error(`${what}: unknown kind ${String(op.kind)}`);
      }
    });
    return E.right({ inputShape: header.inputShape, ops });
  } catch (error) {
    return fail('BadArray', path, (error as Error).message);
  }
};
