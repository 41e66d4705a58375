export { type FusedInputs, type FusedKernel, fusedKernel } from './fused-kernel.js';
export { type FusedOp, fusedOp } from './fused-op.js';
export { type FusedOptions, fusedKernelRegistered, runFused } from './run-fused.js';
export {
  type AdamAttrs,
  FUSED_KERNELS,
  type LogAlphaAttrs,
  type LrtConv2dAttrs,
  type RandomNormalAttrs,
  type UnitNoiseAttrs,
} from './sparsevd-kernels.js';
