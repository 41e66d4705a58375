import { flatten, maxPool, relu, sequential } from '@sparsevd/layers';
import { convLayer, denseLayer, unitNoiseLayer } from './internal/weight-layers.js';
import type { ReferenceModel } from './reference-model.js';
import type { ModelOptions } from './variant.js';

/**
 * LeNet-5-Caffe, as in Molchanov et al. 2017, Table 1: conv 20@5×5 (valid) → max-pool 2 → conv 50@5×5
 * (valid) → max-pool 2 → dense 800 → 500 → dense 500 → 10, ReLU between, on 28×28×1 NHWC inputs.
 * 430 500 weights (biases excluded). `unitNoise` adds SBP layers on conv1's and conv2's filters and on the
 * inputs of fc1 (800) and fc2 (500), as Neklyudov et al. 2017 count units.
 */
export const lenet5Caffe = (options: ModelOptions = {}): ReferenceModel => ({
  id: 'lenet5',
  network: sequential([
    ...convLayer('conv1', 20, 5, 'valid', options),
    ...unitNoiseLayer('conv1_units', options),
    relu({ name: 'relu1' }),
    maxPool({ poolSize: 2, name: 'pool1' }),
    ...convLayer('conv2', 50, 5, 'valid', options),
    ...unitNoiseLayer('conv2_units', options),
    relu({ name: 'relu2' }),
    maxPool({ poolSize: 2, name: 'pool2' }),
    flatten({ name: 'flatten' }),
    ...unitNoiseLayer('fc1_inputs', options),
    ...denseLayer('fc1', 500, options, true),
    ...unitNoiseLayer('fc1_units', options),
    relu({ name: 'relu3' }),
    ...denseLayer('fc2', 10, options, true),
  ]),
  inputShape: [28, 28, 1],
  classes: 10,
});
