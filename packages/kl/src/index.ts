export { EULER_GAMMA, K1, K2, K3, KINGMA_COEFFICIENTS, SMALL_ALPHA_CONSTANT } from './constants.js';
export { negKlExact, negKlExactTable } from './exact.js';
export {
  FUSED_KERNELS,
  type FusedKernelName,
  fusedKernelAvailable,
  fusedKernelsEnabled,
  setFusedKernels,
} from './fused-kernels.js';
export { negKlKingma } from './kingma.js';
export { klSum } from './kl-sum.js';
export { negKlMolchanov } from './molchanov.js';
