export { type GradientMoments, type GradientVarianceOptions, gradientVariance } from './gradient-variance.js';
export { type KeepMaskOptions, keepMask } from './keep-mask.js';
export { type KlOfWeightsOptions, klOfWeights } from './kl-of-weights.js';
export { type LogAlphaOptions, logAlpha } from './log-alpha.js';
export { type Conv2dOptions, lrtConv2d } from './lrt-conv2d.js';
export { LRT_VARIANCE_EPS, lrtDense } from './lrt-dense.js';
export { type Noise, resolveNoise } from './noise.js';
export { logNormalCdf, logNormalMass, normalCdf, normalQuantile } from './normal-cdf.js';
export type { AdditiveParams, MultiplicativeParams, NoiseParams } from './params.js';
export { sampleWeights } from './sample-weights.js';
export {
  type LogBounds,
  SBP,
  sampleUnitNoise,
  type UnitNoiseParams,
  unitNoiseKl,
  unitNoiseMask,
  unitNoiseMean,
  unitNoiseSnr,
} from './unit-noise.js';
export { weightVariance } from './weight-variance.js';
