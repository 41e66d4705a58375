import { relu, sequential } from '@sparsevd/layers';
import { denseLayer, unitNoiseLayer } from './internal/weight-layers.js';
import type { ReferenceModel } from './reference-model.js';
import type { ModelOptions } from './variant.js';

/**
 * LeNet-300-100 (LeCun et al. 1998), as in Molchanov et al. 2017, Table 1: dense 784 → 300 → 100 → 10 with
 * ReLU between, on flat 784-pixel inputs. 266 200 weights (biases excluded). `unitNoise` adds SBP layers on
 * the inputs of each dense layer (784, 300, 100 units).
 */
export const lenet300100 = (options: ModelOptions = {}): ReferenceModel => ({
  id: 'lenet300',
  network: sequential([
    // With `unitNoise`: on the inputs of fc1 (pixels) and on the outputs of fc1 and fc2 (the inputs of the
    // next layer), right next to the weight layer they fold into.
    ...unitNoiseLayer('fc1_inputs', options),
    ...denseLayer('fc1', 300, options, false),
    ...unitNoiseLayer('fc1_units', options),
    relu({ name: 'relu1' }),
    ...denseLayer('fc2', 100, options, true),
    ...unitNoiseLayer('fc2_units', options),
    relu({ name: 'relu2' }),
    ...denseLayer('fc3', 10, options, true),
  ]),
  inputShape: [784],
  classes: 10,
});
