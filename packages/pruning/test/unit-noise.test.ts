// Structured Bayesian Pruning's unit-noise layer through the layer protocol: pruning folds its `scale` into the
// weight layer beside it with no special case, compaction drops the units it removes, the structure report
// counts them, and on a toy problem it removes exactly the units that carry no signal.
import {
  conv2d,
  dense,
  disposeParams,
  flatten,
  maxPool,
  type Params,
  relu,
  sequential,
  unitNoise,
} from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compact, sparseModel, structureReport, structureSparsity, toSparse } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';
import { evalOutputs, maxAbsDiff, rng } from './fixtures.js';

/** Sets a unit-noise layer so that the units `removed` have SNR < 1 and the others a spread of E θ. */
const setUnits = (params: Params, layer: string, removed: (u: number) => boolean) => {
  const p = params[layer] as Record<string, tf.Variable>;
  const n = p.mu?.shape[0] as number;
  p.mu?.assign(tf.tensor1d(Array.from({ length: n }, (_, u) => (removed(u) ? -2 : -0.05 * (u % 7)))));
  p.logSigma?.assign(tf.tensor1d(Array.from({ length: n }, (_, u) => (removed(u) ? 1.5 : -4))));
};

describe.each(BACKENDS)('unit noise through the layer protocol on the %s backend', (backend) => {
  beforeAll(() => useBackend(backend));

  it('after a dense layer (columns) and before one (rows): compaction drops the removed units exactly', () => {
    const network = sequential([
      unitNoise({ name: 'in' }), // on the 12 inputs: folded into fc1's rows
      dense({ units: 10, name: 'fc1' }),
      unitNoise({ name: 'sbp1' }), // on fc1's neurons: folded into its columns and bias
      relu(),
      dense({ units: 3, name: 'fc2' }),
    ]);
    const params = network.init(3, { inputShape: [12] });
    setUnits(params, 'in', (u) => u % 3 === 0); // inputs 0, 3, 6, 9 removed
    setUnits(params, 'sbp1', (u) => u >= 6); // neurons 6–9 removed
    (params.fc1 as Record<string, tf.Variable>).bias?.assign(tf.linspace(-0.2, 0.4, 10));
    const x = tf.randomNormal([20, 12], 0, 1, 'float32', 4);
    const reference = evalOutputs(network, params, x);
    const c = compact(network, params, [12], { inputs: 'select' });
    expect(c.inputs).toEqual({ before: 12, after: 8 });
    expect(c.units.map((u) => [u.name, u.before, u.after])).toEqual([
      ['fc1', 10, 6],
      ['fc2', 3, 3],
    ]);
    expect(maxAbsDiff(evalOutputs(c.network, c.params, x), reference)).toBeLessThan(1e-5);
    // The sparse export runs it too, through the same protocol.
    const sparse = sparseModel(toSparse(network, params, [12])).predict(x.dataSync() as Float32Array, 20);
    expect(maxAbsDiff(sparse, reference)).toBeLessThan(1e-5);
    const report = structureReport(network, params, [12]);
    expect(report.unitsBefore).toBe('12-10');
    expect(report.units).toBe('8-6');
    expect(report.flops).toEqual({ before: 2 * (12 * 10 + 10 * 3), after: 2 * (8 * 6 + 6 * 3) });
    // As weights: the compacted network keeps 8·6 + 6·3 of 12·10 + 10·3 (the dense layers have no zeros).
    expect(report.layers.map((l) => l.shape)).toEqual([
      [12, 10],
      [10, 3],
    ]);
    expect(structureSparsity(report)).toMatchObject({
      totalWeights: 150,
      keptWeights: 66,
      compression: 150 / 66,
      allRemoved: false,
      layers: [
        { name: 'fc1', shape: [12, 10], weights: 120, kept: 48, removedPercent: 60 },
        { name: 'fc2', shape: [10, 3], weights: 30, kept: 18, removedPercent: 40 },
      ],
    });
    disposeParams(params);
    disposeParams(c.params);
    x.dispose();
  });

  it('on conv filters (NHWC) and on the flattened features before a dense layer, as in LeNet-5', () => {
    const network = sequential([
      conv2d({ filters: 6, kernelSize: 3, name: 'conv1' }),
      unitNoise({ name: 'sbp1' }),
      relu(),
      maxPool({ poolSize: 2 }),
      flatten(),
      unitNoise({ name: 'sbpFc' }), // on fc1's 4·4·6 = 96 inputs
      dense({ units: 5, name: 'fc1' }),
    ]);
    const inputShape = [10, 10, 1];
    const params = network.init(5, { inputShape });
    setUnits(params, 'sbp1', (u) => u === 1 || u === 4); // two filters removed
    const r = rng(2);
    setUnits(params, 'sbpFc', () => r() < 0.3);
    const x = tf.randomNormal([4, 10, 10, 1], 0, 1, 'float32', 6);
    const reference = evalOutputs(network, params, x);
    const c = compact(network, params, inputShape);
    expect(c.units.find((u) => u.name === 'conv1')).toMatchObject({ before: 6, after: 4 });
    expect(maxAbsDiff(evalOutputs(c.network, c.params, x), reference)).toBeLessThan(1e-5);
    const report = structureReport(network, params, inputShape);
    expect(report.unitsBefore).toBe('6-96');
    const [conv, fc] = report.layers;
    expect(conv?.units).toEqual({ before: 6, after: 4 });
    // fc1's kept inputs: neither a removed filter's 16 positions nor a feature its own noise removed.
    expect(fc?.inputs.after).toBeLessThanOrEqual(64);
    expect(report.units).toBe(`4-${fc?.inputs.after}`);
    expect(conv?.flops).toEqual({ before: 2 * 9 * 6 * 8 * 8, after: 2 * 9 * 4 * 8 * 8 });
    disposeParams(params);
    disposeParams(c.params);
    x.dispose();
  });

  it('refuses a unit-noise layer that is not next to a weight layer, naming it', () => {
    const network = sequential([
      dense({ units: 4, name: 'fc1' }),
      relu(),
      unitNoise({ name: 'late' }),
      relu(),
      dense({ units: 2, name: 'fc2' }),
    ]);
    const params = network.init(1, { inputShape: [3] });
    expect(() => compact(network, params, [3])).toThrow(
      'compact: layer "late" scales 4 units but is not next to a dense or conv layer with 4 outputs before it or inputs after it, so it cannot be folded',
    );
    disposeParams(params);
  });
});

// Training, not numerics: one backend (wasm, the default of the CLI in a browser-free install) is enough.
describe('SBP on a toy problem (wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  it('toy problem: of 16 hidden units, it removes the 8 that carry no signal and keeps the 8 that do', () => {
    // h: 8 informative units (the label is the sign of their sum) and 8 of pure noise; the network trains the
    // unit noise and the output layer by the SGVLB (N·CE + KL) with Adam, full batch.
    const n = 2000;
    const [h, y] = tf.tidy(() => {
      const features = tf.randomNormal([n, 16], 0, 1, 'float32', 21);
      const signal = tf.sum(tf.slice(features, [0, 0], [n, 8]), 1);
      const labels = tf.oneHot(tf.cast(tf.greater(signal, 0), 'int32'), 2);
      return [features, labels];
    });
    const network = sequential([unitNoise({ name: 'sbp' }), dense({ units: 2, name: 'out' })]);
    const params = network.init(7, { inputShape: [16], logSigma2Init: -8 });
    const variables = [
      ...Object.values(params.sbp as Record<string, tf.Variable>),
      ...Object.values(params.out as Record<string, tf.Variable>),
    ];
    const optimizer = tf.train.adam(0.1);
    for (let step = 0; step < 200; step++) {
      optimizer.minimize(
        () =>
          tf.tidy(() => {
            const logits = network.apply(params, h, 'train', { seed: 100 + step });
            const ce = tf.losses.softmaxCrossEntropy(y, logits);
            return tf.add(tf.mul(n, ce), network.kl(params)) as tf.Scalar;
          }),
        false,
        variables,
      );
    }
    const report = structureReport(network, params, [16]);
    const kept = report.layers[0]?.inputs.after;
    const compacted = compact(network, params, [16], { inputs: 'select' });
    const keptIndices = (compacted.network.layers[0]?.config.indices ?? []) as number[];
    expect(keptIndices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(kept).toBe(8);
    const error = tf.tidy(
      () =>
        tf
          .mean(
            tf.cast(tf.notEqual(tf.argMax(network.apply(params, h, 'eval'), 1), tf.argMax(y, 1)), 'float32'),
          )
          .dataSync()[0] as number,
    );
    expect(error).toBeLessThan(0.05);
    optimizer.dispose();
    disposeParams(params);
    disposeParams(compacted.params);
    tf.dispose([h, y]);
  }, 240_000);
});
