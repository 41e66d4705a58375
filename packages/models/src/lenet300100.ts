import { relu, sequential } from '@sparsevd/layers';
import { denseLayer } from './internal/weight-layers.js';
import type { ReferenceModel } from './reference-model.js';
import type { ModelOptions } from './variant.js';

/**
 * LeNet-300-100 (LeCun et al. 1998), as in Molchanov et al. 2017, Table 1: dense 784 → 300 → 100 → 10 with
 * ReLU between, on flat 784-pixel inputs. 266 200 weights (biases excluded).
 */
export const lenet300100 = (options: ModelOptions = {}): ReferenceModel => ({
  id: 'lenet300',
  network: sequential([
    ...denseLayer('fc1', 300, options, false),
    relu({ name: 'relu1' }),
    ...denseLayer('fc2', 100, options, true),
    relu({ name: 'relu2' }),
    ...denseLayer('fc3', 10, options, true),
  ]),
  inputShape: [784],
  classes: 10,
});
