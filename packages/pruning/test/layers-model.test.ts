import { disposeParams } from '@sparsevd/layers';
import { fromLayersModel, SparseVDDense } from '@sparsevd/layers/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { compact, masks, sparseModel, sparsityReport, toSparse } from '../src/index.js';
import { useBackend } from './backends.js';

// A tfjs-layers model with SparseVD layers goes through every pruning entry point once converted; given
// directly, each entry point says how to convert it.
describe('pruning a tfjs-layers model', () => {
  beforeAll(() => useBackend('cpu'));

  const model = () => {
    const m = tfl.sequential({
      layers: [
        new SparseVDDense({
          units: 12,
          inputShape: [10],
          trainingSize: 100,
          activation: 'relu',
          seed: 1,
          name: 'a',
        }),
        new SparseVDDense({ units: 3, trainingSize: 100, seed: 2, name: 'b' }),
      ],
    });
    // log σ² = 0 on the first three inputs' rows: |θ| < 1 there, so log α > 0 … prune at threshold 0.
    const [theta, logSigma2, bias] = m.getLayer('a').getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor];
    const spread = tf.tidy(() => tf.concat([tf.fill([3, 12], 8), tf.slice(logSigma2, [3, 0], [7, 12])]));
    m.getLayer('a').setWeights([theta, spread, bias]);
    spread.dispose();
    return m;
  };

  it('sparsityReport, masks, compact, toSparse and sparseModel work on fromLayersModel(model)', () => {
    const m = model();
    const { network, params, inputShape } = fromLayersModel(m);
    const report = sparsityReport(network, params);
    const a = report.layers.find((l) => l.name === 'a');
    expect(a?.weights).toBe(120);
    expect(a?.kept).toBe(84); // the three rows with log σ² = 8 are removed (log α = 8 − log θ² > 3)
    const m2 = masks(network, params);
    expect(m2).toHaveLength(2);
    tf.dispose(m2.map((x) => x.mask));
    const small = compact(network, params, inputShape, { inputs: 'select' });
    expect(small.inputs).toEqual({ before: 10, after: 7 });
    const x = tf.randomUniform([4, 10], 0, 1, 'float32', 3);
    const expected = Array.from((m.predict(x) as tf.Tensor).dataSync());
    const got = Array.from(small.network.apply(small.params, x, 'eval').dataSync());
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 4);
    });
    const runner = sparseModel(toSparse(network, params, inputShape));
    Array.from(runner.predict(x.dataSync() as Float32Array, 4)).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 4);
    });
    disposeParams(params);
    disposeParams(small.params);
  });

  it('given the model itself, each entry point names the conversion', () => {
    const m = model() as unknown as Parameters<typeof sparsityReport>[0];
    expect(() => sparsityReport(m, {})).toThrow(
      /sparsityReport: got a tfjs-layers model; convert it first: const \{ network, params \} = fromLayersModel\(model\)/,
    );
    expect(() => masks(m, {})).toThrow(/masks: got a tfjs-layers model/);
    expect(() => compact(m as never, {}, [10])).toThrow(/compact: got a tfjs-layers model/);
  });
});
