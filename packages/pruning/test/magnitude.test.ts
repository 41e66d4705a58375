import { disposeParams, plainDense, relu, sequential } from '@sparsevd/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMagnitudeMasks,
  gradualSparsity,
  magnitudeMasks,
  nonzeroMasks,
  weightSparsity,
} from '../src/index.js';
import { useBackend } from './backends.js';

describe('magnitude pruning', () => {
  const network = sequential([
    plainDense({ units: 40, name: 'fc1' }),
    relu(),
    plainDense({ units: 10, name: 'fc2' }),
  ]);
  let params: ReturnType<typeof network.init>;
  beforeAll(async () => {
    await useBackend('cpu');
    params = network.init(3, { inputShape: [25] });
  });
  afterAll(() => disposeParams(params));

  it('keeps exactly the largest |w| of each tensor, the fraction asked for, and leaves biases alone', () => {
    const before = tf.memory().numTensors;
    const found = magnitudeMasks(network, params, [0.9, 0.5]);
    expect(found.map((m) => [m.name, m.size, m.kept])).toEqual([
      ['fc1/kernel', 1000, 100],
      ['fc2/kernel', 400, 200],
    ]);
    for (const m of found) {
      const w = Array.from(m.variable.dataSync(), Math.abs);
      const mask = Array.from(m.mask.dataSync());
      expect(mask.reduce((s, v) => s + v, 0)).toBe(m.kept);
      // Independent check: every kept magnitude ≥ every removed one.
      const kept = w.filter((_, i) => mask[i] === 1);
      const removed = w.filter((_, i) => mask[i] === 0);
      expect(Math.min(...kept)).toBeGreaterThanOrEqual(Math.max(...removed));
      expect(new Set(mask)).toEqual(new Set([0, 1]));
    }
    tf.dispose(found.map((m) => m.mask));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('breaks ties by position so the count is exact, and handles 0 and 1', () => {
    const tied = sequential([plainDense({ units: 4, name: 'd' })]);
    const p = tied.init(1, { inputShape: [2] });
    (p.d as Record<string, tf.Variable>).kernel?.assign(tf.tensor2d([1, -1, 1, 1, 0.5, -1, 1, 2], [2, 4]));
    const [half] = magnitudeMasks(tied, p, 0.5);
    expect(Array.from(half?.mask.dataSync() ?? [])).toEqual([1, 1, 1, 0, 0, 0, 0, 1]);
    const [none] = magnitudeMasks(tied, p, 0);
    const [all] = magnitudeMasks(tied, p, 1);
    expect([none?.kept, all?.kept]).toEqual([8, 0]);
    tf.dispose([half, none, all].map((m) => m?.mask as tf.Tensor));
    disposeParams(p);
  });

  it('applied masks zero the removed weights; nonzeroMasks and weightSparsity recover them', () => {
    const copy = network.init(3, { inputShape: [25] });
    const found = magnitudeMasks(network, copy, 0.75);
    applyMagnitudeMasks(found);
    const again = nonzeroMasks(network, copy);
    expect(again.map((m) => m.kept)).toEqual([250, 100]);
    found.forEach((m, i) => {
      expect(Array.from(again[i]?.mask.dataSync() ?? [])).toEqual(Array.from(m.mask.dataSync()));
    });
    const report = weightSparsity(network, copy);
    expect(report.layers.map((l) => [l.name, l.weights, l.kept, l.removedPercent])).toEqual([
      ['fc1', 1000, 250, 75],
      ['fc2', 400, 100, 75],
    ]);
    expect(report.compression).toBe(4);
    tf.dispose([...found, ...again].map((m) => m.mask));
    disposeParams(copy);
  });

  it('refuses fractions outside [0, 1] and a list of the wrong length, naming the tensors', () => {
    expect(() => magnitudeMasks(network, params, [0.5])).toThrow(
      /sparsity has 1 fractions but the network has 2 weight tensors \(fc1\/kernel, fc2\/kernel\)/,
    );
    expect(() => magnitudeMasks(network, params, [0.5, 1.5])).toThrow(
      /fc2\/kernel must be in \[0, 1\], got 1.5/,
    );
    expect(() => magnitudeMasks(network, params, Number.NaN)).toThrow(/must be in \[0, 1\]/);
  });

  it('the gradual schedule is Zhu & Gupta’s cubic: 0 before the start, the final value from the end', () => {
    expect(gradualSparsity(0.9, 0, 10, 20)).toBe(0);
    expect(gradualSparsity(0.9, 10, 10, 20)).toBe(0);
    expect(gradualSparsity(0.9, 15, 10, 20)).toBeCloseTo(0.9 * (1 - 0.5 ** 3), 12);
    expect(gradualSparsity(0.9, 20, 10, 20)).toBe(0.9);
    expect(gradualSparsity(0.9, 200, 10, 20)).toBe(0.9);
    // Monotone, and concave between start and end.
    const s = Array.from({ length: 11 }, (_, i) => gradualSparsity(0.98, 10 + i, 10, 20));
    for (let i = 1; i < s.length; i += 1) expect(s[i] as number).toBeGreaterThan(s[i - 1] as number);
    for (let i = 2; i < s.length; i += 1)
      expect((s[i] as number) - (s[i - 1] as number)).toBeLessThan(
        (s[i - 1] as number) - (s[i - 2] as number),
      );
    expect(() => gradualSparsity(1, 1, 0, 2)).toThrow(RangeError);
    expect(() => gradualSparsity(0.5, 1, 3, 3)).toThrow(/start < end/);
  });
});
