import { deflateSync, inflateSync } from 'fflate';
import * as E from 'fp-ts/lib/Either.js';
import { type Csr, csrValues, indexArray } from './csr.js';
import { crc32 } from './internal/crc32.js';
import { fromFloat16, toFloat16 } from './internal/float16.js';
import { sparseFormatFail as fail, type SparseFormatError } from './sparse-format-error.js';
import type { SparseNetwork, SparseOp } from './sparse-model-types.js';

/** The version of the sparse format that {@link packSparse} writes (version 1 is `serializeSparse`'s). */
export const PACKED_FORMAT_VERSION = 2;
const MAGIC = 'SPVDCSR\0';
const PREAMBLE = 20;

/** How a layer's kept weights are coded: `bits` per weight into a codebook of at most 2^bits values. */
export type CodebookKind = 'uniform' | 'kmeans';

/** Options of {@link packSparse}. */
export interface PackOptions {
  /** Bits per kept weight (1–16), for every layer or by layer name (a missing layer gets 8). */
  readonly bits: number | Readonly<Record<string, number>>;
  /**
   * `kmeans` (default): the codebook is the 1-D k-means of the layer's kept weights (Lloyd's iterations from
   * quantiles; Deep Compression's weight sharing); `uniform`: evenly spaced between the smallest and the largest.
   */
  readonly codebook?: CodebookKind;
}

/** A growing byte buffer with LEB128 varints and a bit packer. */
class Writer {
  private bytes = new Uint8Array(1024);
  length = 0;
  private ensure(n: number) {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
  byte(v: number) {
    this.ensure(1);
    this.bytes[this.length++] = v;
  }
  varint(v: number) {
    let x = v;
    while (x >= 0x80) {
      this.byte((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    this.byte(x);
  }
  raw(b: Uint8Array) {
    this.ensure(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }
  bitsOf(codes: ArrayLike<number>, bits: number) {
    const out = new Uint8Array(Math.ceil((codes.length * bits) / 8));
    let bit = 0;
    for (let i = 0; i < codes.length; i += 1) {
      const c = codes[i] as number;
      for (let k = 0; k < bits; k += 1, bit += 1)
        if ((c >> k) & 1) out[bit >> 3] = (out[bit >> 3] as number) | (1 << (bit & 7));
    }
    this.raw(out);
  }
  done = () => this.bytes.subarray(0, this.length);
}

/** Reads what {@link Writer} wrote; every read is bounds-checked (a short stream throws, never reads outside). */
class Reader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  byte() {
    if (this.at >= this.bytes.length) throw new Error('the packed data ends early');
    return this.bytes[this.at++] as number;
  }
  varint() {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i += 1) {
      const b = this.byte();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
    throw new Error('a varint is longer than 8 bytes');
  }
  raw(n: number) {
    if (n < 0 || this.at + n > this.bytes.length) throw new Error('the packed data ends early');
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
  codes(count: number, bits: number) {
    const packed = this.raw(Math.ceil((count * bits) / 8));
    const out = new Uint16Array(count);
    let bit = 0;
    for (let i = 0; i < count; i += 1) {
      let c = 0;
      for (let k = 0; k < bits; k += 1, bit += 1) c |= (((packed[bit >> 3] as number) >> (bit & 7)) & 1) << k;
      out[i] = c;
    }
    return out;
  }
}

/** The codebook of a layer's kept weights: at most 2^bits values, sorted. */
export const codebookOf = (values: Float32Array, bits: number, kind: CodebookKind): Float32Array => {
  const levels = 2 ** bits;
  if (values.length === 0) return new Float32Array(0);
  const sorted = Float32Array.from(values).sort();
  const lo = sorted[0] as number;
  const hi = sorted[sorted.length - 1] as number;
  if (hi === lo || (values.length <= levels && kind === 'kmeans')) return Float32Array.from(new Set(sorted));
  if (kind === 'uniform')
    return Float32Array.from({ length: levels }, (_, i) => lo + ((hi - lo) * i) / (levels - 1));
  // 1-D k-means: centroids from quantiles, then Lloyd's iterations over the sorted values (each cluster is a run).
  let centres = Float64Array.from(
    { length: levels },
    (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / levels)] as number,
  );
  for (let iter = 0; iter < 30; iter += 1) {
    const sum = new Float64Array(levels);
    const count = new Float64Array(levels);
    let c = 0;
    for (const v of sorted) {
      while (
        c + 1 < levels &&
        Math.abs(v - (centres[c + 1] as number)) <= Math.abs(v - (centres[c] as number))
      )
        c += 1;
      sum[c] = (sum[c] as number) + v;
      count[c] = (count[c] as number) + 1;
    }
    const next = centres.map((x, i) =>
      (count[i] as number) > 0 ? (sum[i] as number) / (count[i] as number) : x,
    );
    next.sort();
    const moved = next.some((x, i) => Math.abs(x - (centres[i] as number)) > 1e-9);
    centres = next;
    if (!moved) break;
  }
  return Float32Array.from(centres);
};

/** Index of the nearest codebook value (the codebook sorted). */
const nearest = (book: Float32Array, v: number): number => {
  let lo = 0;
  let hi = book.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v > ((book[mid] as number) + (book[mid + 1] as number)) / 2) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * Writes a sparse network in the smallest form this package has (format version 2): each weight layer's kept
 * values as `bits`-bit codes into a per-layer codebook, its CSR structure as per-row counts and delta-coded
 * column indices (LEB128 varints), biases as float16, all of it deflated by `fflate` (level 9); a 20-byte
 * preamble (magic, version, inflated length, CRC-32 of the deflated bytes). `parseSparse` reads it (and version
 * 1). Quantisation changes the weights: measure the error of what it returns before shipping it.
 *
 * @throws RangeError for bits outside 1–16 or a weight or bias that is NaN or ±∞.
 */
export const packSparse = (network: SparseNetwork, options: PackOptions): Uint8Array => {
  const kind = options.codebook ?? 'kmeans';
  const w = new Writer();
  const ops = network.ops.map((op) => {
    switch (op.kind) {
      case 'dense':
      case 'conv': {
        const bits = typeof options.bits === 'number' ? options.bits : (options.bits[op.name] ?? 8);
        if (!Number.isInteger(bits) || bits < 1 || bits > 16)
          throw new RangeError(
            `packSparse: layer "${op.name}": bits must be a whole number from 1 to 16, got ${bits}`,
          );
        const m = op.weights;
        const values = csrValues(m);
        for (const [what, arr] of [
          ['weights', values],
          ['bias', op.bias],
        ] as const)
          for (const v of arr)
            if (!Number.isFinite(v))
              throw new RangeError(`packSparse: layer "${op.name}", ${what} holds ${v}`);
        const book = codebookOf(values, bits, kind);
        for (let r = 0; r < m.rows; r += 1) {
          const start = m.rowPtr[r] as number;
          const end = m.rowPtr[r + 1] as number;
          w.varint(end - start);
          let prev = -1;
          for (let i = start; i < end; i += 1) {
            const c = m.colIndices[i] as number;
            w.varint(c - prev - 1);
            prev = c;
          }
        }
        w.raw(new Uint8Array(book.buffer.slice(0)));
        w.bitsOf(
          Array.from(values, (v) => nearest(book, v)),
          bits,
        );
        w.raw(new Uint8Array(Uint16Array.from(op.bias, toFloat16).buffer));
        const { weights: _w, bias: _b, ...rest } = op;
        return {
          ...rest,
          rows: m.rows,
          cols: m.cols,
          nnz: values.length,
          bits,
          book: book.length,
          biasLength: op.bias.length,
        };
      }
      case 'select': {
        w.varint(op.indices.length);
        let prev = -1;
        for (const i of op.indices) {
          w.varint(i - prev - 1);
          prev = i;
        }
        return { kind: 'select', name: op.name };
      }
      case 'unitwise':
        return { kind: 'unitwise', name: op.name, op: op.op, config: op.config };
      default:
        return op;
    }
  });
  const header = new TextEncoder().encode(
    JSON.stringify({ inputShape: network.inputShape, codebook: kind, ops }),
  );
  const stream = w.done();
  const payload = new Uint8Array(4 + header.length + stream.length);
  new DataView(payload.buffer).setUint32(0, header.length, true);
  payload.set(header, 4);
  payload.set(stream, 4 + header.length);
  const packed = deflateSync(payload, { level: 9, mem: 12 });
  const out = new Uint8Array(PREAMBLE + packed.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  out.set(packed, PREAMBLE);
  const view = new DataView(out.buffer);
  view.setUint32(8, PACKED_FORMAT_VERSION, true);
  view.setUint32(12, payload.length, true);
  view.setUint32(16, crc32(packed), true);
  return out;
};

/**
 * Reads a version-2 file ({@link packSparse}): checks the preamble and checksum, inflates, and rebuilds the
 * network with float32 CSR values (the codebook entries). Every count, index and code is checked against
 * what it refers to; a truncated or corrupted file is a `Left` naming the problem.
 */
export const unpackSparse = (
  bytes: Uint8Array,
  path: string,
  unitwise: (
    name: string,
    config: Readonly<Record<string, number | string | boolean>>,
    what: string,
  ) => (v: number) => number,
): E.Either<SparseFormatError, SparseNetwork> => {
  if (bytes.length < PREAMBLE)
    return fail('Truncated', path, `${bytes.length} bytes is shorter than the ${PREAMBLE}-byte preamble`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packed = bytes.subarray(PREAMBLE);
  if (crc32(packed) !== view.getUint32(16, true))
    return fail('ChecksumMismatch', path, 'checksum does not match: the file is truncated or corrupted');
  let payload: Uint8Array;
  try {
    payload = inflateSync(packed, { out: new Uint8Array(view.getUint32(12, true)) });
  } catch (error) {
    return fail('BadArray', path, `the packed data does not inflate: ${(error as Error).message}`);
  }
  if (payload.length !== view.getUint32(12, true) || payload.length < 4)
    return fail('Truncated', path, 'the packed data is shorter than the preamble says');
  const headerLength = new DataView(payload.buffer, payload.byteOffset).getUint32(0, true);
  let header: { inputShape: number[]; ops: Array<Record<string, unknown>> };
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(4, 4 + headerLength)),
    );
  } catch (error) {
    return fail('BadHeader', path, `header is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(header?.ops) || !Array.isArray(header.inputShape))
    return fail('BadHeader', path, 'header lacks inputShape or ops');
  const r = new Reader(payload.subarray(4 + headerLength));
  try {
    const ops = header.ops.map((op, i): SparseOp => {
      const what = `op ${i} (${String(op.name)})`;
      switch (op.kind) {
        case 'dense':
        case 'conv': {
          const { rows, cols, nnz, bits, book, biasLength } = op as Record<string, number>;
          for (const [k, v] of Object.entries({ rows, cols, nnz, bits, book, biasLength }))
            if (!Number.isInteger(v) || (v as number) < 0) throw new Error(`${what}: ${k} is not a count`);
          if ((bits as number) < 1 || (bits as number) > 16 || (book as number) > 2 ** (bits as number))
            throw new Error(`${what}: ${book} codebook values do not fit ${bits} bits`);
          const rowPtr = new Uint32Array((rows as number) + 1);
          const colIndices = indexArray(cols as number, nnz as number);
          let at = 0;
          for (let row = 0; row < (rows as number); row += 1) {
            const n = r.varint();
            if (at + n > (nnz as number)) throw new Error(`${what}: more weights than the header says`);
            let c = -1;
            for (let k = 0; k < n; k += 1) {
              c += r.varint() + 1;
              if (c >= (cols as number)) throw new Error(`${what}: column index ${c} ≥ ${cols}`);
              colIndices[at++] = c;
            }
            rowPtr[row + 1] = at;
          }
          if (at !== nnz) throw new Error(`${what}: ${at} weights, the header says ${nnz}`);
          const codebook = new Float32Array(r.raw(4 * (book as number)).buffer);
          if (!codebook.every(Number.isFinite))
            throw new Error(`${what}: the codebook holds a non-finite value`);
          const codes = r.codes(nnz as number, bits as number);
          const values = Float32Array.from(codes, (q) => {
            if (q >= codebook.length)
              throw new Error(`${what}: code ${q} ≥ ${codebook.length} codebook values`);
            return codebook[q] as number;
          });
          const bias = Float32Array.from(
            new Uint16Array(r.raw(2 * (biasLength as number)).buffer),
            fromFloat16,
          );
          const weights: Csr = { rows: rows as number, cols: cols as number, rowPtr, colIndices, values };
          const { rows: _r, cols: _c, nnz: _n, bits: _b, book: _k, biasLength: _l, ...rest } = op;
          return { ...(rest as object), weights, bias } as SparseOp;
        }
        case 'select': {
          const count = r.varint();
          const indices = new Uint32Array(count);
          let prev = -1;
          for (let k = 0; k < count; k += 1) {
            prev += r.varint() + 1;
            indices[k] = prev;
          }
          return { kind: 'select', name: String(op.name), indices };
        }
        case 'unitwise': {
          const config = (op.config ?? {}) as Record<string, number | string | boolean>;
          return {
            kind: 'unitwise',
            name: String(op.name),
            op: String(op.op),
            config,
            fn: unitwise(String(op.op), config, what),
          };
        }
        case 'flatten':
        case 'maxpool':
          return op as unknown as SparseOp;
        default:
          throw new Error(`${what}: unknown kind ${String(op.kind)}`);
      }
    });
    if (r.at !== payload.length - 4 - headerLength) throw new Error('bytes left over after the last layer');
    return E.right({ inputShape: header.inputShape, ops });
  } catch (error) {
    return fail('BadArray', path, (error as Error).message);
  }
};
