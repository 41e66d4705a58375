export { type BitSweepOptions, type BitSweepResult, smallestPacked } from './bit-sweep.js';
export { type Compacted, compact, type UnitCount } from './compact.js';
export {
  type Csr,
  csrBytes,
  csrValues,
  type IndexArray,
  indexArray,
  nnz,
  type Quantized,
  quantize8,
  toCsr,
} from './csr.js';
export { finiteJson } from './finite-json.js';
export { crc32 } from './internal/crc32.js';
export {
  applyMagnitudeMasks,
  gradualSparsity,
  type MagnitudeMask,
  magnitudeMasks,
  nonzeroMasks,
  type WeightLayerSparsity,
  type WeightSparsity,
  weightSparsity,
} from './magnitude.js';
export { masks, type WeightMask } from './masks.js';
export {
  type ParseSparseOptions,
  parseSparse,
  SPARSE_FORMAT_VERSION,
  SPARSE_MAGIC,
  serializeSparse,
  type UnitwiseFunctions,
} from './sparse-format.js';
export type { SparseFormatError } from './sparse-format-error.js';
export { type SparseModel, sparseModel } from './sparse-model.js';
export type { LayerBytes, SparseExport, SparseNetwork, SparseOp } from './sparse-model-types.js';
export {
  type CodebookKind,
  codebookOf,
  PACKED_FORMAT_VERSION,
  type PackOptions,
  packSparse,
} from './sparse-packed.js';
export {
  formatCompression,
  type Histogram,
  type LayerSparsity,
  type SparsityReport,
  type SparsityReportOptions,
  sparsityReport,
} from './sparsity-report.js';
export {
  type LayerStructure,
  type StructureReport,
  structureReport,
  structureSparsity,
} from './structure-report.js';
export { toTfjsGraphModel } from './tfjs-graph-model.js';
export { toTfjsModel } from './tfjs-model.js';
export type { TfjsModel, TfjsModelOptions, TfjsWeightSpec, TfjsWeightStorage } from './tfjs-model-types.js';
export { maskedParams, type SweepPoint, thresholdSweep } from './threshold-sweep.js';
export { type ToSparseOptions, toSparse } from './to-sparse.js';
