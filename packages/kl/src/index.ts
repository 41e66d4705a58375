export { checkFloatTensor } from './check-float-tensor.js';
export { EULER_GAMMA, K1, K2, K3, KINGMA_COEFFICIENTS, SMALL_ALPHA_CONSTANT } from './constants.js';
export { negKlExact, negKlExactTable } from './exact.js';
export { FUSED_KERNELS, type FusedKernelName, fusedKernelAvailable } from './fused-kernels.js';
export { negKlKingma } from './kingma.js';
export {
  KL_APPROXIMATIONS,
  type KlApproximation,
  type KlApproximationName,
  kingmaKl,
  molchanovKl,
} from './kl-approximation.js';
export { klSum } from './kl-sum.js';
export { negKlMolchanov } from './molchanov.js';
