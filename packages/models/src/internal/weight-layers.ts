import { conv2d, dense, dropout, type Layer, plainConv2d, plainDense, unitNoise } from '@sparsevd/layers';
import type { ModelOptions } from '../variant.js';

/** A dense weight layer of the requested variant (with dropout before it in the dense variant, if asked). */
export const denseLayer = (name: string, units: number, options: ModelOptions, hidden: boolean): Layer[] => {
  if ((options.variant ?? 'sparsevd') === 'dense') {
    const rate = options.dropoutRate ?? 0;
    return [
      ...(hidden && rate > 0 ? [dropout({ rate, name: `${name}_dropout` })] : []),
      plainDense({ units, name }),
    ];
  }
  return [dense({ units, name, ...sparseOptions(options) })];
};

/** A conv weight layer of the requested variant. */
export const convLayer = (
  name: string,
  filters: number,
  kernelSize: number,
  padding: 'valid' | 'same',
  options: ModelOptions,
): Layer[] =>
  (options.variant ?? 'sparsevd') === 'dense'
    ? [plainConv2d({ filters, kernelSize, padding, name })]
    : [conv2d({ filters, kernelSize, padding, name, ...sparseOptions(options) })];

const sparseOptions = (options: ModelOptions) => ({
  ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
  ...(options.trainClip === undefined ? {} : { trainClip: options.trainClip }),
});

/** A unit-noise layer named `name` when the model asks for them (`options.unitNoise`), else nothing. */
export const unitNoiseLayer = (name: string, options: ModelOptions): Layer[] =>
  options.unitNoise === true ? [unitNoise({ name })] : [];
