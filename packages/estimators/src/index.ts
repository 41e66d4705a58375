export { type GradientMoments, type GradientVarianceOptions, gradientVariance } from './gradient-variance.js';
export { klOfWeights } from './kl-of-weights.js';
export { type LogAlphaOptions, logAlpha } from './log-alpha.js';
export { type Conv2dOptions, lrtConv2d } from './lrt-conv2d.js';
export { LRT_VARIANCE_EPS, lrtDense } from './lrt-dense.js';
export { type Noise, resolveNoise } from './noise.js';
export type { AdditiveParams, MultiplicativeParams, NoiseParams } from './params.js';
export { sampleWeights } from './sample-weights.js';
export { weightVariance } from './weight-variance.js';
