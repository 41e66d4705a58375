/** Column indices in the smallest unsigned type that holds the column count. */
export type IndexArray = Uint8Array | Uint16Array | Uint32Array;

/** 8-bit linear quantisation of a layer's surviving values: value ≈ min + q·scale. */
export interface Quantized {
  readonly q: Uint8Array;
  readonly min: number;
  readonly scale: number;
}

/**
 * A sparse matrix in compressed sparse row form: the nonzeros of row r are
 * `values[rowPtr[r] … rowPtr[r + 1] − 1]` in columns `colIndices[…]`.
 */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Uint32Array;
  readonly colIndices: IndexArray;
  /** Float32 values, or their 8-bit quantisation. */
  readonly values: Float32Array | Quantized;
}

/** The smallest unsigned index array for column indices below `cols`. */
export const indexArray = (cols: number, length: number): IndexArray =>
  cols <= 256 ? new Uint8Array(length) : cols <= 65_536 ? new Uint16Array(length) : new Uint32Array(length);

/** CSR of a dense row-major `[rows, cols]` matrix (exact zeros dropped). */
export const toCsr = (matrix: Float32Array, rows: number, cols: number): Csr => {
  if (matrix.length !== rows * cols)
    throw new RangeError(`toCsr: ${matrix.length} values for a ${rows}×${cols} matrix`);
  let nnz = 0;
  for (const v of matrix) if (v !== 0) nnz += 1;
  const rowPtr = new Uint32Array(rows + 1);
  const colIndices = indexArray(cols, nnz);
  const values = new Float32Array(nnz);
  let at = 0;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const v = matrix[r * cols + c] as number;
      if (v !== 0) {
        colIndices[at] = c;
        values[at] = v;
        at += 1;
      }
    }
    rowPtr[r + 1] = at;
  }
  return { rows, cols, rowPtr, colIndices, values };
};

/** 8-bit linear quantisation of float values over their [min, max] range. */
export const quantize8 = (values: Float32Array): Quantized => {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) return { q: new Uint8Array(0), min: 0, scale: 1 };
  const scale = max > min ? (max - min) / 255 : 1;
  return { q: Uint8Array.from(values, (v) => Math.round((v - min) / scale)), min, scale };
};

/** The float values of a CSR matrix (dequantised when quantised). */
export const csrValues = (csr: Csr): Float32Array => {
  const v = csr.values;
  return v instanceof Float32Array ? v : Float32Array.from(v.q, (q) => v.min + q * v.scale);
};

/** Bytes the CSR arrays take. */
export const csrBytes = (csr: Csr): number =>
  csr.rowPtr.byteLength +
  csr.colIndices.byteLength +
  (csr.values instanceof Float32Array ? csr.values.byteLength : csr.values.q.byteLength + 8);

/** Number of stored nonzeros. */
export const nnz = (csr: Csr): number => csr.colIndices.length;
