import { FUSED_KERNELS as CONTRACTS, fusedKernelRegistered } from '@sparsevd/kernels';

/**
 * The fused kernels' names.
 *
 * @deprecated Use `FUSED_KERNELS` of `@sparsevd/kernels`, which holds each kernel's whole contract (its name is
 * `FUSED_KERNELS.lrtDense.name`).
 */
export const FUSED_KERNELS = {
  klOfWeights: CONTRACTS.klOfWeights.name,
  lrtDense: CONTRACTS.lrtDense.name,
  lrtConv2d: CONTRACTS.lrtConv2d.name,
  maskedTheta: CONTRACTS.maskedTheta.name,
  adam: CONTRACTS.adam.name,
  randomNormal: CONTRACTS.randomNormal.name,
  softmaxCrossEntropy: CONTRACTS.softmaxCrossEntropy.name,
  unitNoiseKl: CONTRACTS.unitNoiseKl.name,
  unitNoiseSample: CONTRACTS.unitNoiseSample.name,
} as const;

/**
 * The name of one fused SparseVD kernel.
 *
 * @deprecated Use the contracts of `@sparsevd/kernels`.
 */
export type FusedKernelName = (typeof FUSED_KERNELS)[keyof typeof FUSED_KERNELS];

/**
 * Whether the active tfjs backend registered the fused kernel `name`.
 *
 * @deprecated Use `fusedKernelRegistered(FUSED_KERNELS.x, { fused })` of `@sparsevd/kernels`; whether fused
 * kernels run is now an option of each call (`{ fused: false }`), not a process-wide switch.
 */
export const fusedKernelAvailable = (name: FusedKernelName): boolean => fusedKernelRegistered({ name });
