import type { NoiseParams } from '../params.js';
import { checkFloatTensor, checkSameShape } from './validate.js';

/** Checks dtypes and that the noise-scale parameter has θ's shape; returns the scale's argument name. */
export const checkParams = (fn: string, params: NoiseParams): void => {
  if (
    params === null ||
    typeof params !== 'object' ||
    (params.kind !== 'additive' && params.kind !== 'multiplicative')
  ) {
    throw new TypeError(`${fn}: params.kind must be "additive" or "multiplicative"`);
  }
  checkFloatTensor(fn, 'params.theta', params.theta);
  if (params.kind === 'additive') {
    checkFloatTensor(fn, 'params.logSigma2', params.logSigma2);
    checkSameShape(fn, 'params.theta', params.theta, 'params.logSigma2', params.logSigma2);
  } else {
    checkFloatTensor(fn, 'params.logAlpha', params.logAlpha);
    checkSameShape(fn, 'params.theta', params.theta, 'params.logAlpha', params.logAlpha);
  }
  if (params.bias !== undefined) checkFloatTensor(fn, 'params.bias', params.bias);
};
