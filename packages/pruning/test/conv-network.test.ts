import { disposeParams } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compact, sparseModel, sparsityReport, toSparse } from '../src/index.js';
import { BACKENDS, useBackend } from './backends.js';
import { evalOutputs, lenets, maxAbsDiff, mnistBatch, rng, setPattern } from './fixtures.js';

describe.each(BACKENDS)('a pruned LeNet-5-Caffe on the %s backend', (backend) => {
  const { network, inputShape } = lenets().lenet5;
  let params: ReturnType<typeof network.init>;
  let x: tf.Tensor;
  beforeAll(async () => {
    await useBackend(backend);
    params = network.init(2, { inputShape });
    const r = rng(11);
    // conv1 [5,5,1,20]: filters 0–3 lose every weight (their constant ReLU(bias) must be folded into conv2's
    // bias through the max-pool), 50 % of the rest pruned.
    setPattern(params, 'conv1', (i) => i % 20 < 4 || r() < 0.5);
    // conv2 [5,5,20,50]: 90 % pruned; filters 0–9 also lose every weight.
    setPattern(params, 'conv2', (i) => i % 50 < 10 || r() < 0.9);
    // fc1 [800,500]: rows of channels 10–19 of conv2's output feed nothing (flatten index = position·50 + c);
    // 97 % of the rest pruned.
    setPattern(params, 'fc1', (i) => {
      const channel = Math.floor(i / 500) % 50;
      return (channel >= 10 && channel < 20) || r() < 0.97;
    });
    setPattern(params, 'fc2', () => r() < 0.5);
    for (const [layer, n] of [
      ['conv1', 20],
      ['conv2', 50],
      ['fc1', 500],
    ] as const) {
      (params[layer] as Record<string, tf.Variable>).bias?.assign(
        tf.randomUniform([n], -0.1, 0.3, 'float32', n),
      );
    }
    x = await mnistBatch(50, 'nhwc');
  });
  afterAll(() => {
    disposeParams(params);
    x.dispose();
  });

  it('compact removes dead filters across conv → pool → conv and conv → flatten → dense, exactly', () => {
    const reference = evalOutputs(network, params, x);
    const c = compact(network, params, inputShape);
    const after = Object.fromEntries(c.units.map((u) => [u.name, [u.before, u.after]]));
    expect(after.conv1?.[0]).toBe(20);
    expect(after.conv1?.[1]).toBeLessThanOrEqual(16);
    expect(after.conv2?.[0]).toBe(50);
    expect(after.conv2?.[1]).toBeLessThanOrEqual(30); // 0–9 no input, 10–19 no output
    expect(after.fc2).toEqual([10, 10]);
    const out = evalOutputs(c.network, c.params, x);
    expect(maxAbsDiff(out, reference)).toBeLessThan(1e-5 * Math.max(1, ...Array.from(reference, Math.abs)));
    const report = sparsityReport(c.network, c.params);
    expect(report.layers).toEqual([]); // an ordinary network: no SparseVD weights left
    disposeParams(c.params);
  });

  it('sparse inference (sparse direct convolutions, pooling, CSR dense) equals the eval-mode outputs', () => {
    const reference = evalOutputs(network, params, x);
    const exported = toSparse(network, params, inputShape);
    const out = sparseModel(exported).predict(x.dataSync() as Float32Array, 50);
    expect(maxAbsDiff(out, reference)).toBeLessThan(1e-4);
    expect(exported.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'fc1', 'fc2']);
  });

  it('handles same padding and strides in sparse convolutions and pooling', async () => {
    const { sequential, conv2d, maxPool, relu, flatten, dense } = await import('@sparsevd/layers');
    const net = sequential([
      conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'c' }),
      relu(),
      maxPool({ poolSize: 3, strides: 2, padding: 'same' }),
      flatten(),
      dense({ units: 3, name: 'd' }),
    ]);
    const p = net.init(5, { inputShape: [9, 9, 2] });
    const input = tf.randomNormal([3, 9, 9, 2], 0, 1, 'float32', 6);
    const reference = evalOutputs(net, p, input);
    const out = sparseModel(toSparse(net, p, [9, 9, 2])).predict(input.dataSync() as Float32Array, 3);
    expect(maxAbsDiff(out, reference)).toBeLessThan(1e-4);
    input.dispose();
    disposeParams(p);
  });
});
